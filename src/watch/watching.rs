//! Watch stage, the system's watches: the folders watched, and what watch
//! says when the system cannot watch one (its limit of watches reached, a
//! folder it may not read): changes there would go unseen, and their PDFs
//! stale, so the failure is a warning in every rebuild while it lasts.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use notify::{ErrorKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::absolute;
use crate::diagnostic::Diagnostic;
use crate::pipeline::BuildConfig;

/// Linux's limits of watches per user: the system's, and the user
/// namespace's (a container's), which may be lower.
const SYSTEM_LIMIT: (&str, &str) = (
    "fs.inotify.max_user_watches",
    "/proc/sys/fs/inotify/max_user_watches",
);
const NAMESPACE_LIMIT: (&str, &str) = (
    "user.max_inotify_watches",
    "/proc/sys/user/max_inotify_watches",
);

/// How often a walk that met a folder removed under it is tried again.
const WALK_TRIES: usize = 3;

/// The folders watched, and the watcher.
pub(super) struct Watching {
    watcher: RecommendedWatcher,
    /// The content folder and the templates folder, watched with what they
    /// hold: absolute, and as the user named them.
    roots: Vec<(PathBuf, PathBuf)>,
    /// The watches that failed, while they matter.
    failures: Vec<Failure>,
}

/// A folder the system did not watch.
#[derive(Debug, Clone, PartialEq)]
struct Failure {
    /// The folder, absolute (none when the system did not say).
    folder: Option<PathBuf>,
    /// Whether the system's limit of watches was reached; else the cause.
    cause: Option<String>,
    /// Whether it ended a walk of a whole folder (when watch started, or
    /// watched the content or templates folder again), which leaves the
    /// folders after it unwatched too: it lasts until that folder is
    /// watched again. Else it is a folder made while watching, and it lasts
    /// while the folder is there.
    walk: bool,
}

