//! Output stage: the build state in `output/.motebok/`: the manifest of every
//! file motebok wrote, with its size and hash, and the fingerprints of the documents.
//!
//! The manifest lets a build remove what the content no longer makes (and
//! nothing else), and tells a damaged PDF from an intact one: a file counts as
//! intact when its size and modification time are as written, or, when only
//! the time differs (copied, touched), when its bytes hash as written. A
//! truncated or emptied file changes its size, so it is caught without reading
//! it; hashing every PDF on every build would cost a read of the whole output.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::staging::Commit;
use super::write_atomic;
use super::written::{Written, hash, modified};
use crate::diagnostic::Diagnostic;

/// Where a build keeps its state in the output folder.
pub const STATE_DIR: &str = ".motebok";

/// The file in [`STATE_DIR`] that records what earlier builds wrote.
const MANIFEST_FILE: &str = "manifest.json";

/// The state file of motebok 0.x before the manifest, removed when the manifest is written.
const OLD_FINGERPRINTS_FILE: &str = "fingerprints.json";

/// The version of the manifest's format; another one is read as empty.
const MANIFEST_FORMAT: u32 = 1;

/// The manifest's record of one output file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Entry {
    /// What was written (none when the file is known only from a fingerprint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    written: Option<Written>,
    /// For a document: the hash of its generated source and its page count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    document: Option<(u64, usize)>,
    /// For a document: the hash of what its source was rendered from (see
    /// [`Fingerprint::inputs`]); none in manifests of motebok before 0.x of
    /// 2026-11-26, whose documents are then told by their source alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inputs: Option<u64>,
}

/// What a document was built from, to tell next time whether it must be
/// built again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    /// A hash of its generated source (with the PDF standards and motebok's version).
    pub source: u64,
    /// A hash of what the source is rendered from: templates and context.
    /// Equal inputs make an equal source, so the source need not be
    /// rendered to know it is unchanged; unequal inputs may still make an
    /// equal source (the other case papers of a meeting whose one paper was
    /// edited), which then is rendered and compared.
    pub inputs: u64,
}

/// What the manifest recorded of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// The hash of its generated source.
    pub source: u64,
    /// The hash of its inputs, when recorded.
    pub inputs: Option<u64>,
    /// Its page count.
    pub pages: usize,
}

#[derive(Serialize, Deserialize)]
struct ManifestFile {
    format: u32,
    version: String,
    files: BTreeMap<String, Entry>,
    /// The full build that wrote these files, when it was the last build
    /// to write any (see [`LastBuild`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last: Option<LastBuild>,
}

/// What the last full build was built from and what it reported, so that
/// the next one with the same inputs need not load them (see
/// `pipeline::unchanged`). Recorded only by a full build that succeeded; a
/// manifest saved by any other build (of some meetings, watch, archive)
/// has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastBuild {
    /// The digest of everything the build read, in hex.
    pub inputs: String,
    /// Its documents (relative to the output folder, `/`-separated) and their pages.
    pub documents: Vec<(String, usize)>,
    /// The diagnostics of its loading (warnings: it succeeded), which a build
    /// that loads the same inputs and compiles nothing prints.
    pub diagnostics: Vec<Diagnostic>,
}

/// What earlier builds wrote (the manifest), per output path relative to the
/// output folder: what was written, and for a document the hash of its
/// generated source and its page count. A document whose source hashes the
/// same, and whose files are intact, is not compiled again.
#[derive(Debug, Default)]
pub struct Fingerprints {
    files: Mutex<HashMap<PathBuf, Entry>>,
    /// The last build as the manifest read recorded it.
    last: Option<LastBuild>,
    /// The build to record when saving (none unless set: see [`LastBuild`]).
    record_last: Mutex<Option<LastBuild>>,
}

