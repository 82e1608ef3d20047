//! A whole build that would change nothing (pipeline stage): known from a
//! digest of everything a build reads, before anything is loaded.
//!
//! A build reads only the content folder, the templates folder, the
//! built-in templates and its own settings (see [`crate::fsread`]: every read
//! is confined to those folders). A full build that succeeds records a digest
//! of all of it in the manifest, with its documents and diagnostics; the next
//! full build whose digest is the same, and whose output files are all as
//! written, reports those documents unchanged and repeats those diagnostics
//! without loading, rendering or checking anything: on the 1 000-meeting
//! benchmark archive the load alone takes most of a second.
//!
//! The digest is of the bytes, not of file times, so a file rewritten with
//! other text in the same clock tick is not missed. It is computed before the
//! build and again after it, and recorded only when both agree, so a file
//! saved while a build read it is never recorded as built. A project with a
//! symbolic link that leads outside its folders has no digest: what such a
//! link leads to may change without anything in the project changing.

use std::ffi::OsString;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};

use rayon::prelude::*;
use siphasher::sip128::{Hasher128, SipHasher13};

use super::config::BuildConfig;
use super::report::{BuildReport, DocumentReport};
use crate::diagnostic::Diagnostics;
use crate::fsread::{self, Root};
use crate::output::{Fingerprints, LastBuild};
use crate::render::templates::built_in_files;
use crate::threads::pool;

/// Files of at most this many bytes are digested by their bytes; a larger
/// one, which no read of a build accepts (attachments, the largest, are
/// bounded at 32 MiB), by its size and times alone.
const MAX_DIGESTED_BYTES: u64 = 32 * 1024 * 1024;

/// The digest of everything a build with `config` reads, in hex; `None` when
/// it cannot be told (a folder that cannot be read, a link out of the project).
pub(crate) fn digest(config: &BuildConfig) -> Option<String> {
    let mut hasher = SipHasher13::new();
    "motebok build inputs 1".hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    env!("MOTEBOK_BUILD_ID").hash(&mut hasher);
    for (name, source) in built_in_files() {
        (name, source).hash(&mut hasher);
    }
    settings(config).hash(&mut hasher);
    for root in [
        Root::content(&config.content),
        Root::templates(&config.templates),
    ] {
        folder_digest(root)?.hash(&mut hasher);
    }
    Some(format!("{:032x}", hasher.finish128().as_u128()))
}

/// The settings that change what a build writes or says, as one text. The
/// folders as given: messages name files by them.
fn settings(config: &BuildConfig) -> String {
    format!(
        "content {:?}\ntemplates {:?}\noutput {:?}\nkeep-typst {}\npdf-standards {:?}\ndrafts {}",
        config.content,
        config.templates,
        config.output,
        config.keep_typst,
        config.pdf_standards,
        config.include_drafts
    )
}

/// What one entry of a folder is, for the digest.
#[derive(Hash)]
enum Item {
    Folder,
    /// A regular file: its size and its bytes' hash.
    File(u64, u128),
    /// A regular file larger than [`MAX_DIGESTED_BYTES`]: its size, and its
    /// modification and change times in nanoseconds.
    Large(u64, u128, u128),
    /// A symbolic link that leads inside the root (to what is digested
    /// there): where it points.
    Link(PathBuf),
    /// A named pipe, socket or device: never read.
    Other,
}

/// The digest of the folder of `root` and everything below it, in path
/// order: a missing folder digests as such (the templates folder is optional).
fn folder_digest(root: Root<'_>) -> Option<u128> {
    let mut hasher = SipHasher13::new();
    let Ok(meta) = fs::metadata(root.dir) else {
        "missing".hash(&mut hasher);
        return Some(hasher.finish128().as_u128());
    };
    if !meta.is_dir() {
        "not a folder".hash(&mut hasher);
        return Some(hasher.finish128().as_u128());
    }
    let real = root.dir.canonicalize().ok()?;
    let mut entries = Vec::new();
    walk(&real, root.dir, PathBuf::new(), &mut entries)?;
    let items: Vec<Option<Item>> = pool().install(|| {
        entries
            .par_iter()
            .map(|(relative, kind)| item(root, &root.dir.join(relative), kind))
            .collect()
    });
    for ((relative, _), item) in entries.iter().zip(items) {
        relative.hash(&mut hasher);
        item?.hash(&mut hasher);
    }
    Some(hasher.finish128().as_u128())
}

/// What an entry is, before its bytes are read.
enum Kind {
    Folder,
    File(fs::Metadata),
    Link(PathBuf),
    Other,
}

/// Lists everything below `dir` (at `relative` inside the root, whose real
/// path is `real`) into `out`, in path order, without following links;
/// `None` when a folder cannot be read or a link leads out of the root.
fn walk(real: &Path, dir: &Path, relative: PathBuf, out: &mut Vec<(PathBuf, Kind)>) -> Option<()> {
    let mut names: Vec<OsString> = fs::read_dir(dir)
        .ok()?
        .map(|entry| entry.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .ok()?;
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let rel = relative.join(&name);
        let meta = fs::symlink_metadata(&path).ok()?;
        let kind = meta.file_type();
        if kind.is_dir() {
            out.push((rel.clone(), Kind::Folder));
            walk(real, &path, rel, out)?;
        } else if kind.is_file() {
            out.push((rel, Kind::File(meta)));
        } else if kind.is_symlink() {
            let target = fs::read_link(&path).ok()?;
            // A broken link leads nowhere and reads as an error; one that
            // resolves must stay inside the root.
            if let Ok(resolved) = path.canonicalize()
                && !resolved.starts_with(real)
            {
                return None;
            }
            out.push((rel, Kind::Link(target)));
        } else {
            out.push((rel, Kind::Other));
        }
    }
    Some(())
}

