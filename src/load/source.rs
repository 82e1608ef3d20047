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

/// The sub-folders of `dir`, sorted by name.
pub(crate) fn sorted_dirs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

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

/// Reads a text file, bounded in size, with Office symbol characters mapped.
fn read_text(path: &Path, diags: &mut Diagnostics) -> Option<String> {
    let size = match fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(err) => {
            diags.push(Diagnostic::error(format!("failed to read file ({err})")).in_file(path));
            return None;
        }
    };
    if size > MAX_FILE_BYTES {
        diags.push(
            Diagnostic::error(format!(
                "file is {size} bytes, more than the {MAX_FILE_BYTES} bytes allowed for content"
            ))
            .in_file(path),
        );
        return None;
    }
    let raw = match fs::read(path) {
        Ok(raw) => raw,
        Err(err) => {
            diags.push(Diagnostic::error(format!("failed to read file ({err})")).in_file(path));
            return None;
        }
    };
    let raw = match String::from_utf8(raw) {
        Ok(text) => text,
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes());
            let pos = position_of_offset(&text, offset);
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

fn position_of_offset(text: &str, offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Position { line, column }
}

/// Reads and parses a YAML file into a generic value (syntax errors reported).
///
/// Before any parser runs, the nesting depth is checked on the text; before
/// serde expands aliases, what they expand to is weighed (see [`limits`]).
pub(crate) fn read_yaml(path: &Path, diags: &mut Diagnostics) -> Option<(SourceFile, Value)> {
    let text = read_text(path, diags)?;
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
    for problem in markdown::check(text) {
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
    let inside = path
        .canonicalize()
        .ok()
        .zip(content_dir.canonicalize().ok())
        .is_some_and(|(p, root)| p.starts_with(root));
    if !path.is_file() || !inside {
        diags.push(missing_paper(file, field, &path, rel, relative));
        return None;
    }
    let text = read_text(&path, diags)?;
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
            position_of_offset("ab\ncd", 4),
            Position { line: 2, column: 2 }
        );
    }
}
