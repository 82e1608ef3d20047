//! The template set: the built-in templates compiled into the binary, overridden
//! file by file by a project's templates folder (as mdBook's theme folder does).
//!
//! Names are paths relative to the templates folder with `/` separators on every
//! platform (`sak.typ.j2`, `felles/side.typ.j2`, `labels.yaml`): templates import
//! each other by these names, whichever side a file comes from.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::fsread::{self, EntryKind, ReadError, Root};

use super::is_template;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/built_in_templates.rs"));
}

/// How the built-in templates are named in messages, before the file name
/// (`built-in templates/sak.typ.j2`).
pub const BUILT_IN_PREFIX: &str = "built-in templates";

/// Files of a templates folder larger than this are refused: a template is a
/// page of text, and this keeps a stray large file from being read whole.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Subfolders deeper than this in a templates folder are not read: it stops a
/// symbolic link to a folder above (inside the templates folder) from making
/// the walk endless.
const MAX_DEPTH: usize = 8;

/// Whether a file belongs in the template set: a template (`*.typ.j2`,
/// `*.html.j2`) or a data file the templates' owner edits (`*.yaml`, such as
/// `labels.yaml`). Everything else in a templates folder is ignored.
pub fn is_set_file(name: &str) -> bool {
    is_template(name) || name.ends_with(".yaml") || name.ends_with(".yml")
}

/// Where one file of the set comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateOrigin {
    /// Compiled into the binary.
    BuiltIn,
    /// Read from this file of the project's templates folder.
    File(PathBuf),
}

/// One file of the template set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFile {
    /// The name templates use for it (`felles/side.typ.j2`).
    pub name: String,
    /// Its text.
    pub source: String,
    /// Where it comes from.
    pub origin: TemplateOrigin,
}

impl TemplateFile {
    /// The file as messages name it: the real path of a project file, or
    /// `built-in templates/<name>`.
    pub fn path(&self) -> PathBuf {
        match &self.origin {
            TemplateOrigin::BuiltIn => built_in_path(&self.name),
            TemplateOrigin::File(path) => path.clone(),
        }
    }

    /// Whether it is compiled into the binary (not overridden).
    pub fn is_built_in(&self) -> bool {
        self.origin == TemplateOrigin::BuiltIn
    }
}

/// The path messages give a built-in file (`built-in templates/sak.typ.j2`).
pub fn built_in_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{BUILT_IN_PREFIX}/{name}"))
}

/// The built-in files, as `(name, source)`, sorted by name.
pub fn built_in_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    generated::BUILT_IN
        .iter()
        .copied()
        .filter(|(name, _)| is_set_file(name))
}

/// The templates and data files of a build: the built-in ones, each replaced by
/// the project's file of the same name when it has one, plus the project's own
/// extra files (partials of its own). Cheap to clone.
#[derive(Clone, Default)]
pub struct TemplateSet {
    files: Arc<BTreeMap<String, TemplateFile>>,
    folder: Option<PathBuf>,
}

