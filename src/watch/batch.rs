//! Watch stage, batches: the file events of one save gathered into one set of
//! changed paths, held back while a saved file is still empty, still open
//! after a write, or not yet made again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::EventKind;
use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};

/// How long to wait for more events after one arrives. Editors save in bursts
/// (write a temp file, rename it over the original, touch metadata); a short
/// quiet period catches the burst without adding noticeable latency.
pub const BATCH_QUIET: Duration = Duration::from_millis(10);

/// The longest a batch may gather events before the rebuild starts anyway.
pub const BATCH_MAX: Duration = Duration::from_millis(150);

/// How long a changed file may stay empty, open after a write, or gone,
/// before it is built as it is. A save that truncates a file and writes it
/// afterwards (150 ms later, say) leaves it empty in between; one that writes
/// part of it, waits and writes the rest leaves it open in between; one that
/// renames it to a backup and then writes it (vim's) leaves it gone in
/// between. The next event (the write, the file closed or made) ends the wait
/// at once, so only a file that was really emptied or removed, or that a
/// writer holds open, waits this long.
pub const EMPTY_GRACE: Duration = Duration::from_millis(1000);

/// How often an idle watcher checks whether it was asked to stop.
const STOP_POLL: Duration = Duration::from_millis(100);

/// The events of one batch.
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// Every path an event named.
    pub(super) paths: BTreeSet<PathBuf>,
    /// The files written and not yet closed (Linux, where the system tells
    /// when a file written is closed): a writer is still at them.
    open: BTreeSet<PathBuf>,
}

impl Batch {
    fn add(&mut self, event: notify::Result<notify::Event>) {
        let Ok(event) = event else { return };
        match event.kind {
            // Closed after writing: the file is saved.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for path in &event.paths {
                    self.open.remove(path);
                }
            }
            EventKind::Access(_) => return,
            EventKind::Modify(ModifyKind::Data(_)) | EventKind::Create(CreateKind::File)
                if cfg!(target_os = "linux") =>
            {
                self.open.extend(event.paths.iter().cloned());
            }
            // A path removed or renamed away no longer names what was written.
            EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
                for path in &event.paths {
                    self.open.remove(path);
                }
            }
            _ => {}
        }
        self.paths.extend(event.paths);
    }

    /// Whether a file the build reads (`reads`) is not written yet: empty (a
    /// save that truncates it and writes it later), still open after a write
    /// (a save that writes part, waits, and writes the rest), or gone (a save
    /// that renames the file to a backup, then writes the new one).
    fn unsettled(&self, reads: impl Fn(&Path) -> bool) -> bool {
        self.paths
            .iter()
            .any(|p| reads(p) && (self.open.contains(p) || is_empty_file(p) || is_gone_file(p)))
    }
}

/// What waiting for events came to.
pub(super) enum Next {
    /// Events, added to the batch.
    Events,
    /// No event within the time given.
    Quiet,
    /// Asked to stop, or the watcher is gone.
    Stop,
}

/// Waits for the next events and adds them to `batch`: without `limit`,
/// until one arrives or the watcher is stopped; with it, at most that long.
/// The events that follow within [`BATCH_QUIET`] of each other (up to
/// [`BATCH_MAX`]) are added too.
pub(super) fn next_events(
    rx: &Receiver<notify::Result<notify::Event>>,
    stop: &AtomicBool,
    limit: Option<Duration>,
    batch: &mut Batch,
) -> Next {
    let waited = Instant::now();
    loop {
        if stop.load(Ordering::SeqCst) {
            return Next::Stop;
        }
        if limit.is_some_and(|l| waited.elapsed() >= l) {
            return Next::Quiet;
        }
        match rx.recv_timeout(STOP_POLL) {
            Ok(event) => {
                batch.add(event);
                break;
            }
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return Next::Stop,
        }
    }
    let started = Instant::now();
    loop {
        match rx.recv_timeout(BATCH_QUIET) {
            Ok(event) => batch.add(event),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return Next::Stop,
        }
        if started.elapsed() >= BATCH_MAX {
            break;
        }
    }
    Next::Events
}

/// Waits for a batch whose files are written: while a file it names that the
/// build reads (`reads`) is empty, still open after a write or gone, more
/// events are awaited for up to [`EMPTY_GRACE`] and joined to it. `None` when asked
/// to stop.
pub(super) fn settled_batch(
    rx: &Receiver<notify::Result<notify::Event>>,
    stop: &AtomicBool,
    reads: impl Fn(&Path) -> bool,
) -> Option<Batch> {
    let mut batch = Batch::default();
    match next_events(rx, stop, None, &mut batch) {
        Next::Events => {}
        Next::Quiet | Next::Stop => return None,
    }
    while batch.unsettled(&reads) {
        match next_events(rx, stop, Some(EMPTY_GRACE), &mut batch) {
            Next::Events => {}
            Next::Quiet => break,
            Next::Stop => return None,
        }
    }
    Some(batch)
}

/// Whether `path`, named like a file (with an extension), is not there
/// while its folder is: a folder removed or moved with its files is taken
/// at once.
fn is_gone_file(path: &Path) -> bool {
    path.extension().is_some()
        && std::fs::symlink_metadata(path).is_err()
        && path.parent().is_some_and(Path::is_dir)
}

fn is_empty_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0)
}
