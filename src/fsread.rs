//! Reading project files, for load and render: every file motebok reads from a
//! project (content, case papers, templates, labels) is read here, confined to
//! its root folder, only when it is a regular file, and never more than a bound.
//!
//! A path is resolved (symbolic links followed) before anything is opened: what
//! resolves outside the root, or is not a regular file (a folder, a named pipe,
//! a device, a socket), is refused unopened, so a refused file's text can never
//! end up in a message. The bound is enforced on the bytes read, not on the size
//! the file system reports: files under `/proc` report a size of 0.

use std::fmt;
use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// A folder that files are read from, with what messages call it.
#[derive(Debug, Clone, Copy)]
pub struct Root<'a> {
    /// The folder, as the user named it.
    pub dir: &'a Path,
    /// What messages call it: `the content folder`.
    pub name: &'static str,
}

impl<'a> Root<'a> {
    /// The content folder `dir`.
    pub fn content(dir: &'a Path) -> Root<'a> {
        Root {
            dir,
            name: "the content folder",
        }
    }

    /// The templates folder `dir`.
    pub fn templates(dir: &'a Path) -> Root<'a> {
        Root {
            dir,
            name: "the templates folder",
        }
    }

    /// The root with symbolic links resolved.
    fn real(&self) -> Result<PathBuf, ReadError> {
        self.dir.canonicalize().map_err(ReadError::Io)
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing is there.
    Missing,
    /// A symbolic link to nothing.
    BrokenLink,
    /// A symbolic link that cannot be followed (a loop of links).
    BadLink(io::Error),
    /// The path resolves outside its root.
    Outside {
        /// Where the path resolves to.
        resolved: PathBuf,
        /// What messages call the root.
        root: &'static str,
    },
    /// Something other than a regular file: what it is (`a folder`).
    NotAFile(&'static str),
    /// The file holds more than `limit` bytes.
    TooLarge {
        /// The bound, in bytes.
        limit: u64,
    },
    /// The system refused (permissions, a loop of symbolic links).
    Io(io::Error),
}

impl ReadError {
    /// Whether nothing is there (not even a broken link).
    pub fn is_missing(&self) -> bool {
        matches!(self, ReadError::Missing)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Missing => write!(f, "it does not exist"),
            ReadError::BrokenLink => {
                write!(f, "it is a symbolic link to a file that does not exist")
            }
            ReadError::Outside { resolved, root } => {
                write!(f, "it leads to {}, outside {root}", resolved.display())
            }
            ReadError::NotAFile(what) => write!(f, "it is {what}, not a regular file"),
            ReadError::TooLarge { limit } => {
                write!(f, "it holds more than the {limit} bytes allowed")
            }
            ReadError::BadLink(err) => {
                write!(f, "it is a symbolic link that cannot be followed ({err})")
            }
            ReadError::Io(err) => write!(f, "{err}"),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(err: io::Error) -> Self {
        ReadError::Io(err)
    }
}

/// Whether anything is at `path`: a file, a folder, a pipe or a symbolic link
/// (even a broken one). Used to decide that a file is meant to be there, so that
/// what cannot be read is reported rather than skipped.
pub fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// `path` with symbolic links resolved, when it resolves inside `root`.
pub fn resolve(root: Root<'_>, path: &Path) -> Result<PathBuf, ReadError> {
    let real = match path.canonicalize() {
        Ok(real) => real,
        Err(err) => {
            let link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            // A path through a file (`paper.md/x`) is as missing as one through nothing.
            let missing = matches!(
                err.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            );
            return Err(match (missing, link) {
                (true, true) => ReadError::BrokenLink,
                (true, false) => ReadError::Missing,
                (false, true) => ReadError::BadLink(err),
                (false, false) => ReadError::Io(err),
            });
        }
    };
    if !real.starts_with(root.real()?) {
        return Err(ReadError::Outside {
            resolved: real,
            root: root.name,
        });
    }
    // Inside at the end, but a `..` may have led out of the root and back in
    // through what lies outside the project, which may change (or vanish)
    // without anything in it changing.
    if let Some(left) = leaves(root.dir, path) {
        return Err(ReadError::Outside {
            resolved: left,
            root: root.name,
        });
    }
    Ok(real)
}

/// Where `path`, taken as written (`.` and `..` not through symbolic links),
/// first leaves the folder `dir` once inside it, or where it ends when it
/// never enters it; `None` when it stays inside.
fn leaves(dir: &Path, path: &Path) -> Option<PathBuf> {
    let dir = lexical_steps(&absolute(dir)).last().unwrap_or_default();
    let mut entered = false;
    let mut end = PathBuf::new();
    for at in lexical_steps(&absolute(path)) {
        let inside = at.starts_with(&dir);
        if entered && !inside {
            return Some(at);
        }
        entered |= inside;
        end = at;
    }
    (!entered).then_some(end)
}

/// `path` made absolute from the current folder.
fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |cwd| cwd.join(path))
    }
}

/// The path so far after each of `path`'s components, `.` and `..` taken as
/// written.
fn lexical_steps(path: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    let mut out = PathBuf::new();
    path.components().map(move |component| {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
        out.clone()
    })
}

/// Reads the file at `path`, which must resolve inside `root`, be a regular
/// file and hold at most `limit` bytes.
pub fn read_file(root: Root<'_>, path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let real = resolve(root, path)?;
    // The type is checked before opening: opening a named pipe waits for a writer.
    regular(&fs::metadata(&real)?)?;
    let file = open_regular(&real)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Opens `path` for reading without waiting (a named pipe put in the file's
/// place after its type was checked opens at once instead of waiting for a
/// writer), and refuses the handle unless it is a regular file. Reads of a
/// regular file ignore the non-blocking flag, so the handle is read as usual.
fn open_regular(path: &Path) -> Result<File, ReadError> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    // The type again, on the handle: the file may have been replaced in between.
    regular(&file.metadata()?)?;
    Ok(file)
}

/// An entry of a folder being walked.
#[derive(Debug)]
pub struct Entry {
    /// Its path (in the folder walked, not resolved).
    pub path: PathBuf,
    /// Its name (a name that is not valid Unicode with replacement characters).
    pub name: String,
    /// What it is.
    pub kind: EntryKind,
}

/// What an entry of a folder is, symbolic links followed.
#[derive(Debug)]
pub enum EntryKind {
    /// A folder, or a link to a folder inside the root.
    Folder,
    /// A link to a folder outside the root: it is not followed.
    OutsideFolder(PathBuf),
    /// Anything else (files, and links that cannot be followed); reading it
    /// says what is wrong with it.
    Other,
}

/// The entries of `dir` (inside `root`), sorted by name.
pub fn entries(root: Root<'_>, dir: &Path) -> io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let file_type = entry.file_type()?;
        let kind = if file_type.is_dir() {
            EntryKind::Folder
        } else if file_type.is_symlink() && path.is_dir() {
            match resolve(root, &path) {
                Ok(_) => EntryKind::Folder,
                Err(ReadError::Outside { resolved, .. }) => EntryKind::OutsideFolder(resolved),
                Err(_) => EntryKind::Other,
            }
        } else {
            EntryKind::Other
        };
        out.push(Entry { path, name, kind });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Refuses what is not a regular file, saying what it is.
fn regular(meta: &Metadata) -> Result<(), ReadError> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    Err(ReadError::NotAFile(if kind.is_dir() {
        "a folder"
    } else {
        special_kind(&kind)
    }))
}

#[cfg(unix)]
fn special_kind(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_kind: &fs::FileType) -> &'static str {
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(dir: &Path) -> Root<'_> {
        Root::content(dir)
    }

    /// A path that leaves the root and comes back in is refused: what it
    /// passes through outside may change without anything inside changing.
    #[test]
    fn a_path_that_leaves_the_root_and_comes_back_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir_all(content.join("a")).unwrap();
        fs::create_dir(dir.path().join("x")).unwrap();
        fs::write(content.join("a/f.png"), "png").unwrap();
        fs::write(dir.path().join("x/f.png"), "png").unwrap();
        let inside = content.join("a/../a/./f.png");
        assert_eq!(read_file(root(&content), &inside, 100).unwrap(), b"png");
        let detour = content.join("a/../../x/../content/a/f.png");
        let err = read_file(root(&content), &detour, 100).unwrap_err();
        assert!(
            matches!(&err, ReadError::Outside { resolved, .. } if resolved == dir.path()),
            "{err}"
        );
        assert!(
            err.to_string().contains("outside the content folder"),
            "{err}"
        );
        let elsewhere = content.join("../x/f.png");
        assert!(matches!(
            read_file(root(&content), &elsewhere, 100),
            Err(ReadError::Outside { .. })
        ));
    }