impl fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemplateSet")
            .field("folder", &self.folder)
            .field("files", &self.files.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl TemplateSet {
    /// Only the built-in files.
    pub fn built_in() -> TemplateSet {
        let files = built_in_files()
            .map(|(name, source)| {
                let file = TemplateFile {
                    name: name.to_owned(),
                    // LF whatever the checkout it was built from did to line ends.
                    source: source.replace("\r\n", "\n"),
                    origin: TemplateOrigin::BuiltIn,
                };
                (name.to_owned(), file)
            })
            .collect();
        TemplateSet {
            files: Arc::new(files),
            folder: None,
        }
    }

    /// A set of exactly `files` (for tests and tools; builds use [`TemplateSet::load`]).
    pub fn from_files(files: impl IntoIterator<Item = TemplateFile>) -> TemplateSet {
        let files = files.into_iter().map(|f| (f.name.clone(), f)).collect();
        TemplateSet {
            files: Arc::new(files),
            folder: None,
        }
    }

    /// The built-in files overridden by the files of `folder` (subfolders
    /// included), when it exists; only the built-in ones when it does not.
    /// Reports every file that cannot be read, naming it.
    pub fn load(folder: &Path) -> Result<TemplateSet, Vec<Diagnostic>> {
        let mut set = TemplateSet::built_in();
        match fs::metadata(folder) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(set),
            Err(err) => {
                return Err(vec![folder_error(folder, &err.to_string())]);
            }
            Ok(meta) if !meta.is_dir() => {
                return Err(vec![folder_error(folder, "not a folder")]);
            }
            Ok(_) => {}
        }
        let mut errors = Vec::new();
        let mut found = Vec::new();
        let root = Root::templates(folder);
        walk(root, folder, "", &mut found, &mut errors);
        let files = Arc::make_mut(&mut set.files);
        for (name, path) in found {
            match read_text(root, &path) {
                Ok(source) => {
                    let origin = TemplateOrigin::File(path);
                    let file = TemplateFile {
                        name: name.clone(),
                        source,
                        origin,
                    };
                    files.insert(name, file);
                }
                Err(diag) => errors.push(*diag),
            }
        }
        set.folder = Some(folder.to_path_buf());
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors)
        }
    }

    /// The file named `name` (`labels.yaml`, `felles/side.typ.j2`), if the set has it.
    pub fn file(&self, name: &str) -> Option<&TemplateFile> {
        self.files.get(name)
    }

    /// Every file, sorted by name.
    pub fn files(&self) -> impl Iterator<Item = &TemplateFile> {
        self.files.values()
    }

    /// The templates (`*.typ.j2`, `*.html.j2`), sorted by name.
    pub fn templates(&self) -> impl Iterator<Item = &TemplateFile> {
        self.files().filter(|f| is_template(&f.name))
    }

    /// The project's templates folder the set read, if it exists.
    pub fn folder(&self) -> Option<&Path> {
        self.folder.as_deref()
    }

    /// The path messages give a file of this set that may not exist (a
    /// template that failed to load or is missing): the project's file when the
    /// project has a templates folder, the built-in name otherwise.
    pub fn path_of(&self, name: &str) -> PathBuf {
        match (self.file(name), &self.folder) {
            (Some(file), _) => file.path(),
            (None, Some(folder)) => join_name(folder, name),
            (None, None) => built_in_path(name),
        }
    }

    /// The templates as messages name them when no single file is at fault.
    pub fn describe(&self) -> PathBuf {
        match &self.folder {
            Some(folder) => folder.clone(),
            None => PathBuf::from(BUILT_IN_PREFIX),
        }
    }
}

/// `folder` joined with a `/`-separated name, one component at a time, so the
/// path uses the platform's separator.
pub fn join_name(folder: &Path, name: &str) -> PathBuf {
    name.split('/').fold(folder.to_path_buf(), |p, c| p.join(c))
}

fn folder_error(folder: &Path, why: &str) -> Diagnostic {
    Diagnostic::error(format!("failed to read templates folder ({why})"))
        .in_file(folder)
        .hint(
            "the templates folder overrides the built-in templates file by file; \
             leave it out to build with the built-in ones",
        )
}

/// Collects the set's files under `dir` (hidden files and folders skipped) as
/// (name, path), sorted by name. Links to folders are followed only inside the
/// templates folder `root`; a link leading out of it is an error.
fn walk(
    root: Root<'_>,
    dir: &Path,
    prefix: &str,
    found: &mut Vec<(String, PathBuf)>,
    errors: &mut Vec<Diagnostic>,
) {
    let entries = match fsread::entries(root, dir) {
        Ok(entries) => entries,
        Err(err) => {
            errors.push(folder_error(dir, &err.to_string()));
            return;
        }
    };
    for entry in entries {
        let unicode = entry.path.file_name().is_some_and(|n| n.to_str().is_some());
        if !unicode || entry.name.starts_with('.') {
            continue;
        }
        let name = format!("{prefix}{}", entry.name);
        match entry.kind {
            EntryKind::Folder => {
                if prefix.matches('/').count() < MAX_DEPTH {
                    walk(root, &entry.path, &format!("{name}/"), found, errors);
                }
            }
            EntryKind::OutsideFolder(resolved) => errors.push(
                Diagnostic::error(format!(
                    "the folder is a link to {}, outside the templates folder; it is not followed",
                    resolved.display()
                ))
                .in_file(&entry.path)
                .hint(LINK_HINT),
            ),
            // Reading says what is wrong with anything that is not a regular
            // file inside the folder.
            EntryKind::Other if is_set_file(&name) => found.push((name, entry.path)),
            EntryKind::Other => {}
        }
    }
}

