//! The Lambda event-source-mapping consumer model (`kind = "lambda"`): what a poller that
//! gathers batches and invokes a function does to a queue. `gather` decides when a batch is
//! complete (size, batching window, Lambda's 6 MB invocation payload); `verdict` decides what
//! happens to each message of an invoked batch (deleted, or left to reappear, and why). Both
//! are pure, with time passed in; `causes` remembers why each left message will come back.
//! Depends on nothing of the SDK, `measure` or `report` (only the emulator's seeded mixer, for
//! failure draws).

pub mod causes;
pub(crate) mod gather;
pub mod verdict;
