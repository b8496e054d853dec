//! Charts, with plotters, as PNG and SVG: `kind` names every chart (`Chart`: its file, title
//! and drawing function) and is how everything outside draws one; `frame` is what every chart shares (size, colours,
//! font, writing both formats whole), `parts` the pieces they are drawn from (plot and legend
//! areas, lines, phases), `ticks` the axes' labels; then one file per family — a run's
//! (`run`), the backlog and consumers (`backlog`), per fleet (`fleets`), a sweep's (`comparison`), and latency against throughput
//! (`latency_throughput`, for sweeps and searches).
//!
//! Depends on `measure` and `report::{atomic, results_dir, comparison}`.

pub mod backlog;
pub mod comparison;
pub mod fleets;
pub mod frame;
pub mod kind;
pub mod latency_throughput;
pub mod parts;
pub mod run;
pub mod search;
pub mod ticks;

#[cfg(test)]
mod checks;
