//! A shard's ledger on disk, written as the run goes: `ledger.bin` holds a header line, then
//! one frame per second with the events of that second (a ledger of its own: length, CRC-32,
//! `codec` bytes). Frames are appended whole with one write, so a shard killed mid-run leaves
//! every second before its last; a frame cut short at the end is that last second, ignored and
//! reported. Replaying adds the frames (`Ledger::absorb`) into the shard's whole ledger.

use std::fs::File;
use std::io::Write;
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

/// Every whole frame added into one ledger. A frame whose checksum does not match is damage,
/// not a cut, and is an error.
pub fn replay(bytes: &[u8], fifo: bool) -> Result<Replayed, String> {
    let Some(mut rest) = bytes.strip_prefix(HEADER) else {
        return Err("it does not start with the sqsbench ledger journal header".into());
    };
    let mut ledger = Ledger::new(fifo);
    let mut frames = 0;
    while !rest.is_empty() {
        let offset = bytes.len() - rest.len();
        let whole = rest.len() >= FRAME_HEAD && {
            let len = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
            rest.len() - FRAME_HEAD >= len
        };
        if !whole {
            return Ok(Replayed {
                ledger,
                frames,
                torn_bytes: rest.len() as u64,
            });
        }
        let len = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes"));
        let payload = &rest[FRAME_HEAD..FRAME_HEAD + len];
        if crc32fast::hash(payload) != crc {
            return Err(format!(
                "frame {} (byte {offset}) fails its checksum",
                frames + 1
            ));
        }
        let part = codec::decode(payload)
            .map_err(|e| format!("frame {} (byte {offset}): {e}", frames + 1))?;
        if part.is_fifo() != fifo {
            return Err(format!(
                "frame {} is of a {} queue's ledger",
                frames + 1,
                if part.is_fifo() { "FIFO" } else { "standard" }
            ));
        }
        ledger.absorb(part);
        frames += 1;
        rest = &rest[FRAME_HEAD + len..];
    }
    Ok(Replayed {
        ledger,
        frames,
        torn_bytes: 0,
    })
}