impl Fingerprints {
    /// Reads the manifest a build left in `output`; empty when there is none.
    pub fn load(output: &Path) -> Fingerprints {
        let path = output.join(STATE_DIR).join(MANIFEST_FILE);
        let Some(state) = fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<ManifestFile>(&bytes).ok())
            .filter(|state| state.format == MANIFEST_FORMAT)
        else {
            return Fingerprints::default();
        };
        let files = state
            .files
            .into_iter()
            .map(|(p, v)| (PathBuf::from(p), v))
            .filter(|(p, _)| is_inside(p))
            .collect();
        Fingerprints {
            files: Mutex::new(files),
            last: state.last,
            record_last: Mutex::default(),
        }
    }

    /// The last build, when the manifest recorded one.
    pub fn last(&self) -> Option<&LastBuild> {
        self.last.as_ref()
    }

    /// Records `last` as the build that wrote the files, with the manifest.
    pub fn set_last(&self, last: LastBuild) {
        *self.record_last.lock().unwrap_or_else(|e| e.into_inner()) = Some(last);
    }

    /// Whether the manifest records what was written to `path`.
    pub fn is_written(&self, path: &Path) -> bool {
        let map = self.files.lock().unwrap_or_else(|e| e.into_inner());
        map.get(path).is_some_and(|entry| entry.written.is_some())
    }

    /// Whether every file the manifest records is there with the size and
    /// modification time it was written with (the quick half of
    /// [`Fingerprints::is_intact`], which hashes a file whose time differs).
    pub fn all_as_written(&self, output: &Path) -> bool {
        let map = self.files.lock().unwrap_or_else(|e| e.into_inner());
        map.iter().all(|(path, entry)| {
            entry.written.as_ref().is_some_and(|written| {
                matches!(standing(&output.join(path), written), Standing::AsWritten)
            })
        })
    }

    /// The manifest's bytes.
    fn to_bytes(&self) -> io::Result<Vec<u8>> {
        let files = self
            .files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(p, v)| (p.to_string_lossy().replace('\\', "/"), v.clone()))
            .collect();
        let state = ManifestFile {
            format: MANIFEST_FORMAT,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            files,
            last: self
                .record_last
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&state).map_err(io::Error::other)?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Writes the manifest into `output`, for the next build.
    pub fn save(&self, output: &Path) -> io::Result<()> {
        write_atomic(
            &output.join(STATE_DIR).join(MANIFEST_FILE),
            &self.to_bytes()?,
        )?;
        remove_old_state(output);
        Ok(())
    }

    /// Writes the manifest into `output` as part of `commit`, so that undoing
    /// the commit brings back the manifest that matches the files.
    pub fn save_in(&self, output: &Path, commit: &mut Commit) -> io::Result<()> {
        commit.write(
            &output.join(STATE_DIR).join(MANIFEST_FILE),
            &self.to_bytes()?,
        )?;
        remove_old_state(output);
        Ok(())
    }

    /// What was recorded of the document at `path`.
    pub fn get(&self, path: &Path) -> Option<Recorded> {
        let map = self.files.lock().ok()?;
        let entry = map.get(path)?;
        let (source, pages) = entry.document?;
        Some(Recorded {
            source,
            inputs: entry.inputs,
            pages,
        })
    }

    /// Records the fingerprint and page count of the document at `path`.
    pub fn set(&self, path: &Path, fingerprint: Fingerprint, pages: usize) {
        if let Ok(mut map) = self.files.lock() {
            let entry = map.entry(path.to_path_buf()).or_default();
            entry.document = Some((fingerprint.source, pages));
            entry.inputs = Some(fingerprint.inputs);
        }
    }

    /// Forgets the fingerprint of `path`, so that it is compiled next time
    /// whatever this build does (what was written there stays recorded).
    pub fn forget(&self, path: &Path) {
        if let Ok(mut map) = self.files.lock()
            && let Some(entry) = map.get_mut(path)
        {
            entry.document = None;
            entry.inputs = None;
        }
    }

    /// Records that `written` went to `path` (relative to the output folder).
    pub fn record(&self, path: &Path, written: Written) {
        if let Ok(mut map) = self.files.lock() {
            map.entry(path.to_path_buf()).or_default().written = Some(written);
        }
    }

    /// Whether the file at `path` (relative to `output`) is a regular file
    /// holding what motebok wrote there: same size, and the same modification
    /// time or else the same hash.
    pub fn is_intact(&self, output: &Path, path: &Path) -> bool {
        let Some(written) = self
            .files
            .lock()
            .ok()
            .and_then(|map| map.get(path)?.written.clone())
        else {
            return false;
        };
        let now = match standing(&output.join(path), &written) {
            Standing::AsWritten => return true,
            Standing::Changed => return false,
            Standing::Touched(now) => now,
        };
        let same = fs::read(output.join(path)).is_ok_and(|bytes| hash(&bytes) == written.hash);
        if same && let Ok(mut map) = self.files.lock() {
            // Touched or copied but the same bytes: remember the new time.
            if let Some(Written { modified, .. }) =
                map.get_mut(path).and_then(|e| e.written.as_mut())
            {
                *modified = now;
            }
        }
        same
    }

    /// Removes, as part of `commit`, every file the manifest records that
    /// `keep` does not keep (paths relative to `output`): files of removed
    /// meetings, removed case papers, drafts no longer built and Typst
    /// sources no longer kept.
    /// A recorded file changed since motebok wrote it is left in place and
    /// forgotten. Returns the removed paths and, for each file left, why.
    pub fn prune(
        &self,
        output: &Path,
        keep: impl Fn(&Path) -> bool,
        commit: &mut Commit,
    ) -> (Vec<PathBuf>, Vec<String>) {
        let mut stale: Vec<PathBuf> = match self.files.lock() {
            Ok(map) => map.keys().filter(|p| !keep(p)).cloned().collect(),
            Err(_) => return (Vec::new(), Vec::new()),
        };
        stale.sort();
        let (mut removed, mut left) = (Vec::new(), Vec::new());
        for path in stale {
            let full = output.join(&path);
            let exists = fs::symlink_metadata(&full).is_ok();
            if exists && !self.is_intact(output, &path) {
                left.push(format!(
                    "kept {}, which is no longer built: it was changed after motebok wrote it",
                    full.display()
                ));
            } else if exists {
                match commit.remove(&full) {
                    Ok(()) => removed.push(path.clone()),
                    Err(err) => {
                        left.push(format!("failed to remove {} ({err})", full.display()));
                        continue;
                    }
                }
            }
            if let Ok(mut map) = self.files.lock() {
                map.remove(&path);
            }
        }
        (removed, left)
    }
}

