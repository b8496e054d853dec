//! The hlog reader (`report`, `merge`): a histograms.hlog's bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sqsbench::report::load::read_hlog(data);
});
