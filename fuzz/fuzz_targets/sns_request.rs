//! An SNS query-protocol request, decoded and answered by a fresh broker: the first byte picks the action; then a URL query string, a newline, a form body.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sqsbench_emulator::fuzzing::sns_request(data));
