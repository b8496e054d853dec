//! What every chart shares: its size and colours, the embedded font, and drawing one chart
//! into a PNG and an SVG, each written whole or not at all. Plotters' errors become the
//! `DrawResult` every chart function returns.
//!
//! Depends on `report::atomic` only.

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

pub(crate) fn register_font() {
    REGISTER.call_once(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("the font compiled into sqsbench is a valid TrueType font"));
    });
}

pub(crate) const SIZE: (u32, u32) = (1000, 560);
pub(crate) const BLUE: RGBColor = RGBColor(31, 119, 180);
pub(crate) const ORANGE: RGBColor = RGBColor(255, 127, 14);
pub(crate) const GREEN: RGBColor = RGBColor(44, 160, 44);
pub(crate) const RED: RGBColor = RGBColor(214, 39, 40);
pub(crate) const PURPLE: RGBColor = RGBColor(148, 103, 189);

pub(crate) type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Draws one chart into a PNG and an SVG (the closure is expanded once per backend type), each
/// under a temporary name renamed into place once whole (`atomic`).
macro_rules! both {
    ($dir:expr, $name:expr, $draw:expr) => {{
        let png = $dir.join(format!("{}.png", $name));
        let temporary = $crate::report::atomic::temporary_name(&png);
        let area = BitMapBackend::new(&temporary, SIZE).into_drawing_area();
        let drawn =
            $draw(&area).and_then(|()| $crate::report::chart::frame::Drawn::drawn(area.present()));
        drop(area);
        $crate::report::chart::frame::finish(&temporary, &png, drawn)?;
        let svg = $dir.join(format!("{}.svg", $name));
        let temporary = $crate::report::atomic::temporary_name(&svg);
        let area = SVGBackend::new(&temporary, SIZE).into_drawing_area();
        let drawn =
            $draw(&area).and_then(|()| $crate::report::chart::frame::Drawn::drawn(area.present()));
        drop(area);
        $crate::report::chart::frame::finish(&temporary, &svg, drawn)?;
    }};
}
pub(crate) use both;

/// Plotters' errors carry their backend's error type, which has no `'static` bound in generic
/// drawing code, so they cannot be boxed as they are: each becomes its message, here.
pub(crate) trait Drawn<T> {
    fn drawn(self) -> Result<T, Box<dyn std::error::Error>>;
}

impl<T, E: std::fmt::Display> Drawn<T> for Result<T, E> {
    fn drawn(self) -> Result<T, Box<dyn std::error::Error>> {
        self.map_err(|e| e.to_string().into())
    }
}

/// Renames a drawn chart into place, or removes its temporary file when drawing failed.
pub(crate) fn finish(temporary: &Path, path: &Path, drawn: DrawResult) -> DrawResult {
    let written = drawn.map_err(|e| std::io::Error::other(e.to_string()));
    crate::report::atomic::commit(temporary, path, written)?;
    Ok(())
}
