//! The page every report.html is: the head, the inline style, the footer; and charts inlined as
//! SVG that scale with the page. A leaf of `html`.

use std::path::Path;

use super::build::Html;
use crate::report::chart::kind::Chart;
use crate::report::wording::escape;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}\
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}\
.sub{color:#666;margin-top:0}.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem .9rem;min-width:8.5rem}\
.card b{display:block;font-size:1.3rem}.card span{color:#666;font-size:.85rem}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}\
th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}th{background:#f5f5f5}\
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.chart svg{max-width:100%;height:auto;border:1px solid #eee;margin:.4rem 0}\
.wide{overflow-x:auto}.wide table{font-size:.8rem}.wide td{white-space:nowrap}pre{background:#f6f8fa;padding:.8rem;overflow:auto;font-size:.85rem}.verdict{border-radius:6px;padding:.7rem 1rem;margin:1rem 0;border:2px solid}.verdict b{font-size:1.3rem;margin-right:.8rem}.verdict ul{margin:.3rem 0 0;padding-left:1.2rem}.verdict.ok{border-color:#1a7f37;background:#eef8f0}.verdict.warn{border-color:#9a6700;background:#fff8e5}.verdict.bad{border-color:#cf222e;background:#fff0f0}@media print{body{max-width:none;margin:0;font-size:10pt}.chart svg{border:none}.chart,table,.verdict,.card{break-inside:avoid}h2{break-after:avoid}a{color:inherit;text-decoration:none}pre{white-space:pre-wrap}.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/// A complete HTML page around a body: every page sqsbench writes.
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body>\n{body}\n<p class=\"sub\">sqsbench {}</p></body></html>\n",
        escape(title),
        env!("CARGO_PKG_VERSION")
    )
}

/// An SVG chart file, inlined and made to scale with the page.
pub(crate) fn inline_svg(path: &Path) -> Option<String> {
    let svg = std::fs::read_to_string(path).ok()?;
    let start = svg.find("<svg")?;
    let svg = &svg[start..];
    let dims = |attr: &str| -> Option<String> {
        let at = svg.find(&format!("{attr}=\""))? + attr.len() + 2;
        Some(svg[at..].split('"').next()?.to_string())
    };
    let tag_end = svg.find('>')?;
    if svg[..tag_end].contains("viewBox=") {
        // Plotters' newer SVGs scale by themselves.
        return Some(svg.to_string());
    }
    let (w, h) = (dims("width")?, dims("height")?);
    Some(svg.replacen("<svg", &format!("<svg viewBox=\"0 0 {w} {h}\""), 1))
}

/// Each of `charts` drawn in the folder `dir`, inlined in order; one not drawn is left out.
pub(crate) fn charts(dir: &Path, charts: &[Chart]) -> String {
    let mut html = Html::new();
    for chart in charts {
        if let Some(svg) = inline_svg(&chart.files(dir).1) {
            html.chart(chart.title(), &svg);
        }
    }
    html.finish()
}
