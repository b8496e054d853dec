//! The pure queue model: SQS semantics for standard and FIFO queues as synchronous data
//! structures with time passed in (`Micros`), so every rule is testable without sleeping.
//! Main type: `Queue`. Must not depend on tokio, HTTP, or anything outside `emulator`.

pub mod fifo;
pub mod md5_lanes;
pub mod message;
pub mod queue;
pub mod receipt;
pub mod settings;
pub mod standard;
pub mod store;

pub use message::{AttributeValue, Message, MessageAttribute, Micros, NewMessage};
pub use queue::{Delivery, Queue, ReceiveRequest, SendFate, SendReceipt};
pub use settings::Settings;

#[cfg(test)]
mod tests;
