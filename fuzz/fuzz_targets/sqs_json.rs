//! SQS's AWS JSON 1.0 decoder: the first byte picks the action, the rest is the body.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sqsbench_emulator::fuzzing::sqs_json(data));
