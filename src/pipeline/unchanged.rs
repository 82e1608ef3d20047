//! A whole build that would change nothing (pipeline stage): known from a
//! digest of everything a build reads, before anything is loaded.
//!
//! A build reads only the content folder, the templates folder, the
//! built-in templates and its own settings (see [`crate::fsread`]: every read
//! is confined to those folders). A full build that succeeds records a digest
//! of all of it in the manifest, with its documents and the diagnostics of
//! its loading; the next full build whose digest is the same, and whose
//! output files are all as written, reports those documents unchanged and
//! repeats those diagnostics without loading, rendering or checking
//! anything, as a build that loaded would (it compiles nothing, so it has no
//! diagnostics of its own): on the 1 000-meeting benchmark archive the load
//! alone took most of a second.
//!
//! The digest is of the bytes, not of file times, so a file rewritten with
//! other text in the same clock tick is not missed. A build is recorded only
//! when no file was written while it ran (their sizes, times and inodes are
//! the same after it as before: a change time moves with every write, even
//! one that puts the old bytes back) nor in the two seconds before it (a
//! write in the same tick of a coarse clock could hide). A project with a
//! symbolic link in its folders has no digest: where a link leads, hop by
//! hop, may change without anything in the project changing.

use std::ffi::OsString;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use siphasher::sip128::{Hasher128, SipHasher13};

use super::config::BuildConfig;
use super::report::{BuildReport, DocumentReport, dedupe};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fsread::{self, Root};
use crate::output::{Fingerprints, LastBuild};
use crate::render::templates::built_in_files;
use crate::threads::pool;

/// Files of at most this many bytes are digested by their bytes; a larger
/// one, which no read of a build accepts (attachments, the largest, are
/// bounded at 32 MiB), by its size and times alone.
const MAX_DIGESTED_BYTES: u64 = 32 * 1024 * 1024;

/// A file written this long before a build may have been written again in
/// the same tick of the file system's clock (two seconds on FAT).
const RACY: Duration = Duration::from_secs(2);

/// What a build reads, as found before it: the digest of the bytes (what a
/// full build is recorded and recognised by) and a stamp of the files'
/// metadata (which tells whether any was written while the build ran).
pub(crate) struct Inputs {
    /// The digest, in hex.
    pub(crate) digest: String,
    stamp: u128,
    /// Whether a file was written within [`RACY`] before.
    racy: bool,
}

impl Inputs {
    /// The inputs of a build with `config`; `None` when they cannot be told
    /// (a folder that cannot be read, a symbolic link).
    pub(crate) fn of(config: &BuildConfig) -> Option<Inputs> {
        let now = SystemTime::now();
        let mut hasher = SipHasher13::new();
        "motebok build inputs 1".hash(&mut hasher);
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        env!("MOTEBOK_BUILD_ID").hash(&mut hasher);
        for (name, source) in built_in_files() {
            (name, source).hash(&mut hasher);
        }
        settings(config).hash(&mut hasher);
        let listings = listings(config)?;
        for (root, listing) in &listings {
            folder_digest(*root, listing)?.hash(&mut hasher);
        }
        let newest = listings
            .iter()
            .map(|(_, l)| newest_time(l))
            .max()
            .unwrap_or(0);
        let cutoff = now
            .checked_sub(RACY)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Some(Inputs {
            digest: format!("{:032x}", hasher.finish128().as_u128()),
            stamp: stamp(&listings),
            racy: newest >= cutoff,
        })
    }

    /// Whether a build that read these inputs may be recorded as built from
    /// them: no file was written shortly before it or since.
    pub(crate) fn unchanged_since(&self, config: &BuildConfig) -> bool {
        !self.racy && listings(config).is_some_and(|now| stamp(&now) == self.stamp)
    }
}