impl Watching {
    /// Watches the content and templates folders, and the folders holding
    /// them (alone), so that either is seen when it is created again. An
    /// error only when the content folder itself cannot be watched (nothing
    /// would be seen); any other folder that cannot be watched is a warning
    /// (see [`Watching::failures`]).
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
        // The folders holding the roots first: one watch each, which a walk
        // of the content past the limit would otherwise take, and without
        // which a content folder made again is never seen.
        let parents: BTreeSet<PathBuf> = watching
            .roots
            .iter()
            .filter_map(|(r, _)| r.parent().map(Path::to_path_buf))
            .collect();
        for parent in parents.iter().filter(|p| p.is_dir()) {
            if let Err(e) = watching.watcher.watch(parent, RecursiveMode::NonRecursive) {
                watching.failed(&e, None);
            }
        }
        // Without a templates folder the built-in templates are used, and
        // there is nothing more to watch until one is made.
        for (root, _) in watching.roots.clone().iter().filter(|(r, _)| r.is_dir()) {
            if let Err(e) = watching.watch_root(root) {
                let content = root == &watching.roots[0].0;
                if content && e.paths.iter().all(|p| p == root) {
                    let failure = Failure::of(&e, None);
                    return Err(failure.diagnostic(&watching, Others::None).into_error());
                }
                watching.failed(&e, None);
            }
        }
        Ok(watching)
    }

    /// Watches `root` with all it holds. notify's walk stops at the first
    /// folder it cannot watch; one removed under it (`PathNotFound`) is no
    /// reason to leave the rest unwatched, so the walk is tried again.
    fn watch_root(&mut self, root: &Path) -> notify::Result<()> {
        let mut tries = 0;
        loop {
            match self.watcher.watch(root, RecursiveMode::Recursive) {
                Err(e) if matches!(e.kind, ErrorKind::PathNotFound) && tries < WALK_TRIES => {
                    tries += 1;
                    let _ = self.watcher.unwatch(root);
                    if !root.is_dir() {
                        return Ok(());
                    }
                }
                result => return result,
            }
        }
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
    /// Ctrl-C waited). What failed under them is tried again. Only the
    /// folders `renewed` says are watched again: watching the other anew
    /// could take the watches the one that came back needs, when the
    /// system's limit is near.
    pub(super) fn renew(&mut self, renewed: impl Fn(&Path) -> bool) {
        for (root, _) in self.roots.clone().into_iter().filter(|(r, _)| renewed(r)) {
            self.failures
                .retain(|f| !f.folder.as_deref().is_some_and(|f| f.starts_with(&root)));
            let _ = self.watcher.unwatch(&root);
            if root.is_dir()
                && let Err(e) = self.watch_root(&root)
            {
                self.failed(&e, None);
            }
        }
    }

    /// Records a watch that failed: in a walk when watch started or watched
    /// the content or templates folder again (`made` is `None`), or in the
    /// walk of `made`, a folder made or moved in while watching (notify
    /// reports a folder in it that it could not watch as an error event).
    /// Whether it is new.
    pub(super) fn failed(&mut self, error: &notify::Error, made: Option<&Path>) -> bool {
        let failure = Failure::of(error, made);
        let new = !self.failures.contains(&failure);
        if new {
            self.failures.push(failure);
        }
        new
    }

    /// Takes the watcher's errors of one batch of events (`paths`, the
    /// paths it names; `reads`, whether the build reads a path), and says
    /// whether a folder the build reads went unwatched.
    ///
    /// A failure is in the walk of a folder made or moved in (the outermost
    /// such folder the batch names): what is not watched is in it. One the
    /// build does not read (`.git`, a hidden folder) is no concern, but
    /// notify stops watching the other folders of its event once one is past
    /// the limit: so after the limit is reached, each folder of the batch
    /// that the build reads is watched here, and one that cannot be is
    /// recorded.
    pub(super) fn batch_failed(
        &mut self,
        errors: &[notify::Error],
        paths: &BTreeSet<PathBuf>,
        reads: impl Fn(&Path) -> bool,
    ) -> bool {
        let mut new = false;
        let limit = errors
            .iter()
            .any(|e| matches!(e.kind, ErrorKind::MaxFilesWatch));
        let made_of = |failed: &Path| {
            paths
                .iter()
                .filter(|p| failed.starts_with(p) && !self.is_root(p))
                .min_by_key(|p| p.components().count())
                .cloned()
                .unwrap_or_else(|| failed.to_path_buf())
        };
        let others: Vec<(&notify::Error, Option<PathBuf>)> = errors
            .iter()
            .filter(|e| !(limit && matches!(e.kind, ErrorKind::MaxFilesWatch)))
            .map(|e| (e, e.paths.first().map(|p| made_of(p))))
            .filter(|(_, made)| made.as_deref().is_none_or(&reads))
            .collect();
        for (error, made) in others {
            new |= self.failed(error, made.as_deref());
        }
        if limit {
            let made: Vec<&PathBuf> = paths
                .iter()
                .filter(|p| !self.is_root(p) && reads(p) && p.is_dir())
                .collect();
            let outermost = made
                .iter()
                .filter(|p| !made.iter().any(|q| q != *p && p.starts_with(q)));
            for folder in outermost {
                if let Err(e) = self.watcher.watch(folder, RecursiveMode::Recursive) {
                    new |= self.failed(&e, Some(folder));
                }
            }
        }
        new
    }

    /// The warnings of the watches that failed and still matter: a folder
    /// made while watching and removed since no longer needs watching. The
    /// folders past the system's limit are one warning, naming the first.
    pub(super) fn failures(&mut self) -> Vec<Diagnostic> {
        self.failures
            .retain(|f| f.walk || f.folder.as_deref().is_none_or(Path::exists));
        let limited: Vec<&Failure> = self.failures.iter().filter(|f| f.cause.is_none()).collect();
        // The others past the limit: counted when each is a folder made
        // while watching; a walk past it leaves folders no one counted.
        let others = match limited.as_slice() {
            [] | [_] => Others::None,
            [_, rest @ ..] if rest.iter().all(|f| !f.walk) => Others::Counted(rest.len()),
            _ => Others::Uncounted,
        };
        let mut warnings = Vec::new();
        let mut limit_said = false;
        for failure in &self.failures {
            if failure.cause.is_none() {
                if limit_said {
                    continue;
                }
                limit_said = true;
            }
            warnings.push(failure.diagnostic(self, others));
        }
        warnings
    }

    /// `path` as the user named it: under the content or templates folder
    /// as given (`content/rad/2024-05`), else absolute.
    fn shown(&self, path: &Path) -> PathBuf {
        self.roots
            .iter()
            .find_map(|(root, given)| {
                let rest = path.strip_prefix(root).ok()?;
                Some(if rest.as_os_str().is_empty() {
                    given.clone()
                } else {
                    given.join(rest)
                })
            })
            .unwrap_or_else(|| path.to_path_buf())
    }
}

