//! Watch stage, batches: the file events of one save gathered into one set of
//! changed paths, held back while a saved file is still empty, still open
//! after a write, or not yet made again; the files an editor made and
//! removed within it are left out.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::EventKind;
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};

/// How long to wait for more events after one arrives. Editors save in bursts
/// (write a temp file, rename it over the original, touch metadata); a short
/// quiet period catches the burst without adding noticeable latency.
pub const BATCH_QUIET: Duration = Duration::from_millis(10);

/// The longest a batch may gather events before the rebuild starts anyway.
pub const BATCH_MAX: Duration = Duration::from_millis(150);

/// How long, in all, a batch waits for its files to be written (empty, open
/// after a write, or gone) before it is built as it is. A save that
/// truncates a file and writes it afterwards (150 ms later, say) leaves it
/// empty in between; one that writes
/// part of it, waits and writes the rest leaves it open in between; one that
/// renames it to a backup and then writes it (vim's) leaves it gone in
/// between. The next event (the write, the file closed or made) ends the wait
/// at once, so only a file that was really emptied or removed, or that a
/// writer holds open, waits this long.
pub const UNWRITTEN_GRACE: Duration = Duration::from_millis(1000);

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
    /// Whether the system dropped events (its queue overflowed): what
    /// changed is not known, so everything is rebuilt.
    pub(super) rescan: bool,
    /// The watcher's errors: a folder made that it could not watch (the
    /// system's limit of watches reached).
    pub(super) errors: Vec<notify::Error>,
    /// The paths whose first event in the batch made them (created, or
    /// renamed to): one that is gone again when the batch is taken was an
    /// editor's passing file (vim's `4913`, a temp file renamed over the
    /// real one), no change of the content.
    born: BTreeSet<PathBuf>,
}

impl Batch {
    /// Adds an event; false when it is not a change (a file or folder opened
    /// or read, by anyone: an editor, a search, motebok itself), which
    /// neither starts a batch nor keeps one open. The watcher's errors are
    /// kept, and end the wait as changes do.
    fn add(&mut self, event: notify::Result<notify::Event>) -> bool {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                self.errors.push(error);
                return true;
            }
        };
        if event.need_rescan() {
            self.rescan = true;
            return true;
        }
        match event.kind {
            // Closed after writing: the file is saved.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for path in &event.paths {
                    self.open.remove(path);
                }
            }
            EventKind::Access(_) => return false,
            // A file made and written is modified too; a link or a file
            // made and closed unwritten is never "closed after writing".
            EventKind::Modify(ModifyKind::Data(_)) if cfg!(target_os = "linux") => {
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
        let made = |i: usize| match event.kind {
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To)) => true,
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => i == 1,
            _ => false,
        };
        for (i, path) in event.paths.into_iter().enumerate() {
            if !self.paths.contains(&path) && made(i) {
                self.born.insert(path.clone());
            }
            self.paths.insert(path);
        }
        true
    }

    /// Drops the paths made and gone again within the batch (see
    /// [`Batch::born`]).
    fn drop_passing(&mut self) {
        for path in std::mem::take(&mut self.born) {
            if std::fs::symlink_metadata(&path).is_err() {
                self.paths.remove(&path);
            }
        }
    }

    /// Whether a file the build reads (`reads`) is not written yet: empty (a
    /// save that truncates it and writes it later), still open after a write
    /// (a save that writes part, waits, and writes the rest), or gone (a save
    /// that renames the file to a backup, then writes the new one).
    fn unsettled(&self, reads: impl Fn(&Path) -> bool) -> bool {
        self.paths
            .iter()
            .any(|p| (self.open.contains(p) || is_gone_file(p) || is_empty_file(p)) && reads(p))
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

/// Waits for the next change and adds it to `batch`: without `limit`, until
/// one arrives or the watcher is stopped; with it, at most that long. The
/// changes that follow within [`BATCH_QUIET`] of each other (up to
/// [`BATCH_MAX`]) are added too. Events that are not changes (files opened
/// or read) are dropped and wait on.
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
        let poll = match limit.map(|limit| limit.saturating_sub(waited.elapsed())) {
            Some(left) if left.is_zero() => return Next::Quiet,
            Some(left) => STOP_POLL.min(left),
            None => STOP_POLL,
        };
        match rx.recv_timeout(poll) {
            Ok(event) => {
                if batch.add(event) {
                    break;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Next::Stop,
        }
    }
    let started = Instant::now();
    let mut last = started;
    loop {
        let quiet = BATCH_QUIET.saturating_sub(last.elapsed());
        if quiet.is_zero() || started.elapsed() >= BATCH_MAX {
            break;
        }
        match rx.recv_timeout(quiet) {
            Ok(event) => {
                if batch.add(event) {
                    last = Instant::now();
                }
            }
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return Next::Stop,
        }
    }
    Next::Events
}

/// Waits for a batch whose files are written: while a file it names that the
/// build reads (`reads`) is empty, still open after a write or gone, more
/// changes are awaited and joined to it, for [`UNWRITTEN_GRACE`] at most in all.
/// `None` when asked to stop.
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
    let until = Instant::now() + UNWRITTEN_GRACE;
    while batch.unsettled(&reads) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match next_events(rx, stop, Some(left), &mut batch) {
            Next::Events => {}
            Next::Quiet => break,
            Next::Stop => return None,
        }
    }
    batch.drop_passing();
    Some(batch)
}

