//! EventBridge event-pattern parsing, and matching when it parses.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sqsbench_emulator::fuzzing::event_pattern(data));