impl Failure {
    fn of(error: &notify::Error, made: Option<&Path>) -> Failure {
        let cause = match &error.kind {
            ErrorKind::MaxFilesWatch => None,
            ErrorKind::Io(e) => Some(e.to_string()),
            ErrorKind::Generic(e) => Some(e.clone()),
            ErrorKind::PathNotFound => Some("it is gone".to_owned()),
            other => Some(format!("{other:?}")),
        };
        Failure {
            folder: made
                .map(Path::to_path_buf)
                .or_else(|| error.paths.first().cloned()),
            cause,
            walk: made.is_none(),
        }
    }

    /// The warning, naming the folder as the user named it; `others` are
    /// the other folders past the limit, for the limit's warning.
    fn diagnostic(&self, watching: &Watching, others: Others) -> Diagnostic {
        let limits = [SYSTEM_LIMIT, NAMESPACE_LIMIT].map(|(name, file)| {
            let value = std::fs::read_to_string(file).ok();
            (name, value.and_then(|v| v.trim().parse::<u64>().ok()))
        });
        let mut warning = unwatched(self.cause.as_deref(), self.walk, others, limits);
        warning.file = self.folder.as_deref().map(|f| watching.shown(f));
        warning
    }
}

/// The other folders past the limit of watches, beside the one named.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Others {
    None,
    Counted(usize),
    Uncounted,
}

/// The warning for a folder that cannot be watched, with what it says of
/// the cause and the cure: `cause` is `None` when the limit of watches is
/// reached (`limits`: the system's and the user namespace's, by name, as
/// read), with `others` past it too; `walk` whether the failure ended a
/// walk, leaving the folders after it unwatched too (else the folder was
/// made while watching, and what is not watched is in it).
fn unwatched(
    cause: Option<&str>,
    walk: bool,
    others: Others,
    limits: [(&str, Option<u64>); 2],
) -> Diagnostic {
    let after = if walk {
        "and in the folders after it"
    } else {
        "and in the folders in it"
    };
    let unseen = format!(
        "changes there, {after}, are not seen, and their PDFs will not follow them until watch \
         is started again"
    );
    let Some(cause) = cause else {
        let others = match others {
            Others::None => String::new(),
            Others::Counted(1) => " or 1 other".to_owned(),
            Others::Counted(n) => format!(" or {n} others"),
            Others::Uncounted => " or others".to_owned(),
        };
        let mut warning = Diagnostic::warning(format!(
            "cannot watch this folder{others}: the system's limit of folders watched is \
             reached; {unseen}"
        ));
        warning.hint = Some(raise(limits));
        return warning;
    };
    Diagnostic::warning(format!("cannot watch this folder ({cause}); {unseen}"))
}

/// How to raise the limit of watches that was reached: the user
/// namespace's where it is the lower, else the system's.
fn raise([system, namespace]: [(&str, Option<u64>); 2]) -> String {
    let (name, now) = match (system.1, namespace.1) {
        (Some(s), Some(n)) if n < s => (namespace.0, Some(n)),
        _ => system,
    };
    let now_said = now.map_or(String::new(), |l| format!(", now {l}"));
    let to = now.map_or(1 << 19, |l| (l * 2).max(1 << 19));
    format!("raise the limit ({name}{now_said}): `sudo sysctl {name}={to}`; then start watch again")
}

