//! One definition per key, for every TOML table sqsbench reads: a scenario's sections and the
//! emulator's settings (`[emulator]`, `[emulator.faults]`, `serve --faults FILE`, `--quota`).
//! A key is declared once with `section!` (type, codec with its bounds, what it is when absent,
//! doc line); from that come the struct, a reader that records every problem with its key path
//! and line (unknown keys with a did-you-mean), the key's TOML rendering and its line in a
//! reference file. Knows nothing of SQS, scenarios or the emulator.

pub mod codec;
pub mod did_you_mean;
pub mod document;
mod section;
pub mod units;

pub use codec::{Codec, KeyDoc, Keys, Section};
pub use document::{Document, Field, Problem, Table};
#[doc(hidden)]
pub use serde_json;
