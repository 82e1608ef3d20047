//! Output stage: atomic writes, staging, the output lock and the build state.
//!
//! A reader never sees a half-written file, a failed build changes no output,
//! two builds on one output folder wait for each other, and what a build
//! produced is recorded for the next one.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `bytes` to `path` through a temporary file in the same folder and a
/// rename, so the previous file stays intact until the new one is complete.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = write_temp(path, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Writes `bytes` to a new temporary file beside `path` (same folder, so the
/// rename into place is atomic) and returns its path.
fn write_temp(path: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(err) => {
            let _ = fs::remove_file(&tmp);
            Err(err)
        }
    }
}

/// The files of one build, written beside their targets but put in place only
/// when the whole build succeeded: a failed build changes no output at all.
#[derive(Debug, Default)]
pub struct Staging {
    pending: Mutex<Vec<(PathBuf, PathBuf)>>,
}

impl Staging {
    /// Writes `bytes` for `path`, to be put in place by [`Staging::commit`].
    pub fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let tmp = write_temp(path, bytes)?;
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((tmp, path.to_path_buf()));
        Ok(())
    }

    /// Puts every staged file in place (each by an atomic rename). Stops at the
    /// first failure and removes what was not put in place.
    pub fn commit(self) -> io::Result<()> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        let mut result = Ok(());
        for (tmp, path) in pending {
            if result.is_ok() {
                result = fs::rename(&tmp, &path).map_err(|err| {
                    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
                });
            }
            if result.is_err() {
                let _ = fs::remove_file(&tmp);
            }
        }
        result
    }

    /// Removes every staged file; the outputs stay as they were.
    pub fn discard(self) {
        drop(self);
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for (tmp, _) in self
            .pending
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Where a build keeps its state in the output folder.
pub const STATE_DIR: &str = ".motebok";

/// The file in [`STATE_DIR`] that records what earlier builds produced.
const FINGERPRINTS_FILE: &str = "fingerprints.json";

/// What earlier builds produced: per output path, a hash of the generated Typst
/// source and the page count. A document whose source hashes the same, and whose
/// PDF is still in place, is not compiled again.
#[derive(Debug, Default)]
pub struct Fingerprints(Mutex<HashMap<PathBuf, (u64, usize)>>);

#[derive(serde::Serialize, serde::Deserialize)]
struct StateFile {
    version: String,
    documents: BTreeMap<String, (u64, usize)>,
}

impl Fingerprints {
    /// Reads the fingerprints a build left in `output`; empty when there are none
    /// or they came from another version of motebok.
    pub fn load(output: &Path) -> Fingerprints {
        let path = output.join(STATE_DIR).join(FINGERPRINTS_FILE);
        let map = fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<StateFile>(&bytes).ok())
            .filter(|state| state.version == env!("CARGO_PKG_VERSION"))
            .map(|state| {
                state
                    .documents
                    .into_iter()
                    .map(|(p, v)| (PathBuf::from(p), v))
                    .collect()
            })
            .unwrap_or_default();
        Fingerprints(Mutex::new(map))
    }

    /// Writes the fingerprints into `output`, for the next build.
    pub fn save(&self, output: &Path) -> io::Result<()> {
        let documents = match self.0.lock() {
            Ok(map) => map
                .iter()
                .map(|(p, v)| (p.to_string_lossy().replace('\\', "/"), *v))
                .collect(),
            Err(_) => return Ok(()),
        };
        let state = StateFile {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            documents,
        };
        let bytes = serde_json::to_vec_pretty(&state).map_err(io::Error::other)?;
        write_atomic(&output.join(STATE_DIR).join(FINGERPRINTS_FILE), &bytes)
    }

    /// The hash and page count recorded for `path`.
    pub fn get(&self, path: &Path) -> Option<(u64, usize)> {
        self.0.lock().ok()?.get(path).copied()
    }

    /// Records the hash and page count of `path`.
    pub fn set(&self, path: &Path, hash: u64, pages: usize) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(path.to_path_buf(), (hash, pages));
        }
    }

    /// Forgets `path`, so that it is compiled next time whatever this build does.
    pub fn forget(&self, path: &Path) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(path);
        }
    }
}

/// Holds the output folder for one build at a time, so that two builds on the
/// same output never interleave their writes.
pub struct OutputLock {
    _file: fs::File,
}

impl OutputLock {
    /// Takes the lock of `output`, waiting for another build to finish first.
    pub fn acquire(output: &Path, waiting: impl FnOnce()) -> io::Result<OutputLock> {
        let dir = output.join(STATE_DIR);
        fs::create_dir_all(&dir)?;
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                waiting();
                file.lock()?;
            }
            Err(fs::TryLockError::Error(err)) => return Err(err),
        }
        Ok(OutputLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/innkalling.pdf");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("innkalling.pdf")]);
    }

    #[test]
    fn staged_files_appear_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("m/innkalling.pdf");
        let b = dir.path().join("m/sak-01-24.pdf");
        write_atomic(&a, b"old").unwrap();

        let staging = Staging::default();
        staging.write(&a, b"new a").unwrap();
        staging.write(&b, b"new b").unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"old");
        assert!(!b.exists());
        staging.discard();
        assert_eq!(fs::read(&a).unwrap(), b"old");
        assert!(!b.exists());
        assert_eq!(
            fs::read_dir(a.parent().unwrap()).unwrap().count(),
            1,
            "temp files removed"
        );

        let staging = Staging::default();
        staging.write(&a, b"new a").unwrap();
        staging.write(&b, b"new b").unwrap();
        staging.commit().unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"new a");
        assert_eq!(fs::read(&b).unwrap(), b"new b");
        assert_eq!(fs::read_dir(a.parent().unwrap()).unwrap().count(), 2);
    }

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.pdf");
        write_atomic(&path, b"good").unwrap();
        // A directory where the temp file's rename target is cannot be replaced by a file.
        let blocked = dir.path().join("blocked");
        fs::create_dir_all(blocked.join("inner")).unwrap();
        assert!(write_atomic(&blocked, b"bad").is_err());
        assert_eq!(fs::read(&path).unwrap(), b"good");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