    #[test]
    fn reads_a_file_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("a")).unwrap();
        fs::write(dir.path().join("a/f.yaml"), "x: 1\n").unwrap();
        let bytes = read_file(root(dir.path()), &dir.path().join("a/f.yaml"), 100).unwrap();
        assert_eq!(bytes, b"x: 1\n");
    }

    #[test]
    fn the_bound_is_on_the_bytes_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, [b'a'; 11]).unwrap();
        assert_eq!(read_file(root(dir.path()), &path, 11).unwrap().len(), 11);
        let err = read_file(root(dir.path()), &path, 10).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { limit: 10 }), "{err}");
    }

    #[test]
    fn missing_files_and_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_file(root(dir.path()), &dir.path().join("nope"), 10).unwrap_err();
        assert!(err.is_missing());
        fs::create_dir(dir.path().join("d")).unwrap();
        let err = read_file(root(dir.path()), &dir.path().join("d"), 10).unwrap_err();
        assert_eq!(err.to_string(), "it is a folder, not a regular file");
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_root_are_refused_and_links_inside_followed() {
        use std::os::unix::fs::symlink;
        let outer = tempfile::tempdir().unwrap();
        let content = outer.path().join("content");
        fs::create_dir(&content).unwrap();
        fs::write(outer.path().join("secret"), "hemmelig").unwrap();
        fs::write(content.join("real"), "ok").unwrap();
        symlink(outer.path().join("secret"), content.join("out")).unwrap();
        symlink(content.join("real"), content.join("in")).unwrap();
        symlink(content.join("gone"), content.join("broken")).unwrap();
        symlink(content.join("loop"), content.join("loop")).unwrap();
        let r = root(&content);
        assert_eq!(read_file(r, &content.join("in"), 10).unwrap(), b"ok");
        let err = read_file(r, &content.join("out"), 10).unwrap_err();
        assert!(matches!(err, ReadError::Outside { .. }), "{err}");
        assert!(!err.to_string().contains("hemmelig"));
        let err = read_file(r, &content.join("broken"), 10).unwrap_err();
        assert!(matches!(err, ReadError::BrokenLink), "{err}");
        let err = read_file(r, &content.join("loop"), 10).unwrap_err();
        assert!(matches!(err, ReadError::BadLink(_)), "{err}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn procfs_files_that_report_no_size_are_still_bounded() {
        // /proc/self/pagemap says it is 0 bytes and reads for gigabytes.
        let proc_root = Path::new("/proc/self");
        let r = Root {
            dir: proc_root,
            name: "/proc/self",
        };
        match read_file(r, &proc_root.join("pagemap"), 4096) {
            Err(ReadError::TooLarge { limit: 4096 }) => {}
            // Some sandboxes refuse pagemap altogether; never an unbounded read.
            Err(ReadError::Io(_)) => {}
            other => panic!("{other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_opened_after_the_type_check_is_refused_without_waiting() {
        // As if a file were swapped for a pipe between the check and the open:
        // opening it must not wait for a writer that never comes.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("meeting.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here
        }
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(open_regular(&fifo).map(|_| ()).map_err(|e| e.to_string()));
        });
        // Only a hang fails here (an open that blocks never sends).
        let result = receive
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("opening a named pipe blocked");
        assert_eq!(
            result.unwrap_err(),
            "it is a named pipe (FIFO), not a regular file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn folders_walked_follow_only_links_inside_the_root() {
        use std::os::unix::fs::symlink;
        let outer = tempfile::tempdir().unwrap();
        let content = outer.path().join("content");
        fs::create_dir_all(content.join("a")).unwrap();
        fs::create_dir(outer.path().join("elsewhere")).unwrap();
        symlink(content.join("a"), content.join("b")).unwrap();
        symlink(outer.path().join("elsewhere"), content.join("c")).unwrap();
        fs::write(content.join("d"), "").unwrap();
        let found = entries(root(&content), &content).unwrap();
        let kinds: Vec<(&str, &EntryKind)> =
            found.iter().map(|e| (e.name.as_str(), &e.kind)).collect();
        assert!(matches!(kinds[0], ("a", EntryKind::Folder)));
        assert!(matches!(kinds[1], ("b", EntryKind::Folder)));
        assert!(matches!(kinds[2], ("c", EntryKind::OutsideFolder(_))));
        assert!(matches!(kinds[3], ("d", EntryKind::Other)));
    }
}