/// The digest item of the entry at `path`; `None` when a file cannot be read.
fn item(root: Root<'_>, path: &Path, kind: &Kind) -> Option<Item> {
    Some(match kind {
        Kind::Folder => Item::Folder,
        Kind::Link(target) => Item::Link(target.clone()),
        Kind::Other => Item::Other,
        Kind::File(meta) if meta.len() > MAX_DIGESTED_BYTES => {
            let (modified, changed) = times(meta);
            Item::Large(meta.len(), modified, changed)
        }
        Kind::File(_) => {
            let bytes = fsread::read_file(root, path, MAX_DIGESTED_BYTES).ok()?;
            let mut hasher = SipHasher13::new();
            hasher.write(&bytes);
            Item::File(bytes.len() as u64, hasher.finish128().as_u128())
        }
    })
}

/// A file's modification and change times, in nanoseconds since 1970.
fn times(meta: &fs::Metadata) -> (u128, u128) {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let changed = {
        use std::os::unix::fs::MetadataExt;
        let secs = u128::try_from(meta.ctime()).unwrap_or(0);
        secs * 1_000_000_000 + u128::try_from(meta.ctime_nsec()).unwrap_or(0)
    };
    #[cfg(not(unix))]
    let changed = 0;
    (modified, changed)
}

/// The report of the last full build, when `digest` is what it was built from
/// and every file it wrote is as written: its documents unchanged, its
/// diagnostics again.
pub(crate) fn replay(config: &BuildConfig, digest: &str, started: Instant) -> Option<BuildReport> {
    let fingerprints = Fingerprints::load(&config.output);
    let last = fingerprints.last().filter(|last| last.inputs == digest)?;
    if !fingerprints.all_as_written(&config.output) {
        return None;
    }
    let documents = last
        .documents
        .iter()
        .map(|(path, pages)| DocumentReport {
            path: PathBuf::from(path),
            pages: *pages,
            elapsed: Duration::ZERO,
            text: Vec::new(),
            unchanged: true,
            fingerprint: None,
            kept: Vec::new(),
        })
        .collect();
    Some(BuildReport {
        documents,
        diagnostics: Diagnostics::from(last.diagnostics.clone()),
        elapsed: started.elapsed(),
        ..BuildReport::default()
    })
}

/// What to record of a full build that succeeded: the inputs `digest`, its
/// documents and all its diagnostics.
pub(crate) fn last_build(
    digest: String,
    report: &BuildReport,
    diagnostics: &Diagnostics,
) -> LastBuild {
    let mut documents: Vec<(String, usize)> = report
        .documents
        .iter()
        .map(|d| (d.path.to_string_lossy().replace('\\', "/"), d.pages))
        .collect();
    documents.sort();
    LastBuild {
        inputs: digest,
        documents,
        diagnostics: diagnostics.0.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digest changes with every byte, name and folder a build could
    /// read and with its settings, and not with a file's time alone.
    #[test]
    fn the_digest_follows_bytes_names_folders_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = BuildConfig::in_project(dir.path());
        let paper = config.content.join("b/m/saker/01-24.md");
        fs::create_dir_all(paper.parent().unwrap()).unwrap();
        fs::write(&paper, "Tekst").unwrap();
        let first = digest(&config).unwrap();
        assert_eq!(digest(&config).unwrap(), first, "the same inputs");

        let modified = std::time::SystemTime::now() - Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(&paper)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        assert_eq!(digest(&config).unwrap(), first, "touched, the same bytes");

        let mut seen = vec![first];
        let mut differs = |config: &BuildConfig, what: &str| {
            let now = digest(config).unwrap();
            assert!(!seen.contains(&now), "{what}");
            seen.push(now);
        };
        fs::write(&paper, "Tekxt").unwrap();
        differs(&config, "one byte");
        fs::rename(&paper, paper.with_file_name("02-24.md")).unwrap();
        differs(&config, "a name");
        fs::create_dir(config.content.join("b/tom")).unwrap();
        differs(&config, "an empty folder");
        fs::create_dir(&config.templates).unwrap();
        differs(&config, "a templates folder");
        fs::write(config.templates.join("sak.typ.j2"), "").unwrap();
        differs(&config, "a template");
        config.keep_typst = true;
        differs(&config, "a setting");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_folder_has_no_digest() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let config = BuildConfig::in_project(dir.path());
        fs::create_dir_all(config.content.join("b")).unwrap();
        fs::write(config.content.join("b/body.yaml"), "id: b").unwrap();
        std::os::unix::fs::symlink("body.yaml", config.content.join("b/lenke.yaml")).unwrap();
        assert!(digest(&config).is_some(), "a link inside");
        std::os::unix::fs::symlink(elsewhere.path(), config.content.join("b/ute")).unwrap();
        assert_eq!(digest(&config), None);
    }
}
