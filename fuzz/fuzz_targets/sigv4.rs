//! serve --auth's SigV4 readers: an Authorization header, a newline, a presigned URL's query string.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sqsbench_emulator::fuzzing::sigv4(data));