/// The folders a build reads, each with what it holds; `None` when one
/// cannot be listed (see [`list`]).
fn listings(config: &BuildConfig) -> Option<Vec<(Root<'_>, Listing)>> {
    [
        Root::content(&config.content),
        Root::templates(&config.templates),
    ]
    .into_iter()
    .map(|root| Some((root, list(root)?)))
    .collect()
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

/// What a folder holds: what is at its path (`folder`, `missing`: the
/// templates folder is optional, `not a folder`) and, for a folder, its
/// entries.
struct Listing {
    what: &'static str,
    entries: Vec<(PathBuf, Kind)>,
}

/// What an entry of a folder is.
enum Kind {
    Folder,
    File(fs::Metadata),
    /// A named pipe, socket or device: never read.
    Other,
}

/// Lists the folder of `root`; `None` when it cannot be read or holds a
/// symbolic link. Missing is what a build takes for missing (nothing there,
/// or a link to nothing); any other error is an error to a build too.
fn list(root: Root<'_>) -> Option<Listing> {
    let what = match fs::metadata(root.dir) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => "missing",
        Err(_) => return None,
        Ok(meta) if !meta.is_dir() => "not a folder",
        Ok(_) => "folder",
    };
    let mut entries = Vec::new();
    if what == "folder" {
        walk(root.dir, PathBuf::new(), &mut entries)?;
    }
    Some(Listing { what, entries })
}

/// Lists everything below `dir` (at `relative` inside the root) into `out`,
/// in path order; `None` when a folder cannot be read or holds a link.
fn walk(dir: &Path, relative: PathBuf, out: &mut Vec<(PathBuf, Kind)>) -> Option<()> {
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
            walk(&path, rel, out)?;
        } else if kind.is_file() {
            out.push((rel, Kind::File(meta)));
        } else if kind.is_symlink() {
            return None;
        } else {
            out.push((rel, Kind::Other));
        }
    }
    Some(())
}

/// What one entry is, for the digest.
#[derive(Hash)]
enum Item {
    Folder,
    /// A regular file: its size and its bytes' hash.
    File(u64, u128),
    /// A regular file larger than [`MAX_DIGESTED_BYTES`]: its size, and its
    /// modification and change times in nanoseconds.
    Large(u64, u128, u128),
    Other,
}

/// The digest of a listing: every entry's name and what it is, files by
/// their bytes (read in parallel); `None` when a file cannot be read.
fn folder_digest(root: Root<'_>, listing: &Listing) -> Option<u128> {
    let mut hasher = SipHasher13::new();
    listing.what.hash(&mut hasher);
    let entries = &listing.entries;
    let items: Vec<Option<Item>> = pool().install(|| {
        entries
            .par_iter()
            .map(|(relative, kind)| item(root, &root.dir.join(relative), kind))
            .collect()
    });
    for ((relative, _), item) in entries.iter().zip(items) {
        relative.as_os_str().as_encoded_bytes().hash(&mut hasher);
        item?.hash(&mut hasher);
    }
    Some(hasher.finish128().as_u128())
}

