//! Output stage: a build's files staged beside their targets, put in place as one transaction.
//!
//! [`Staging`] collects the new files; [`Staging::commit`] puts them in place
//! and keeps each replaced file (a hard link) until the [`Commit`] is dropped,
//! so that a later failure (the archive index) can still undo the whole build
//! with [`Commit::roll_back`]. A commit that fails halfway undoes itself.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::temp::backup_path;
use super::write_temp;
use super::written::Written;

/// One file written beside its target, not yet in place.
#[derive(Debug)]
struct Staged {
    tmp: PathBuf,
    path: PathBuf,
    written: Written,
}

/// The files of one build, written beside their targets but put in place only
/// when the whole build succeeded: a failed build changes no output at all.
#[derive(Debug, Default)]
pub struct Staging {
    pending: Mutex<Vec<Staged>>,
    /// The paths staged by [`Staging::write_once`].
    shared: Mutex<HashSet<PathBuf>>,
}

impl Staging {
    /// Writes `bytes` for `path`, to be put in place by [`Staging::commit`].
    pub fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let tmp = write_temp(path, bytes)?;
        let written = Written::of(bytes, &tmp);
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Staged {
                tmp,
                path: path.to_path_buf(),
                written,
            });
        Ok(())
    }

    /// Like [`Staging::write`], unless `path` was staged this way already
    /// (a file several documents of one build share): then nothing is written.
    pub fn write_once(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let first = self
            .shared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf());
        if first {
            self.write(path, bytes)
        } else {
            Ok(())
        }
    }

    /// Puts every staged file in place (each by an atomic rename, in the order
    /// of their paths). When one cannot be put in place, the ones before it are
    /// restored and the rest removed: the error says which files, if any, could
    /// not be restored.
    pub fn commit(self) -> Result<Commit, CommitError> {
        let mut pending =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        pending.sort_by(|a, b| a.path.cmp(&b.path));
        let mut commit = Commit::default();
        for (i, staged) in pending.iter().enumerate() {
            if let Err(error) = commit.replace(&staged.tmp, &staged.path) {
                for rest in &pending[i..] {
                    let _ = fs::remove_file(&rest.tmp);
                }
                return Err(CommitError {
                    path: staged.path.clone(),
                    error,
                    not_restored: commit.roll_back(),
                });
            }
            commit
                .written
                .push((staged.path.clone(), staged.written.clone()));
        }
        Ok(commit)
    }

    /// Removes every staged file; the outputs stay as they were.
    pub fn discard(self) {
        drop(self);
    }

    /// Removes the staged files whose target path does not pass `keep`
    /// (they are not put in place by [`Staging::commit`]).
    pub fn retain(&self, keep: impl Fn(&Path) -> bool) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.retain(|staged| {
            let kept = keep(&staged.path);
            if !kept {
                let _ = fs::remove_file(&staged.tmp);
            }
            kept
        });
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for staged in self
            .pending
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            let _ = fs::remove_file(staged.tmp);
        }
    }
}

/// A commit that failed: the file that could not be put in place, why, and
/// the files already changed that could not be restored (normally none).
#[derive(Debug)]
pub struct CommitError {
    /// The file that could not be put in place.
    pub path: PathBuf,
    /// Why.
    pub error: io::Error,
    /// Files that were changed and could not be changed back.
    pub not_restored: Vec<PathBuf>,
}

impl fmt::Display for CommitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "failed to put {} in place ({})",
            self.path.display(),
            self.error
        )
    }
}

/// One change a commit made: `path` replaced or removed, its previous
/// content kept at `backup` (none when `path` is new).
#[derive(Debug)]
struct Change {
    path: PathBuf,
    backup: Option<PathBuf>,
    removed: bool,
}

/// Files put in place (or removed) that can still be undone: the previous
/// files are kept beside them until the commit is dropped, which makes it final.
#[derive(Debug, Default)]
pub struct Commit {
    changes: Vec<Change>,
    written: Vec<(PathBuf, Written)>,
}

impl Commit {
    /// What was written where (the paths as staged).
    pub fn written(&self) -> &[(PathBuf, Written)] {
        &self.written
    }

    /// Writes `bytes` to `path` as part of this commit.
    pub fn write(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let tmp = write_temp(path, bytes)?;
        self.replace(&tmp, path).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
    }

    /// Removes `path` as part of this commit (kept aside until the commit is final).
    pub fn remove(&mut self, path: &Path) -> io::Result<()> {
        let backup = backup_path(path);
        fs::rename(path, &backup)?;
        self.changes.push(Change {
            path: path.to_path_buf(),
            backup: Some(backup),
            removed: true,
        });
        Ok(())
    }

