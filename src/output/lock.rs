//! Output stage: the output lock, held by one build or watch at a time, naming its holder.

use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::state::STATE_DIR;
use super::temp::remove_stale_temporaries;

/// How long a run waits for another to release the output folder before it
/// gives up: long enough for a large build to finish, short enough that a
/// forgotten `motebok watch` in another terminal is an error and not a hang.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// The environment variable that overrides [`LOCK_TIMEOUT`], in seconds (for
/// CI that must fail fast, and for tests).
pub const LOCK_TIMEOUT_VAR: &str = "MOTEBOK_LOCK_TIMEOUT";

/// How often a waiting run tries the lock again.
const LOCK_POLL: Duration = Duration::from_millis(100);

/// The lock file in [`STATE_DIR`].
const LOCK_FILE: &str = "lock";

/// Holds the output folder for one build at a time, so that two builds on the
/// same output never interleave their writes.
#[derive(Debug)]
pub struct OutputLock {
    _file: fs::File,
    cleaned: usize,
}

impl OutputLock {
    /// Takes the lock of `output` for `command` (`build`, `watch`, `archive`).
    ///
    /// When another run holds it, calls `waiting` with who that is (`motebok
    /// watch, pid 4242`) and waits up to [`LOCK_TIMEOUT`] (or
    /// [`LOCK_TIMEOUT_VAR`]) before giving up with an error naming the holder.
    /// Once held, removes the temporary files interrupted runs left.
    pub fn acquire(
        output: &Path,
        command: &str,
        waiting: impl FnOnce(&str),
    ) -> io::Result<OutputLock> {
        let dir = output.join(STATE_DIR);
        fs::create_dir_all(&dir)?;
        let path = dir.join(LOCK_FILE);
        // The lock file is written: never through a link, never into something else.
        if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
            return Err(io::Error::other(format!(
                "{} is not a regular file; remove it",
                path.display()
            )));
        }
        let mut file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let holder = holder(&mut file);
                waiting(&holder);
                wait_for(&file, &holder)?;
            }
            Err(fs::TryLockError::Error(err)) => return Err(err),
        }
        file.set_len(0)?;
        file.rewind()?;
        write!(file, "motebok {command}, pid {}", std::process::id())?;
        file.flush()?;
        let cleaned = remove_stale_temporaries(output)?;
        Ok(OutputLock {
            _file: file,
            cleaned,
        })
    }

    /// How many temporary files of interrupted runs were removed on taking the lock.
    pub fn cleaned(&self) -> usize {
        self.cleaned
    }
}

/// Who holds the lock, as its holder wrote it.
fn holder(file: &mut fs::File) -> String {
    let mut text = String::new();
    let read = file
        .rewind()
        .and_then(|()| file.take(200).read_to_string(&mut text));
    match read {
        Ok(_) if !text.trim().is_empty() => text.trim().to_owned(),
        _ => "another motebok run".to_owned(),
    }
}

/// How long a run waits for the output lock: [`LOCK_TIMEOUT`], or the
/// seconds in [`LOCK_TIMEOUT_VAR`] when set.
pub fn lock_timeout() -> Duration {
    std::env::var(LOCK_TIMEOUT_VAR)
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map_or(LOCK_TIMEOUT, Duration::from_secs)
}

/// Waits until the lock is free, or gives up after the timeout or on Ctrl-C.
fn wait_for(file: &fs::File, holder: &str) -> io::Result<()> {
    let timeout = lock_timeout();
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(fs::TryLockError::WouldBlock) if super::interrupted() => {
                return Err(io::Error::new(
                    io::ErrorKind::Interrupted,
                    format!("interrupted while waiting for {holder}"),
                ));
            }
            Err(fs::TryLockError::WouldBlock) if started.elapsed() < timeout => {
                std::thread::sleep(LOCK_POLL);
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "still in use by {holder} after {} s; stop it, or wait and try again",
                        timeout.as_secs()
                    ),
                ));
            }
            Err(fs::TryLockError::Error(err)) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_lock_file_that_is_a_link_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious.txt");
        fs::write(&target, "keep me").unwrap();
        fs::create_dir_all(dir.path().join("out/.motebok")).unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join("out/.motebok/lock")).unwrap();
        let err = OutputLock::acquire(&dir.path().join("out"), "build", |_| {}).unwrap_err();
        assert!(err.to_string().contains("is not a regular file"), "{err}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
    }

    #[test]
    fn a_second_lock_names_the_holder_and_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let _held = OutputLock::acquire(dir.path(), "watch", |_| panic!("free")).unwrap();
        // SAFETY: no other test of this binary reads this variable.
        unsafe { std::env::set_var(LOCK_TIMEOUT_VAR, "0") };
        let mut told = String::new();
        let err =
            OutputLock::acquire(dir.path(), "build", |who| told = who.to_owned()).unwrap_err();
        let pid = format!("motebok watch, pid {}", std::process::id());
        assert_eq!(told, pid);
        assert!(err.to_string().contains(&pid), "{err}");
    }
}
