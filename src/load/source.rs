//! Load stage, reading: the only place that opens content files. Bounded reads,
//! UTF-8 and byte order marks, Office symbol-font characters, characters the
//! fonts cannot print, and YAML parsed into values and then into raw shapes.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml_ng::Value;

use super::messages::{describe_serde_error, describe_yaml_error, join_path, strip_all_locations};
use crate::diagnostic::{Diagnostic, Diagnostics, Position, did_you_mean};
use crate::fsread::{self, EntryKind, ReadError, Root};
use crate::locate::Locator;
use crate::markdown;
use crate::text::{
    SymbolFix, UNKNOWN_SYMBOL, clean_office_text, forbidden_in_pdf, is_combining_mark,
};
use crate::world::Typesetter;

/// Content files larger than this are refused: meeting content is small, and a
/// bound keeps a runaway file from exhausting memory.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The file that marks a body's folder.
pub const BODY_FILE: &str = "body.yaml";
/// The file that marks a meeting's folder.
pub const MEETING_FILE: &str = "meeting.yaml";
/// The minutes file in a meeting's folder.
pub const MINUTES_FILE: &str = "minutes.yaml";

/// The sub-folders of `dir`, sorted by name, links to folders inside the
/// content folder followed. A link to a folder outside it is not followed: an
/// error when the folder holds `marker` (it is meant as a body or meeting), a
/// warning otherwise.
pub(crate) fn sub_folders(
    content_dir: &Path,
    dir: &Path,
    marker: &str,
    diags: &mut Diagnostics,
) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in fsread::entries(Root::content(content_dir), dir)? {
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

const LINK_HINT: &str = "content is only read from inside the content folder: move or copy it there instead of linking to it";

/// A content file read into memory, with what is needed to point into it.
pub(crate) struct SourceFile {
    pub(crate) path: PathBuf,
    pub(crate) text: String,
    locator: Locator,
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
            .at(self.locator.find(field), Some(&self.text))
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
    report_unprintable(path, &text, diags);
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

/// Reports characters that none of the bundled fonts can draw: Typst would print
/// an empty box, and PDF/A export refuses them. Private-use characters are
/// reported by [`report_symbol_fixes`].
fn report_unprintable(path: &Path, text: &str, diags: &mut Diagnostics) {
    let typesetter = Typesetter::shared();
    // Each distinct character is looked up in the fonts once, and reported once.
    let mut seen: HashSet<char> = HashSet::new();
    let (mut line, mut column) = (1, 1);
    let mut base: Option<char> = None;
    // In YAML the character before a mark may be syntax (a quote): marks are
    // checked on the values instead, by `check_escaped_characters`.
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    for c in text.chars() {
        if is_combining_mark(c) {
            if let Some(message) = (!yaml).then(|| unprintable_mark(base, c)).flatten() {
                diags.push(
                    Diagnostic::error(message)
                        .in_file(path)
                        .at(Some(Position { line, column }), Some(text))
                        .hint(MARK_HINT),
                );
            }
        } else {
            base = (!c.is_whitespace()).then_some(c);
        }
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t') || forbidden_in_pdf(c) {
            if seen.insert(c) {
                diags.push(
                    Diagnostic::error(format!(
                        "{} character U+{:04X} cannot be printed",
                        if c.is_control() { "control" } else { "invisible" },
                        u32::from(c)
                    ))
                    .in_file(path)
                    .at(Some(Position { line, column }), Some(text))
                    .hint("remove it; it is invisible in most editors (it often comes from copying out of other programs)"),
                );
            }
        } else if !(c.is_ascii()
            || c.is_whitespace()
            || is_combining_mark(c)
            || ('\u{E000}'..='\u{F8FF}').contains(&c))
            && seen.insert(c)
            && !typesetter.can_print(c)
        {
            diags.push(
                Diagnostic::error(format!(
                    "the character `{c}` (U+{:04X}) cannot be printed: the bundled fonts cannot draw it",
                    u32::from(c)
                ))
                .in_file(path)
                .at(Some(Position { line, column }), Some(text))
                .hint("replace it with a character the fonts have, or describe it in words"),
            );
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
}

const MARK_HINT: &str = "write the accented letter as one character (most keyboards and editors can), or leave the mark out";

/// Why the combining mark `c` after `base` (the last non-space character, if
/// any) cannot be printed, if it cannot.
fn unprintable_mark(base: Option<char>, c: char) -> Option<String> {
    let typesetter = Typesetter::shared();
    let printable = match base {
        Some(b) => typesetter.can_combine(b, c),
        None => typesetter.can_print(c),
    };
    let on = base.map(|b| format!(" on `{b}`")).unwrap_or_default();
    (!printable).then(|| {
        format!(
            "the combining mark U+{:04X} cannot be printed{on} with the bundled fonts",
            u32::from(c)
        )
    })
}

fn report_symbol_fixes(path: &Path, raw: &str, fixes: &[SymbolFix], diags: &mut Diagnostics) {
    let mut mapped: Vec<&SymbolFix> = Vec::new();
    for fix in fixes {
        match fix.replacement {
            Some(_) => mapped.push(fix),
            None => diags.push(
                Diagnostic::warning(format!(
                    "private-use character U+{:04X} (from a symbol font such as Wingdings) has no known equivalent; it prints as {}",
                    u32::from(fix.found),
                    UNKNOWN_SYMBOL
                ))
                .in_file(path)
                .at(Some(fix.position), Some(raw))
                .hint("replace it with a Unicode character, such as • for a bullet"),
            ),
        }
    }
    if let Some(first) = mapped.first() {
        let mut kinds: Vec<String> = mapped
            .iter()
            .map(|f| {
                format!(
                    "U+{:04X} → {}",
                    u32::from(f.found),
                    f.replacement.unwrap_or(f.found)
                )
            })
            .collect();
        kinds.sort();
        kinds.dedup();
        diags.push(
            Diagnostic::warning(format!(
                "{} Office symbol-font character(s) replaced with Unicode ({})",
                mapped.len(),
                kinds.join(", ")
            ))
            .in_file(path)
            .at(Some(first.position), Some(raw))
            .hint("fix the text at the source to silence this warning"),
        );
    }
}

fn position_of_offset(text: &str, offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Position { line, column }
}

/// Reports characters that YAML escapes (`"\x01"`, `"\U0001F600"`) put into text
/// values but that cannot be printed (characters written literally in the file
/// were already reported by [`report_unprintable`]), and combining marks that
/// cannot be drawn on the character before them in the value.
fn check_escaped_characters(file: &SourceFile, value: &Value, path: &str, diags: &mut Diagnostics) {
    match value {
        Value::String(text) => {
            let typesetter = Typesetter::shared();
            let mut base: Option<char> = None;
            for c in text.chars() {
                if is_combining_mark(c) {
                    if let Some(message) = unprintable_mark(base, c) {
                        diags.push(file.error(path, message).hint(MARK_HINT));
                        return;
                    }
                    continue;
                } else {
                    base = (!c.is_whitespace()).then_some(c);
                }
                if file.text.contains(c)
                    || c.is_ascii() && !c.is_control()
                    || matches!(c, '\n' | '\r' | '\t')
                {
                    continue;
                }
                let unprintable = c.is_control()
                    || forbidden_in_pdf(c)
                    || ('\u{E000}'..='\u{F8FF}').contains(&c)
                    || !(c.is_whitespace() || typesetter.can_print(c));
                if unprintable {
                    diags.push(file.error(
                        path,
                        format!("the character U+{:04X}, written as an escape, cannot be printed", u32::from(c)),
                    ).hint("remove the escape sequence or replace it with a character the fonts have"));
                    return;
                }
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                check_escaped_characters(file, item, &format!("{path}[{i}]"), diags);
            }
        }
        Value::Mapping(map) => {
            for (key, item) in map {
                let name = key
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{key:?}"));
                let sub = if path.is_empty() {
                    name
                } else {
                    format!("{path}.{name}")
                };
                check_escaped_characters(file, item, &sub, diags);
            }
        }
        Value::Tagged(tagged) => check_escaped_characters(file, &tagged.value, path, diags),
        _ => {}
    }
}

/// Reads and parses a YAML file into a generic value (syntax errors reported).
pub(crate) fn read_yaml(
    content_dir: &Path,
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<(SourceFile, Value)> {
    let text = read_text(content_dir, path, diags)?;
    match serde_yaml_ng::from_str::<Value>(&text) {
        Ok(value) => {
            let locator = Locator::new(&text);
            let file = SourceFile {
                path: path.to_path_buf(),
                text,
                locator,
            };
            check_escaped_characters(&file, &value, "", diags);
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
    for problem in markdown::check_field(text) {
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
    for problem in markdown::check(&text) {
        diags.push(
            Diagnostic::error(problem.message)
                .in_file(&path)
                .at(Some(position_of_offset(&text, problem.offset)), Some(&text)),
        );
    }
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
