//! Watch stage, the system's watches: the folders watched, and what watch
//! says when the system cannot watch one (its limit of watches reached, a
//! folder it may not read): changes there would go unseen, and their PDFs
//! stale, so the failure is a warning in every rebuild until watch is started
//! again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use notify::{ErrorKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::absolute;
use crate::diagnostic::Diagnostic;
use crate::pipeline::BuildConfig;

/// Where Linux keeps its limits of watches per user: the system's, and the
/// user namespace's (a container's), which may be lower.
const WATCH_LIMIT_FILES: [&str; 2] = [
    "/proc/sys/fs/inotify/max_user_watches",
    "/proc/sys/user/max_inotify_watches",
];

/// The folders watched, and the watcher.
pub(super) struct Watching {
    watcher: RecommendedWatcher,
    /// The content folder and the templates folder, watched with what they
    /// hold: absolute, and as the user named them.
    roots: Vec<(PathBuf, PathBuf)>,
    /// The warnings of the watches that failed, kept for every rebuild:
    /// what is not watched stays so until watch is started again.
    failures: Vec<Diagnostic>,
}

impl Watching {
    /// Watches the content and templates folders, and the folders holding
    /// them (alone), so that either is seen when it is created again. An
    /// error when a watch cannot be set at all; a folder inside that cannot
    /// be watched is a warning (see [`Watching::failures`]).
    pub(super) fn start(
        watcher: RecommendedWatcher,
        config: &BuildConfig,
    ) -> Result<Watching, Diagnostic> {
        let roots = [&config.content, &config.templates]
            .into_iter()
            .map(|r| (absolute(r), r.clone()))
            .collect();
        let mut watching = Watching {
            watcher,
            roots,
            failures: Vec::new(),
        };
        let parents: BTreeSet<PathBuf> = watching
            .roots
            .iter()
            .filter_map(|(r, _)| r.parent().map(Path::to_path_buf))
            .collect();
        for parent in parents.iter().filter(|p| p.is_dir()) {
            watching
                .watcher
                .watch(parent, RecursiveMode::NonRecursive)
                .map_err(|e| unwatchable(&e, &watching.shown(parent)))?;
        }
        // Without a templates folder the built-in templates are used, and
        // there is nothing more to watch until one is made.
        for (root, _) in watching.roots.clone().iter().filter(|(r, _)| r.is_dir()) {
            if let Err(e) = watching.watcher.watch(root, RecursiveMode::Recursive) {
                // A folder inside that cannot be watched (the system's limit
                // reached part way) still leaves the rest watched.
                if e.paths.iter().all(|p| p == root) {
                    return Err(unwatchable(&e, &watching.shown(root)));
                }
                watching.failed(&e);
            }
        }
        Ok(watching)
    }

    /// Whether `path` is the content or the templates folder itself.
    pub(super) fn is_root(&self, path: &Path) -> bool {
        self.roots.iter().any(|(r, _)| r == path)
    }

    /// Watches the content or templates folder again after it was created,
    /// moved or removed: a folder made again is a new folder to the system's
    /// watches. Folders created, moved or removed inside them need nothing:
    /// the recursive watch follows them (notify adds and drops their
    /// watches), and watching everything again after each would cost a
    /// walk of the whole tree (with 25 000 folders moved, a minute in which
    /// Ctrl-C waited).
    pub(super) fn renew(&mut self) {
        for (root, given) in self.roots.clone() {
            // What failed under it before is tried again.
            self.failures
                .retain(|f| !f.file.as_deref().is_some_and(|f| f.starts_with(&given)));
            let _ = self.watcher.unwatch(&root);
            if root.is_dir()
                && let Err(e) = self.watcher.watch(&root, RecursiveMode::Recursive)
            {
                self.failed(&e);
            }
        }
    }

    /// Keeps the warning of a watch that failed after watch started (notify
    /// reports a folder made inside that it could not watch as an error
    /// event).
    pub(super) fn failed(&mut self, error: &notify::Error) {
        let failure = unwatched(
            error,
            error.paths.first().map(|p| self.shown(p)),
            watch_limit(),
        );
        if !self.failures.contains(&failure) {
            self.failures.push(failure);
        }
    }