trait IntoError {
    fn into_error(self) -> Diagnostic;
}

impl IntoError for Diagnostic {
    /// The warning of the content folder as the error that stops watch from
    /// starting: nothing in it would be seen.
    fn into_error(self) -> Diagnostic {
        let message = self
            .message
            .split_once("; changes there")
            .map_or(self.message.clone(), |(cause, _)| cause.to_owned());
        Diagnostic {
            severity: crate::diagnostic::Severity::Error,
            message,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SYSTEM: (&str, Option<u64>) = ("fs.inotify.max_user_watches", Some(8192));
    const NAMESPACE: (&str, Option<u64>) = ("user.max_inotify_watches", Some(1_000_000));

    #[test]
    fn a_folder_past_the_watch_limit_is_named_with_the_limit_and_the_cure() {
        let warning = unwatched(None, false, Others::None, [SYSTEM, NAMESPACE]);
        assert!(!warning.is_error());
        assert_eq!(
            warning.message,
            "cannot watch this folder: the system's limit of folders watched is reached; \
             changes there, and in the folders in it, are not seen, and their PDFs will not \
             follow them until watch is started again"
        );
        assert_eq!(
            warning.hint.as_deref(),
            Some(
                "raise the limit (fs.inotify.max_user_watches, now 8192): \
                 `sudo sysctl fs.inotify.max_user_watches=524288`; then start watch again"
            )
        );
        // Made while watching, with 39 others.
        let counted = unwatched(None, false, Others::Counted(39), [SYSTEM, NAMESPACE]);
        assert!(
            counted
                .message
                .starts_with("cannot watch this folder or 39 others: ")
        );
        // Past the limit in a walk: the folders after it were never counted.
        let walk = unwatched(None, true, Others::Uncounted, [SYSTEM, NAMESPACE]);
        assert_eq!(
            walk.message,
            "cannot watch this folder or others: the system's limit of folders watched is \
             reached; changes there, and in the folders after it, are not seen, and their PDFs \
             will not follow them until watch is started again"
        );
    }

    #[test]
    fn the_hint_raises_the_limit_that_is_reached() {
        let big = ("fs.inotify.max_user_watches", Some(1_000_000));
        let small = ("user.max_inotify_watches", Some(20));
        assert_eq!(
            raise([big, small]),
            "raise the limit (user.max_inotify_watches, now 20): \
             `sudo sysctl user.max_inotify_watches=524288`; then start watch again"
        );
        assert_eq!(
            raise([big, ("user.max_inotify_watches", Some(2_000_000))]),
            "raise the limit (fs.inotify.max_user_watches, now 1000000): \
             `sudo sysctl fs.inotify.max_user_watches=2000000`; then start watch again"
        );
        assert_eq!(
            raise([
                ("fs.inotify.max_user_watches", None),
                ("user.max_inotify_watches", None)
            ]),
            "raise the limit (fs.inotify.max_user_watches): \
             `sudo sysctl fs.inotify.max_user_watches=524288`; then start watch again"
        );
    }

    #[test]
    fn another_watch_failure_gives_its_cause_and_no_hint() {
        let error = notify::Error::io(std::io::Error::from(std::io::ErrorKind::PermissionDenied))
            .add_path(PathBuf::from("/x/content/rad/låst"));
        let failure = Failure::of(&error, None);
        assert_eq!(
            failure.folder.as_deref(),
            Some(Path::new("/x/content/rad/låst"))
        );
        let warning = unwatched(
            failure.cause.as_deref(),
            true,
            Others::None,
            [SYSTEM, NAMESPACE],
        );
        assert_eq!(
            warning.message,
            "cannot watch this folder (permission denied); changes there, and in the folders \
             after it, are not seen, and their PDFs will not follow them until watch is \
             started again"
        );
        assert_eq!(warning.hint, None);
        assert_eq!(
            warning.into_error().message,
            "cannot watch this folder (permission denied)"
        );
    }
}
