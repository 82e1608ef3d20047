//! Output stage, what was written: the size, stable hash and time of a file
//! motebok wrote, shared by the staging (which records it) and the manifest
//! (which keeps it).

use std::fs;
use std::hash::Hasher;
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use siphasher::sip128::{Hasher128, SipHasher13};

/// What motebok wrote to one file: its size, a hash of its bytes, and its
/// modification time once written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    /// Size in bytes.
    pub size: u64,
    /// SipHash-1-3 (128 bits, fixed keys, stable across versions) of the bytes, in hex.
    pub hash: String,
    /// Modification time as seconds and nanoseconds since 1970, when known.
    pub modified: Option<(u64, u32)>,
}

impl Written {
    /// What was written when `bytes` went to `file`.
    pub fn of(bytes: &[u8], file: &Path) -> Written {
        Written {
            size: bytes.len() as u64,
            hash: hash(bytes),
            modified: fs::metadata(file).ok().and_then(|m| modified(&m)),
        }
    }
}

/// The stable hash of `bytes`, in hex.
pub(super) fn hash(bytes: &[u8]) -> String {
    let mut hasher = SipHasher13::new();
    hasher.write(bytes);
    format!("{:032x}", hasher.finish128().as_u128())
}

/// A file's modification time as seconds and nanoseconds since 1970.
pub(super) fn modified(meta: &fs::Metadata) -> Option<(u64, u32)> {
    let time = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some((time.as_secs(), time.subsec_nanos()))
}
