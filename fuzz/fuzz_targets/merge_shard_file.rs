//! `merge`'s shard-file reader: a shard.json's text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = sqsbench::merge::shard_record(text, std::path::Path::new("shard.json"));
    }
});
