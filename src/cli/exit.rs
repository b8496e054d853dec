//! The exit codes promised by the contract.

pub const OK: u8 = 0;
pub const EXPECTATION_FAILED: u8 = 1;
pub const BAD_INPUT: u8 = 2;
/// Reserved: a shard of a distributed run that missed its start.
pub const MISSED_START: u8 = 3;
/// A results file could not be written; the path and the OS error are printed.
pub const RESULTS_INCOMPLETE: u8 = 4;
pub const INTERRUPTED: u8 = crate::run::shutdown::INTERRUPTED_EXIT;
