//! Load stage, reading: the only place that opens content files. Bounded reads,
//! UTF-8 and byte order marks, Office symbol-font characters, characters the
//! fonts cannot print (checked by `chars`), limits (`limits`), and YAML parsed
//! into values and then into raw shapes.

use std::fs;
use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml_ng::Value;

use super::chars::{EscapeCheck, Findings, report_symbol_fixes, report_unprintable};
use super::limits;
use super::messages::{
    alias_bomb_error, describe_serde_error, describe_yaml_error, join_path, strip_all_locations,
};
use crate::diagnostic::{Diagnostic, Diagnostics, LineIndex, Position, did_you_mean};
use crate::fsread::{self, EntryKind, ReadError, Root};
use crate::locate::Locator;
use crate::markdown;
use crate::text::clean_office_text;

/// Content files larger than this are refused: meeting content is small, and a
/// bound keeps a runaway file from exhausting memory.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The file that marks a body's folder.
pub const BODY_FILE: &str = "body.yaml";
/// The file that marks a meeting's folder.
pub const MEETING_FILE: &str = "meeting.yaml";
/// The minutes file in a meeting's folder.
pub const MINUTES_FILE: &str = "minutes.yaml";

/// The sub-folders of `dir`, sorted by name, hidden ones left out, links to
/// folders inside the content folder followed. A link to a folder outside
/// it is not followed: an error when the folder holds `marker` (it is meant
/// as a body or meeting), a warning otherwise.
pub(crate) fn sub_folders(
    content_dir: &Path,
    dir: &Path,
    marker: &str,
    diags: &mut Diagnostics,
) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in fsread::entries(Root::content(content_dir), dir)? {
        // Hidden folders (`.git`, a copy a sync tool or a script is writing
        // before it renames it) are not bodies or meetings.
        if entry.name.starts_with('.') {
            continue;
        }
        match entry.kind {
            EntryKind::Folder => dirs.push(entry.path),
            EntryKind::OutsideFolder(resolved) => {
                let message = format!(
                    "the folder is a link to {}, outside the content folder; it is not followed",
                    resolved.display()
                );
                let diag = if fsread::exists(&entry.path.join(marker)) {
                    Diagnostic::error(message)
                } else {
                    Diagnostic::warning(message)
                };
                diags.push(diag.in_file(&entry.path).hint(LINK_HINT));
            }
            EntryKind::Other => {}
        }
    }
    Ok(dirs)
}

pub(crate) const LINK_HINT: &str = "content is only read from inside the content folder: move or copy it there instead of linking to it";

/// A content file read into memory, with what is needed to point into it.
pub(crate) struct SourceFile {
    pub(crate) path: PathBuf,
    pub(crate) text: String,
    locator: Locator,
    lines: LineIndex,
}

impl SourceFile {
    /// An error at the value of `field`.
    pub(crate) fn error(&self, field: &str, message: impl Into<String>) -> Diagnostic {
        self.at(Diagnostic::error(message), field)
    }

    /// A warning at the value of `field`.
    pub(crate) fn warning(&self, field: &str, message: impl Into<String>) -> Diagnostic {
        self.at(Diagnostic::warning(message), field)
    }

    fn at(&self, diag: Diagnostic, field: &str) -> Diagnostic {
        diag.in_file(&self.path)
            .at_indexed(self.locator.find(field), &self.text, &self.lines)
            .field(field)
    }
}

/// Reads a text file inside `content_dir` (see [`fsread::read_file`]), with
/// Office symbol characters mapped.
fn read_text(content_dir: &Path, path: &Path, diags: &mut Diagnostics) -> Option<String> {
    let raw = match fsread::read_file(Root::content(content_dir), path, MAX_FILE_BYTES) {
        Ok(raw) => raw,
        Err(err) => {
            diags.push(read_error(path, &err));
            return None;
        }
    };
    text_of(path, raw, diags)
}

/// The text of the bytes read from `path`: UTF-8 without a byte order mark,
/// with Office symbol characters mapped and unprintable characters reported.
fn text_of(path: &Path, raw: Vec<u8>, diags: &mut Diagnostics) -> Option<String> {
    let raw = match String::from_utf8(raw) {
        Ok(text) => text,
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes());
            let pos = LineIndex::new(&text).position(&text, offset);
            diags.push(
                Diagnostic::error("file is not valid UTF-8 text")
                    .in_file(path)
                    .at(Some(pos), None)
                    .hint("save the file as UTF-8"),
            );
            return None;
        }
    };
    // A byte order mark, which Windows editors put at the start of UTF-8 files.
    let raw = match raw.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_owned(),
        None => raw,
    };
    let (text, fixes) = clean_office_text(&raw);
    report_symbol_fixes(path, &raw, &fixes, diags);
    let index = LineIndex::new(&text);
    report_unprintable(path, &text, &index, diags);
    let mut findings = Findings::new(path, &text, &index);
    for found in limits::long_words(&text) {
        let diag = Diagnostic::error(found.message).hint(found.hint);
        findings.push(diags, diag, || index.position(&text, found.offset));
    }
    findings.finish(diags);
    Some(text)
}

/// The error for a file that could not be read: it names the file and never
/// shows its text.
fn read_error(path: &Path, err: &ReadError) -> Diagnostic {
    let diag = Diagnostic::error(format!("failed to read file: {err}")).in_file(path);
    match err {
        ReadError::Outside { .. } => diag.hint(LINK_HINT),
        _ => diag,
    }
}

