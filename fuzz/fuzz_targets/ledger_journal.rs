//! The ledger journal decoder (`merge`): a shard's journal, read frame by frame, as a standard
//! and as a FIFO queue's.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for fifo in [false, true] {
        let _ =
            sqsbench::measure::ledger::journal::read_frames(data, data.len() as u64, fifo, |_| {});
    }
});
