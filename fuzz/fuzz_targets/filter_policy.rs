//! SNS filter-policy parsing, in both scopes, and matching when it parses.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sqsbench_emulator::fuzzing::filter_policy(data));