/// What a file's metadata says of it against what was written there.
enum Standing {
    /// The same size and modification time: as written.
    AsWritten,
    /// Gone, not a regular file, or another size.
    Changed,
    /// The same size at another modification time (or none known): its
    /// bytes tell whether it is as written.
    Touched(Option<(u64, u32)>),
}

/// Where the file at `file` stands against `written`, from its metadata.
fn standing(file: &Path, written: &Written) -> Standing {
    let Ok(meta) = fs::symlink_metadata(file) else {
        return Standing::Changed;
    };
    if !meta.is_file() || meta.len() != written.size {
        return Standing::Changed;
    }
    let now = modified(&meta);
    if now.is_some() && now == written.modified {
        Standing::AsWritten
    } else {
        Standing::Touched(now)
    }
}

/// Whether `path` stays inside the folder it is relative to (no root, no
/// `..`): a tampered manifest cannot make a build remove files elsewhere.
fn is_inside(path: &Path) -> bool {
    path.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Removes the state file that versions before the manifest wrote.
fn remove_old_state(output: &Path) {
    let _ = fs::remove_file(output.join(STATE_DIR).join(OLD_FINGERPRINTS_FILE));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn written(output: &Path, rel: &str, bytes: &[u8]) -> Written {
        let path = output.join(rel);
        write_atomic(&path, bytes).unwrap();
        Written::of(bytes, &path)
    }

    #[test]
    fn intact_means_same_size_and_time_or_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let f = Fingerprints::default();
        let rel = Path::new("m/a.pdf");
        assert!(!f.is_intact(dir.path(), rel), "unrecorded");
        f.record(rel, written(dir.path(), "m/a.pdf", b"%PDF-1.7 whole"));
        assert!(f.is_intact(dir.path(), rel));
        fs::write(dir.path().join(rel), b"%PDF-1.7").unwrap();
        assert!(!f.is_intact(dir.path(), rel), "truncated");
        fs::write(dir.path().join(rel), b"").unwrap();
        assert!(!f.is_intact(dir.path(), rel), "emptied");
        fs::write(dir.path().join(rel), b"%PDF-1.7 broke").unwrap();
        assert!(!f.is_intact(dir.path(), rel), "same size, other bytes");
        fs::write(dir.path().join(rel), b"%PDF-1.7 whole").unwrap();
        assert!(
            f.is_intact(dir.path(), rel),
            "rewritten with the same bytes"
        );
    }

    #[test]
    fn manifest_round_trips_and_prunes_only_unchanged_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let f = Fingerprints::default();
        for rel in ["m/a.pdf", "m/b.pdf", "m/c.pdf"] {
            f.record(Path::new(rel), written(out, rel, rel.as_bytes()));
        }
        let fingerprint = Fingerprint {
            source: 7,
            inputs: 9,
        };
        f.set(Path::new("m/a.pdf"), fingerprint, 2);
        f.save(out).unwrap();
        let f = Fingerprints::load(out);
        let recorded = Recorded {
            source: 7,
            inputs: Some(9),
            pages: 2,
        };
        assert_eq!(f.get(Path::new("m/a.pdf")), Some(recorded));
        fs::write(out.join("m/c.pdf"), b"the user's own").unwrap();
        fs::write(out.join("m/mine.pdf"), b"never written by motebok").unwrap();
        let keep: HashSet<PathBuf> = [PathBuf::from("m/a.pdf")].into();
        let mut commit = Commit::default();
        let (removed, left) = f.prune(out, |p| keep.contains(p), &mut commit);
        drop(commit);
        assert_eq!(removed, [PathBuf::from("m/b.pdf")]);
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(out.join("m/a.pdf").exists() && out.join("m/c.pdf").exists());
        assert!(out.join("m/mine.pdf").exists() && !out.join("m/b.pdf").exists());
    }

    /// A manifest of an earlier motebok, without input hashes, still tells
    /// each document by its source.
    #[test]
    fn a_manifest_without_input_hashes_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join(STATE_DIR);
        fs::create_dir_all(&state).unwrap();
        let old =
            r#"{"format": 1, "version": "0.1.0", "files": {"m/a.pdf": {"document": [7, 2]}}}"#;
        fs::write(state.join(MANIFEST_FILE), old).unwrap();
        let f = Fingerprints::load(dir.path());
        let recorded = Recorded {
            source: 7,
            inputs: None,
            pages: 2,
        };
        assert_eq!(f.get(Path::new("m/a.pdf")), Some(recorded));
    }

    #[test]
    fn a_manifest_cannot_point_outside_the_output() {
        for (path, inside) in [
            ("a/b.pdf", true),
            ("../b.pdf", false),
            ("/etc/passwd", false),
            ("a/../../b", false),
        ] {
            assert_eq!(is_inside(Path::new(path)), inside, "{path}");
        }
    }
}
