//! The pure queue model: SQS semantics for standard and FIFO queues as synchronous data
//! structures with time passed in (`Micros`), so every rule is testable without sleeping.
//! Main type: `Queue`. Must not depend on tokio, HTTP, or anything outside `emulator`.

pub(crate) mod fifo;
pub(crate) mod md5_lanes;
pub(crate) mod message;
pub(crate) mod policy;
pub(crate) mod queue;
pub(crate) mod receipt;
pub(crate) mod settings;
pub(crate) mod standard;
pub(crate) mod store;

pub use message::{AttributeValue, MessageAttribute};
pub(crate) use message::{Message, Micros, NewMessage};
pub(crate) use queue::Queue;
pub(crate) use queue::receive::{Delivery, ReceiveRequest};
pub(crate) use queue::send::{SendFate, SendReceipt};
pub(crate) use settings::Settings;

#[cfg(test)]
mod tests;