    /// Renames `tmp` over `path`, keeping the file it replaces.
    fn replace(&mut self, tmp: &Path, path: &Path) -> io::Result<()> {
        let backup = match fs::symlink_metadata(path) {
            Ok(meta) if !meta.is_dir() => {
                let backup = backup_path(path);
                fs::hard_link(path, &backup).or_else(|_| fs::copy(path, &backup).map(|_| ()))?;
                Some(backup)
            }
            _ => None,
        };
        if let Err(err) = fs::rename(tmp, path) {
            if let Some(backup) = backup {
                let _ = fs::remove_file(backup);
            }
            return Err(err);
        }
        self.changes.push(Change {
            path: path.to_path_buf(),
            backup,
            removed: false,
        });
        Ok(())
    }

    /// Undoes every change, last first: replaced and removed files get their
    /// previous content back, new files are removed. Returns the files that
    /// could not be restored.
    pub fn roll_back(mut self) -> Vec<PathBuf> {
        let mut not_restored = Vec::new();
        for change in std::mem::take(&mut self.changes).into_iter().rev() {
            let restored = match &change.backup {
                Some(backup) => fs::rename(backup, &change.path),
                None => fs::remove_file(&change.path),
            };
            if restored.is_err() {
                not_restored.push(change.path);
            }
        }
        self.written.clear();
        not_restored
    }
}

impl Drop for Commit {
    /// Makes the commit final: the kept previous files go, and so do folders
    /// that removing files left empty.
    fn drop(&mut self) {
        for change in self.changes.drain(..) {
            if let Some(backup) = change.backup {
                let _ = fs::remove_file(backup);
            }
            if change.removed {
                let mut dir = change.path.parent();
                while let Some(d) = dir.filter(|d| fs::remove_dir(d).is_ok()) {
                    dir = d.parent();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn staged_files_appear_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("m/innkalling.pdf");
        let b = dir.path().join("m/sak-01-24.pdf");
        super::super::write_atomic(&a, b"old").unwrap();

        let staging = Staging::default();
        staging.write(&a, b"new a").unwrap();
        staging.write(&b, b"new b").unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"old");
        assert!(!b.exists());
        staging.discard();
        assert_eq!(fs::read(&a).unwrap(), b"old");
        assert_eq!(names(a.parent().unwrap()), ["innkalling.pdf"]);

        let staging = Staging::default();
        staging.write(&a, b"new a").unwrap();
        staging.write(&b, b"new b").unwrap();
        let commit = staging.commit().unwrap();
        assert_eq!(commit.written().len(), 2);
        drop(commit);
        assert_eq!(fs::read(&a).unwrap(), b"new a");
        assert_eq!(fs::read(&b).unwrap(), b"new b");
        assert_eq!(
            names(a.parent().unwrap()),
            ["innkalling.pdf", "sak-01-24.pdf"]
        );
    }

    #[test]
    fn a_failed_commit_restores_what_it_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("m");
        let a = m.join("a.pdf");
        super::super::write_atomic(&a, b"old a").unwrap();
        fs::create_dir_all(m.join("c.pdf/inner")).unwrap();
        let staging = Staging::default();
        staging.write(&a, b"new a").unwrap();
        staging.write(&m.join("b.pdf"), b"new b").unwrap();
        staging.write(&m.join("c.pdf"), b"new c").unwrap();
        staging.write(&m.join("d.pdf"), b"new d").unwrap();
        let err = staging.commit().unwrap_err();
        assert_eq!(err.path, m.join("c.pdf"));
        assert!(err.not_restored.is_empty());
        assert_eq!(fs::read(&a).unwrap(), b"old a");
        assert_eq!(names(&m), ["a.pdf", "c.pdf"]);
    }

    #[test]
    fn a_commit_is_undone_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("m");
        let (a, gone) = (m.join("a.pdf"), dir.path().join("old/x.pdf"));
        super::super::write_atomic(&a, b"old a").unwrap();
        super::super::write_atomic(&gone, b"x").unwrap();
        let staging = Staging::default();
        staging.write(&a, b"new a").unwrap();
        staging.write(&m.join("b.pdf"), b"new b").unwrap();
        let mut commit = staging.commit().unwrap();
        commit.remove(&gone).unwrap();
        commit.write(&m.join("state.json"), b"{}").unwrap();
        assert!(commit.roll_back().is_empty());
        assert_eq!(fs::read(&a).unwrap(), b"old a");
        assert_eq!(fs::read(&gone).unwrap(), b"x");
        assert_eq!(names(&m), ["a.pdf"]);

        let mut commit = Commit::default();
        commit.remove(&gone).unwrap();
        drop(commit);
        assert!(!dir.path().join("old").exists(), "emptied folder removed");
    }
}
