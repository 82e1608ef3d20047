//! Output stage: atomic writes, staging, the output lock and the build state.
//!
//! A reader never sees a half-written file, a failed build changes no output,
//! two builds on one output folder wait for each other, what a build wrote is
//! recorded (the manifest) so that the next one can remove what it no longer
//! makes, and no temporary file outlives a run. `staging` puts a build's files
//! in place as one transaction, `state` is the manifest and fingerprints,
//! `lock` the output lock, `temp` the names and cleaning of temporary files.

mod lock;
mod staging;
mod state;
mod temp;
mod written;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub use self::lock::{LOCK_TIMEOUT, LOCK_TIMEOUT_VAR, OutputLock, lock_timeout};
pub use self::staging::{Commit, CommitError, Staging};
pub use self::state::{Fingerprint, Fingerprints, LastBuild, Recorded, STATE_DIR};
pub use self::temp::{is_temporary, remove_stale_temporaries};
pub use self::written::Written;

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
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = temp::temp_path(path);
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
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

/// Raised by the first Ctrl-C or SIGTERM of a build.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether the run was asked to stop (Ctrl-C or SIGTERM): jobs not yet started
/// fail, and nothing is put in place.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Makes Ctrl-C and SIGTERM stop a build cleanly: the first raises
/// [`interrupted`], so the build stops after the documents being compiled and
/// removes its temporary files; a second ends the process at once (the next
/// run removes what it left, see [`remove_stale_temporaries`]).
pub fn stop_on_signals() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("stopping: the documents being compiled finish, nothing is put in place");
    })
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
