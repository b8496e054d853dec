//! A shard's ledger on disk, written as the run goes: `ledger.bin` holds a header line, then
//! one frame per second with the events of that second (a ledger of its own: length, CRC-32,
//! `codec` bytes). Frames are appended whole with one write, so a shard killed mid-run leaves
//! every second before its last; a frame cut short at the end is that last second, ignored and
//! reported. Replaying adds the frames (`Ledger::absorb`) into the shard's whole ledger.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::book::Ledger;
use super::codec;

/// The file's first line: what it is, for a person who opens it.
pub const HEADER: &[u8] = b"sqsbench ledger journal v1\n";
const FRAME_HEAD: usize = 8;

pub struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    pub fn create(path: &Path) -> std::io::Result<Journal> {
        let mut file = File::create(path)?;
        file.write_all(HEADER)?;
        Ok(Journal {
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one frame: the events of `part`.
    pub fn append(&mut self, part: &Ledger) -> std::io::Result<()> {
        let payload = codec::encode(part);
        let len = u32::try_from(payload.len())
            .map_err(|_| std::io::Error::other("a second's ledger exceeds 4 GiB"))?;
        let mut frame = Vec::with_capacity(FRAME_HEAD + payload.len());
        frame.extend(len.to_le_bytes());
        frame.extend(crc32fast::hash(&payload).to_le_bytes());
        frame.extend(payload);
        self.file.write_all(&frame)
    }

    /// Makes the journal durable (the end of the run).
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_data()
    }
}

/// A journal read back.
pub struct Replayed {
    pub ledger: Ledger,
    pub frames: u64,
    /// Bytes of a last frame cut short (a shard killed while writing it), ignored.
    pub torn_bytes: u64,
}

/// Every whole frame added into one ledger (see `read_frames`).
pub fn replay(bytes: &[u8], fifo: bool) -> Result<Replayed, String> {
    let mut ledger = Ledger::new(fifo);
    let (frames, torn_bytes) =
        read_frames(bytes, bytes.len() as u64, fifo, |part| ledger.absorb(part))?;
    ledger.recount();
    Ok(Replayed {
        ledger,
        frames,
        torn_bytes,
    })
}

/// How many bytes of `tail` end on a frame's boundary: `tail` is a journal's bytes from a
/// boundary (the file's start, where the header comes first, when `from_start`). A frame still
/// being written is left for later, so what an uploader sends of a growing journal is always
/// whole frames.
pub fn whole_frames_len(tail: &[u8], from_start: bool) -> usize {
    let mut at = 0;
    if from_start {
        if tail.len() < HEADER.len() {
            return 0;
        }
        at = HEADER.len();
    }
    while let Some(head) = tail.get(at..at + FRAME_HEAD) {
        let size = u32::from_le_bytes(head[..4].try_into().expect("4 bytes")) as usize;
        match at.checked_add(FRAME_HEAD + size) {
            Some(end) if end <= tail.len() => at = end,
            _ => break,
        }
    }
    at
}

/// Hands each whole frame of a journal of `len` bytes, decoded, to `each`, reading one frame at
/// a time; returns the frames read and the bytes of a last frame cut short. A frame whose
/// checksum does not match is damage, not a cut, and is an error; no length read from the file
/// is trusted beyond the bytes it has left.
pub fn read_frames(
    mut input: impl Read,
    len: u64,
    fifo: bool,
    mut each: impl FnMut(Ledger),
) -> Result<(u64, u64), String> {
    let io = |e: std::io::Error| format!("it could not be read: {e}");
    let mut header = vec![0; HEADER.len()];
    if fill(&mut input, &mut header).map_err(io)? < HEADER.len() || header != HEADER {
        return Err("it does not start with the sqsbench ledger journal header".into());
    }
    let mut offset = HEADER.len() as u64;
    let mut frames = 0;
    let mut payload = Vec::new();
    loop {
        let mut head = [0u8; FRAME_HEAD];
        let got = fill(&mut input, &mut head).map_err(io)?;
        if got < FRAME_HEAD {
            return Ok((frames, got as u64));
        }
        let size = u32::from_le_bytes(head[..4].try_into().expect("4 bytes")) as u64;
        let crc = u32::from_le_bytes(head[4..].try_into().expect("4 bytes"));
        let left = len.saturating_sub(offset + FRAME_HEAD as u64);
        if size > left {
            return Ok((frames, FRAME_HEAD as u64 + left));
        }
        payload.resize(size as usize, 0);
        let got = fill(&mut input, &mut payload).map_err(io)?;
        if got < payload.len() {
            return Ok((frames, (FRAME_HEAD + got) as u64));
        }
        let at = |e: String| format!("frame {} (byte {offset}): {e}", frames + 1);
        if crc32fast::hash(&payload) != crc {
            return Err(at("it fails its checksum".into()));
        }
        let part = codec::decode(&payload).map_err(at)?;
        if part.is_fifo() != fifo {
            let kind = if part.is_fifo() { "FIFO" } else { "standard" };
            return Err(at(format!("it is of a {kind} queue's ledger")));
        }
        each(part);
        frames += 1;
        offset += FRAME_HEAD as u64 + size;
    }
}

/// Reads until `buf` is full or the input ends; how much was read.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