/// Reads and parses a YAML file into a generic value (syntax errors reported).
///
/// Before any parser runs, the nesting depth is checked on the text; before
/// serde expands aliases, what they expand to is weighed (see [`limits`]).
pub(crate) fn read_yaml(
    content_dir: &Path,
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<(SourceFile, Value)> {
    let text = read_text(content_dir, path, diags)?;
    if let Some(found) = limits::yaml_nesting(&text) {
        let pos = LineIndex::new(&text).position(&text, found.offset);
        let diag = Diagnostic::error(found.message).hint(found.hint);
        diags.push(diag.in_file(path).at(Some(pos), Some(&text)));
        return None;
    }
    if let Some(pos) = limits::alias_bomb(&text) {
        diags.push(
            alias_bomb_error(pos)
                .in_file(path)
                .at(Some(pos), Some(&text)),
        );
        return None;
    }
    if let Some(found) = limits::long_yaml_text(&text) {
        let pos = LineIndex::new(&text).position(&text, found.offset);
        let diag = Diagnostic::error(found.message).hint(found.hint);
        diags.push(diag.in_file(path).at(Some(pos), Some(&text)));
        return None;
    }
    match serde_yaml_ng::from_str::<Value>(&text) {
        Ok(value) => {
            let locator = Locator::new(&text);
            let lines = LineIndex::new(&text);
            let file = SourceFile {
                path: path.to_path_buf(),
                text,
                locator,
                lines,
            };
            let mut check = EscapeCheck::new(&file.text);
            check.check(&value, "");
            for (field, diag) in check.found {
                diags.push(file.at(diag, &field));
            }
            Some((file, value))
        }
        Err(err) => {
            let pos = err.location().map(|l| Position {
                line: l.line(),
                column: l.column(),
            });
            let diag = describe_yaml_error(&err.to_string(), pos, &text);
            let pos = diag.position;
            diags.push(diag.in_file(path).at(pos, Some(&text)));
            None
        }
    }
}

/// Deserializes `value` (found at `base` in `file`) into `T`, reporting a failure at its field.
pub(crate) fn typed<T: DeserializeOwned>(
    file: &SourceFile,
    base: &str,
    value: Value,
    diags: &mut Diagnostics,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(err) => {
            let inner = err.inner().to_string();
            let sub = err.path().to_string();
            let path = join_path(base, if sub == "." { "" } else { &sub });
            let wording = describe_serde_error(&path, &strip_all_locations(&inner));
            let mut diag = file
                .error(&wording.at, wording.message)
                .field(wording.field);
            if let Some(hint) = wording.hint {
                diag = diag.hint(hint);
            }
            diags.push(diag);
            None
        }
    }
}

/// Reports Markdown that cannot be printed in the field `field` of `file`.
pub(crate) fn check_markdown(file: &SourceFile, field: &str, text: &str, diags: &mut Diagnostics) {
    for problem in markdown::check_field(text)
        .into_iter()
        .chain(markdown::fences::outside_paper(text))
    {
        diags.push(file.error(field, problem.message));
    }
}

/// Reads the case paper `relative` named at `field` of `file`, confined to
/// `content_dir`; `dir` is the meeting folder the path is relative to.
pub(crate) fn read_paper(
    file: &SourceFile,
    field: &str,
    (content_dir, dir): (&Path, &Path),
    relative: &str,
    diags: &mut Diagnostics,
) -> Option<String> {
    let rel = Path::new(relative);
    let escapes = rel.is_absolute()
        || rel.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::Prefix(_) | Component::RootDir
            )
        });
    if escapes {
        diags.push(
            file.error(
                field,
                format!("`{relative}` points outside the meeting folder"),
            )
            .hint("give the path relative to the meeting folder, such as saker/38-20.md"),
        );
        return None;
    }
    let path = dir.join(rel);
    let text = match fsread::read_file(Root::content(content_dir), &path, MAX_FILE_BYTES) {
        Ok(raw) => text_of(&path, raw, diags)?,
        Err(err) if err.is_missing() => {
            diags.push(missing_paper(file, field, &path, rel, relative));
            return None;
        }
        Err(err) => {
            let diag = file.error(field, format!("cannot read case paper `{relative}`: {err}"));
            diags.push(match err {
                ReadError::Outside { .. } => diag.hint(LINK_HINT),
                _ => diag,
            });
            return None;
        }
    };
    let index = LineIndex::new(&text);
    if let Some(found) = limits::markdown_blocks(&text) {
        let at = Some(index.position(&text, found.offset));
        let diag = Diagnostic::error(found.message).hint(found.hint);
        diags.push(diag.in_file(&path).at_indexed(at, &text, &index));
        return None;
    }
    let mut findings = Findings::new(&path, &text, &index);
    for problem in markdown::check(&text) {
        let at = || index.position(&text, problem.offset);
        findings.push(diags, Diagnostic::error(problem.message), at);
    }
    findings.finish(diags);
    Some(text)
}

/// The error for a case paper that is not there, with a close file name as hint.
fn missing_paper(
    file: &SourceFile,
    field: &str,
    path: &Path,
    rel: &Path,
    relative: &str,
) -> Diagnostic {
    let mut diag = file.error(field, format!("case paper `{relative}` does not exist"));
    if let Some(parent) = path.parent() {
        let names: Vec<String> = fs::read_dir(parent)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let wanted = rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(best) = did_you_mean(&wanted, names.iter().map(String::as_str)) {
            diag = diag.hint(format!("did you mean `{best}`?"));
        }
    }
    diag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_positions() {
        assert_eq!(
            LineIndex::new("ab\ncd").position("ab\ncd", 4),
            Position { line: 2, column: 2 }
        );
    }
}