    /// The warnings of every watch that failed so far.
    pub(super) fn failures(&self) -> &[Diagnostic] {
        &self.failures
    }

    /// `path` as the user named it: under the content or templates folder
    /// as given (`content/rad/2024-05`), else absolute.
    fn shown(&self, path: &Path) -> PathBuf {
        self.roots
            .iter()
            .find_map(|(root, given)| path.strip_prefix(root).ok().map(|rest| given.join(rest)))
            .unwrap_or_else(|| path.to_path_buf())
    }
}

/// The limit of watches that holds for this process: the lower of
/// [`WATCH_LIMIT_FILES`].
fn watch_limit() -> Option<u64> {
    WATCH_LIMIT_FILES
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok()?.trim().parse().ok())
        .min()
}

/// The warning for a folder that cannot be watched: changes in it are not
/// seen, and what it says of the cause and the cure. `limit` is the limit of
/// watches (see [`watch_limit`]).
fn unwatched(error: &notify::Error, folder: Option<PathBuf>, limit: Option<u64>) -> Diagnostic {
    let (cause, hint) = cause(error, limit);
    let mut warning = Diagnostic::warning(format!(
        "cannot watch {cause}; changes there are not seen, and the PDFs made from them will \
         not follow, until watch is started again"
    ));
    warning.file = folder;
    warning.hint = hint;
    warning
}

/// The error for a folder that cannot be watched when watch starts.
fn unwatchable(error: &notify::Error, folder: &Path) -> Diagnostic {
    let (cause, hint) = cause(error, watch_limit());
    let mut error = Diagnostic::error(format!("cannot watch {cause}")).in_file(folder);
    error.hint = hint;
    error
}

/// What cannot be watched and why, and the cure where there is one.
fn cause(error: &notify::Error, limit: Option<u64>) -> (String, Option<String>) {
    match error.kind {
        ErrorKind::MaxFilesWatch => {
            let now = limit.map_or(String::new(), |l| format!(", now {l}"));
            let raise = limit.map_or(1 << 19, |l| (l * 2).max(1 << 19));
            (
                "this folder, nor any folder found or made after it: the system's limit of \
                 folders watched is reached"
                    .to_owned(),
                Some(format!(
                    "raise the limit (fs.inotify.max_user_watches{now}): \
                     `sudo sysctl fs.inotify.max_user_watches={raise}`; then start watch again"
                )),
            )
        }
        _ => (format!("this folder ({error})"), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_past_the_watch_limit_is_named_with_the_limit_and_the_cure() {
        let error = notify::Error::new(ErrorKind::MaxFilesWatch);
        let folder = PathBuf::from("content/rad/2024-05");
        let warning = unwatched(&error, Some(folder.clone()), Some(8192));
        assert!(!warning.is_error());
        assert_eq!(warning.file, Some(folder));
        assert_eq!(
            warning.message,
            "cannot watch this folder, nor any folder found or made after it: the system's \
             limit of folders watched is reached; changes there are not seen, and the PDFs \
             made from them will not follow, until watch is started again"
        );
        assert_eq!(
            warning.hint.as_deref(),
            Some(
                "raise the limit (fs.inotify.max_user_watches, now 8192): \
                 `sudo sysctl fs.inotify.max_user_watches=524288`; then start watch again"
            )
        );
        let unknown = unwatched(&error, None, None);
        assert_eq!(
            unknown.hint.as_deref(),
            Some(
                "raise the limit (fs.inotify.max_user_watches): \
                 `sudo sysctl fs.inotify.max_user_watches=524288`; then start watch again"
            )
        );
        let large = unwatched(&error, None, Some(1_000_000));
        assert!(large.hint.unwrap().contains("max_user_watches=2000000`"));
    }

    #[test]
    fn another_watch_failure_gives_its_cause() {
        let error = notify::Error::generic("permission denied");
        let warning = unwatched(&error, Some("content/rad".into()), None);
        assert_eq!(
            warning.message,
            "cannot watch this folder (permission denied); changes there are not seen, and the \
             PDFs made from them will not follow, until watch is started again"
        );
        assert_eq!(warning.hint, None);
    }
}