const LINK_HINT: &str = "templates are only read from inside the templates folder: copy it there instead of linking to it";

/// A template file's text, read from inside `root` (see [`fsread::read_file`]),
/// with CRLF line ends made LF (so a file saved on Windows renders exactly like
/// the built-in one) and a byte order mark dropped.
fn read_text(root: Root<'_>, path: &Path) -> Result<String, Box<Diagnostic>> {
    let bytes = fsread::read_file(root, path, MAX_FILE_BYTES).map_err(|err| {
        let diag = Diagnostic::error(format!("failed to read template: {err}")).in_file(path);
        Box::new(match err {
            ReadError::Outside { .. } => diag.hint(LINK_HINT),
            _ => diag,
        })
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Box::new(Diagnostic::error("failed to read template (not UTF-8 text)").in_file(path))
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    Ok(text.replace("\r\n", "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_set_has_the_document_templates() {
        let set = TemplateSet::built_in();
        for name in [
            "innkalling.typ.j2",
            "sak.typ.j2",
            "motepakke.typ.j2",
            "referat.typ.j2",
        ] {
            let file = set
                .file(name)
                .unwrap_or_else(|| panic!("{name} is built in"));
            assert!(file.is_built_in());
            assert_eq!(
                file.path(),
                PathBuf::from(format!("built-in templates/{name}"))
            );
        }
        assert!(set.folder().is_none());
    }

    #[test]
    fn a_missing_folder_gives_the_built_in_set() {
        let dir = tempfile::tempdir().unwrap();
        let set = TemplateSet::load(&dir.path().join("templates")).unwrap();
        assert!(set.files().all(TemplateFile::is_built_in));
    }

    #[test]
    fn project_files_override_by_name_in_subfolders_too() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("felles")).unwrap();
        fs::write(dir.path().join("sak.typ.j2"), "egen\r\nsak\r\n").unwrap();
        fs::write(dir.path().join("felles/egen.typ.j2"), "delmal").unwrap();
        fs::write(dir.path().join("notater.txt"), "ignored").unwrap();
        fs::write(dir.path().join(".sak.typ.j2.swp"), "ignored").unwrap();
        let set = TemplateSet::load(dir.path()).unwrap();
        let sak = set.file("sak.typ.j2").unwrap();
        assert_eq!(sak.source, "egen\nsak\n", "CRLF is read as LF");
        assert_eq!(sak.path(), dir.path().join("sak.typ.j2"));
        let partial = set.file("felles/egen.typ.j2").unwrap();
        assert_eq!(
            partial.path(),
            dir.path().join("felles").join("egen.typ.j2")
        );
        assert!(set.file("innkalling.typ.j2").unwrap().is_built_in());
        assert!(set.file("notater.txt").is_none());
        assert!(set.file(".sak.typ.j2.swp").is_none());
    }

    #[test]
    fn unreadable_files_and_non_folders_are_named() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("sak.typ.j2"), [0xff, 0xfe, 0x00]).unwrap();
        let errors = TemplateSet::load(dir.path()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].file.as_deref(),
            Some(dir.path().join("sak.typ.j2").as_path())
        );
        assert!(
            errors[0].message.contains("not UTF-8"),
            "{}",
            errors[0].message
        );

        let file = dir.path().join("sak.typ.j2");
        let errors = TemplateSet::load(&file).unwrap_err();
        assert_eq!(errors[0].file.as_deref(), Some(file.as_path()));
        assert!(errors[0].message.contains("not a folder"));
    }
}