/// The digest item of the entry at `path`; `None` when a file cannot be read.
fn item(root: Root<'_>, path: &Path, kind: &Kind) -> Option<Item> {
    Some(match kind {
        Kind::Folder => Item::Folder,
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

/// The stamp of the listings: what is at each folder's path, every entry's
/// name, and of a file its size, times and inode, none of which a write
/// leaves as they were (the change time moves with every write and cannot
/// be set back).
fn stamp(listings: &[(Root<'_>, Listing)]) -> u128 {
    let mut hasher = SipHasher13::new();
    for (_, listing) in listings {
        listing.what.hash(&mut hasher);
        for (relative, kind) in &listing.entries {
            relative.as_os_str().as_encoded_bytes().hash(&mut hasher);
            match kind {
                Kind::Folder => 0u8.hash(&mut hasher),
                Kind::Other => 1u8.hash(&mut hasher),
                Kind::File(meta) => {
                    (2u8, meta.len(), times(meta), inode(meta)).hash(&mut hasher);
                }
            }
        }
    }
    hasher.finish128().as_u128()
}

/// The latest modification or change time of the files of a listing, in
/// nanoseconds since 1970.
fn newest_time(listing: &Listing) -> u128 {
    listing
        .entries
        .iter()
        .filter_map(|(_, kind)| match kind {
            Kind::File(meta) => {
                let (modified, changed) = times(meta);
                Some(modified.max(changed))
            }
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// A file's modification and change times, in nanoseconds since 1970 (the
/// change time 0 where the system has none).
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

/// A file's device and inode (0 where the system has none).
fn inode(meta: &fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (0, 0)
    }
}

/// The report of the last full build that `fingerprints` (the manifest)
/// records, when `digest` is what it was built from and every file it wrote
/// is as written: its documents unchanged, its diagnostics again.
pub(crate) fn replay(
    config: &BuildConfig,
    fingerprints: &Fingerprints,
    digest: &str,
    started: Instant,
) -> Option<BuildReport> {
    let last = fingerprints.last().filter(|last| last.inputs == digest)?;
    // A record that a build could not have made (a hand-edited manifest) is
    // not trusted: a full build that succeeded had no errors, and recorded
    // every document it wrote as written.
    let wrote_all = last
        .documents
        .iter()
        .all(|(path, _)| fingerprints.is_written(Path::new(path)));
    if last.diagnostics.iter().any(Diagnostic::is_error)
        || !wrote_all
        || !fingerprints.all_as_written(&config.output)
    {
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
/// documents and the diagnostics of its loading (what a build that loads
/// and finds every document unchanged says).
pub(crate) fn last_build(digest: String, report: &BuildReport, loaded: &Diagnostics) -> LastBuild {
    let mut documents: Vec<(String, usize)> = report
        .documents
        .iter()
        .map(|d| (d.path.to_string_lossy().replace('\\', "/"), d.pages))
        .collect();
    documents.sort();
    let mut diagnostics = loaded.clone();
    dedupe(&mut diagnostics);
    LastBuild {
        inputs: digest,
        documents,
        diagnostics: diagnostics.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(config: &BuildConfig) -> Option<String> {
        Inputs::of(config).map(|inputs| inputs.digest)
    }

    /// Sets the modification time of `path`.
    fn set_modified(path: &Path, time: SystemTime) {
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(time)
            .unwrap();
    }

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

        set_modified(&paper, SystemTime::now() - Duration::from_secs(3600));
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

    /// A templates folder that cannot be read is an error to a build, not a
    /// missing folder: no digest.
    #[cfg(unix)]
    #[test]
    fn a_templates_folder_that_cannot_be_read_has_no_digest() {
        let dir = tempfile::tempdir().unwrap();
        let config = BuildConfig::in_project(dir.path());
        fs::create_dir_all(config.content.join("b")).unwrap();
        assert!(digest(&config).is_some(), "no templates folder");
        std::os::unix::fs::symlink("templates", &config.templates).unwrap();
        assert_eq!(digest(&config), None, "a loop of links");
    }

    /// Where a link leads may change outside the project, hop by hop: a
    /// project with one is always loaded.
    #[cfg(unix)]
    #[test]
    fn a_link_in_the_project_leaves_it_without_a_digest() {
        let dir = tempfile::tempdir().unwrap();
        let config = BuildConfig::in_project(dir.path());
        fs::create_dir_all(config.content.join("b")).unwrap();
        fs::write(config.content.join("b/body.yaml"), "id: b").unwrap();
        assert!(digest(&config).is_some());
        std::os::unix::fs::symlink("body.yaml", config.content.join("b/lenke.yaml")).unwrap();
        assert_eq!(digest(&config), None);
    }

    /// A build is not recorded when a file was written while it ran, even
    /// when the write put the old bytes and time back (the change time
    /// moves), nor when one was written just before it.
    #[test]
    fn a_write_during_a_build_or_just_before_it_keeps_it_unrecorded() {
        let dir = tempfile::tempdir().unwrap();
        let config = BuildConfig::in_project(dir.path());
        let paper = config.content.join("b/m/saker/01-24.md");
        fs::create_dir_all(paper.parent().unwrap()).unwrap();
        fs::write(&paper, "Tekst A").unwrap();
        let modified = fs::metadata(&paper).unwrap().modified().unwrap();
        let racy = Inputs::of(&config).unwrap();
        assert!(!racy.unchanged_since(&config), "written just before");

        std::thread::sleep(RACY + Duration::from_millis(100));
        let inputs = Inputs::of(&config).unwrap();
        assert!(inputs.unchanged_since(&config), "nothing written");
        fs::write(&paper, "Tekst B").unwrap();
        std::thread::sleep(Duration::from_millis(50));
        fs::write(&paper, "Tekst A").unwrap();
        set_modified(&paper, modified);
        assert_eq!(Inputs::of(&config).unwrap().digest, inputs.digest);
        assert!(!inputs.unchanged_since(&config), "written and put back");
    }
}
