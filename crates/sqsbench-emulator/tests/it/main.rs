//! The emulator's integration tests, one binary (linking the AWS SDKs once): the real
//! aws-sdk-sqs and aws-sdk-sns against the emulator over loopback, both wire protocols checked
//! at the byte level (`wire`), and every fault counted as a client observes it. The SDK helpers
//! (`sdk`) are shared with the harness's test binary.

mod auth;
mod eventbridge;
mod faults;
mod fifo;
mod messages;
mod queues;
mod redrive;
mod sdk;
mod sns;
mod test_ca;
mod wire;
