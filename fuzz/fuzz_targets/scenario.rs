//! The scenario reader with `--set`: the TOML text, then each NUL-separated part is one `--set`
//! override.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let toml = parts.next().unwrap_or("");
    let sets: Vec<String> = parts.map(str::to_string).collect();
    let _ = sqsbench::scenario::validate::scenario_from_text(toml, &sets);
});
