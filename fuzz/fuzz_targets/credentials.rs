//! serve --credentials: the AWS CLI credentials-file reader.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sqsbench_emulator::fuzzing::credentials(data));