/// Whether `path`, a file of the kinds the build reads (Markdown, YAML, a
/// template, a figure or an attachment), is not there while its folder is. A
/// folder removed or moved with its files is taken at once, and so is an
/// editor's temp file renamed over the real one (`x.md___jb_tmp___`,
/// `x.md.a1b2c3`).
fn is_gone_file(path: &Path) -> bool {
    let saved = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|e| {
            matches!(
                e.as_str(),
                "md" | "yaml" | "yml" | "j2" | "svg" | "png" | "jpg" | "jpeg" | "pdf"
            )
        });
    saved && std::fs::symlink_metadata(path).is_err() && path.parent().is_some_and(Path::is_dir)
}

fn is_empty_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0)
}

#[cfg(test)]
mod tests {
    use notify::event::{CreateKind, RemoveKind};

    use super::*;

    fn event(kind: EventKind, paths: &[&Path]) -> notify::Result<notify::Event> {
        let mut event = notify::Event::new(kind);
        for path in paths {
            event = event.add_path(path.to_path_buf());
        }
        Ok(event)
    }

    /// A path made and gone within the batch is dropped; one whose first
    /// event removed it was there before, and its removal is a change.
    #[test]
    fn a_file_made_and_gone_in_one_batch_is_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let (probe, paper, temp, removed) = (
            dir.path().join("4913"),
            dir.path().join("03-24.md"),
            dir.path().join("03-24.md.a1b2c3"),
            dir.path().join("04-24.md"),
        );
        std::fs::write(&paper, "tekst").unwrap();
        let create = EventKind::Create(CreateKind::File);
        let remove = EventKind::Remove(RemoveKind::File);
        let rename = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        let mut batch = Batch::default();
        for (kind, paths) in [
            (create, vec![probe.as_path()]),
            (remove, vec![probe.as_path()]),
            (create, vec![temp.as_path()]),
            (rename, vec![temp.as_path(), paper.as_path()]),
            (remove, vec![removed.as_path()]),
            (create, vec![removed.as_path()]),
            (remove, vec![removed.as_path()]),
        ] {
            assert!(batch.add(event(kind, &paths)));
        }
        batch.drop_passing();
        let left: Vec<&Path> = batch.paths.iter().map(PathBuf::as_path).collect();
        assert_eq!(left, [paper.as_path(), removed.as_path()]);
    }
}
