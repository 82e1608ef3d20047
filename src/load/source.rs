//! Load stage, reading: the only place that opens content files. Bounded reads,
//! UTF-8 and byte order marks, Office symbol-font characters, characters the
//! fonts cannot print, and YAML parsed into values and then into raw shapes.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml_ng::Value;

use super::limits;
use super::messages::{
    alias_bomb_error, describe_serde_error, describe_yaml_error, join_path, strip_all_locations,
};
use crate::diagnostic::{
    Diagnostic, Diagnostics, LineIndex, MAX_PER_FILE, Position, Severity, did_you_mean,
};
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
    for found in limits::long_words(&text, MAX_PER_FILE) {
        let diag = Diagnostic::error(found.message).hint(found.hint);
        findings.push(diags, diag, || index.position(&text, found.offset));
    }
    findings.finish(diags);
    Some(text)
}

/// Trial typesettings (see [`Typesetter::try_print`]) one file may cause to
/// learn whether its characters print: each is a compilation under a lock, so
/// a file of 64 000 different accented letters is refused instead of probed.
const MAX_PROBES_PER_FILE: usize = 64;

/// The probes one file has left, and whether running out is reported.
struct Probes {
    left: usize,
    out: bool,
    reported: bool,
}

impl Probes {
    fn new() -> Probes {
        Probes {
            left: MAX_PROBES_PER_FILE,
            out: false,
            reported: false,
        }
    }

    /// Whether `c` prints; unchecked characters count as printable once the
    /// probes are spent (see [`Probes::refusal`]).
    fn can_print(&mut self, c: char) -> bool {
        let known = Typesetter::shared().try_print(c, &mut self.left);
        self.out |= known.is_none();
        known.unwrap_or(true)
    }

    /// Whether the combining `mark` can be drawn on `base`.
    fn can_combine(&mut self, base: char, mark: char) -> bool {
        let known = Typesetter::shared().try_combine(base, mark, &mut self.left);
        self.out |= known.is_none();
        known.unwrap_or(true)
    }

    /// The error for a file whose characters could not all be checked, the
    /// first time a check went unanswered.
    fn refusal(&mut self) -> Option<Diagnostic> {
        (self.out && !std::mem::replace(&mut self.reported, true)).then(|| {
            Diagnostic::error(format!(
                "more than {MAX_PROBES_PER_FILE} different unusual characters or accented letters in one file: they cannot all be checked"
            ))
            .hint("write accented letters as one character each, and use fewer special characters; or split the text over several files")
        })
    }
}

/// Diagnostics of one check of one file: the first [`MAX_PER_FILE`] placed
/// and kept, the rest only counted (their positions are never computed).
struct Findings<'a> {
    path: &'a Path,
    text: &'a str,
    index: &'a LineIndex,
    shown: usize,
    hidden: usize,
    hidden_error: bool,
}

impl<'a> Findings<'a> {
    fn new(path: &'a Path, text: &'a str, index: &'a LineIndex) -> Self {
        Findings {
            path,
            text,
            index,
            shown: 0,
            hidden: 0,
            hidden_error: false,
        }
    }

    /// Adds `diag` at the position `at` gives, or counts it.
    fn push(&mut self, diags: &mut Diagnostics, diag: Diagnostic, at: impl FnOnce() -> Position) {
        if self.shown < MAX_PER_FILE {
            self.shown += 1;
            let diag = diag.in_file(self.path);
            diags.push(diag.at_indexed(Some(at()), self.text, self.index));
        } else {
            self.hidden += 1;
            self.hidden_error |= diag.is_error();
        }
    }

    /// Adds one summary of the diagnostics only counted, if any.
    fn finish(self, diags: &mut Diagnostics) {
        if self.hidden > 0 {
            let severity = if self.hidden_error {
                Severity::Error
            } else {
                Severity::Warning
            };
            diags.push(Diagnostic::more(Some(self.path), self.hidden, severity));
        }
    }
}

/// Reports characters that none of the bundled fonts can draw: Typst would print
/// an empty box, and PDF/A export refuses them. Private-use characters are
/// reported by [`report_symbol_fixes`].
fn report_unprintable(path: &Path, text: &str, index: &LineIndex, diags: &mut Diagnostics) {
    let mut findings = Findings::new(path, text, index);
    let mut probes = Probes::new();
    // Each distinct character is looked up in the fonts once, and reported once.
    let mut seen: HashSet<char> = HashSet::new();
    let (mut line, mut column) = (1, 1);
    let mut base: Option<char> = None;
    // In YAML the character before a mark may be syntax (a quote): marks are
    // checked on the values instead, by `check_escaped_characters`.
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    for c in text.chars() {
        let at = || Position { line, column };
        if is_combining_mark(c) {
            if let Some(message) = (!yaml)
                .then(|| unprintable_mark(base, c, &mut probes))
                .flatten()
            {
                findings.push(diags, Diagnostic::error(message).hint(MARK_HINT), at);
            }
        } else {
            base = (!c.is_whitespace()).then_some(c);
        }
        if let Some(diag) = unprintable_char(c, &mut seen, &mut probes) {
            findings.push(diags, diag, at);
        }
        if let Some(diag) = probes.refusal() {
            findings.push(diags, diag, at);
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    findings.finish(diags);
}

/// The error for the character `c` when it cannot be printed and is not yet
/// in `seen`.
fn unprintable_char(c: char, seen: &mut HashSet<char>, probes: &mut Probes) -> Option<Diagnostic> {
    if c.is_control() && !matches!(c, '\n' | '\r' | '\t') || forbidden_in_pdf(c) {
        return seen.insert(c).then(|| {
            Diagnostic::error(format!(
                "{} character U+{:04X} cannot be printed",
                if c.is_control() { "control" } else { "invisible" },
                u32::from(c)
            ))
            .hint("remove it; it is invisible in most editors (it often comes from copying out of other programs)")
        });
    }
    let unprintable = !(c.is_ascii()
        || c.is_whitespace()
        || is_combining_mark(c)
        || ('\u{E000}'..='\u{F8FF}').contains(&c))
        && seen.insert(c)
        && !probes.can_print(c);
    unprintable.then(|| {
        Diagnostic::error(format!(
            "the character `{c}` (U+{:04X}) cannot be printed: the bundled fonts cannot draw it",
            u32::from(c)
        ))
        .hint("replace it with a character the fonts have, or describe it in words")
    })
}

const MARK_HINT: &str = "write the accented letter as one character (most keyboards and editors can), or leave the mark out";

/// Why the combining mark `c` after `base` (the last non-space character, if
/// any) cannot be printed, if it cannot.
fn unprintable_mark(base: Option<char>, c: char, probes: &mut Probes) -> Option<String> {
    let printable = match base {
        Some(b) => probes.can_combine(b, c),
        None => probes.can_print(c),
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
    if fixes.is_empty() {
        return;
    }
    let index = LineIndex::new(raw);
    let mut findings = Findings::new(path, raw, &index);
    let mut mapped: Vec<&SymbolFix> = Vec::new();
    for fix in fixes {
        match fix.replacement {
            Some(_) => mapped.push(fix),
            None => findings.push(
                diags,
                Diagnostic::warning(format!(
                    "private-use character U+{:04X} (from a symbol font such as Wingdings) has no known equivalent; it prints as {}",
                    u32::from(fix.found),
                    UNKNOWN_SYMBOL
                ))
                .hint("replace it with a Unicode character, such as • for a bullet"),
                || fix.position,
            ),
        }
    }
    findings.finish(diags);
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
            .at_indexed(Some(first.position), raw, &index)
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

/// What checking the text values of one YAML file needs: the characters
/// written literally in the file (found once, not searched per character) and
/// the probes the file has left.
struct EscapeCheck<'a> {
    file: &'a SourceFile,
    literal: HashSet<char>,
    probes: Probes,
}

/// Reports characters that YAML escapes (`"\x01"`, `"\U0001F600"`) put into text
/// values but that cannot be printed (characters written literally in the file
/// were already reported by [`report_unprintable`]), and combining marks that
/// cannot be drawn on the character before them in the value.
fn check_escaped_characters(
    check: &mut EscapeCheck<'_>,
    value: &Value,
    path: &str,
    diags: &mut Diagnostics,
) {
    match value {
        Value::String(text) => {
            if let Some(diag) = check_value_text(check, text, path) {
                diags.push(diag);
            }
            if let Some(diag) = check.probes.refusal() {
                diags.push(check.file.at(diag, path));
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                check_escaped_characters(check, item, &format!("{path}[{i}]"), diags);
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
                check_escaped_characters(check, item, &sub, diags);
            }
        }
        Value::Tagged(tagged) => check_escaped_characters(check, &tagged.value, path, diags),
        _ => {}
    }
}

/// The first problem of the text value at `path`, if any.
fn check_value_text(check: &mut EscapeCheck<'_>, text: &str, path: &str) -> Option<Diagnostic> {
    let file = check.file;
    let mut base: Option<char> = None;
    for c in text.chars() {
        if is_combining_mark(c) {
            if let Some(message) = unprintable_mark(base, c, &mut check.probes) {
                return Some(file.error(path, message).hint(MARK_HINT));
            }
            continue;
        }
        base = (!c.is_whitespace()).then_some(c);
        if c.is_ascii() && !c.is_control()
            || matches!(c, '\n' | '\r' | '\t')
            || check.literal.contains(&c)
        {
            continue;
        }
        let unprintable = c.is_control()
            || forbidden_in_pdf(c)
            || ('\u{E000}'..='\u{F8FF}').contains(&c)
            || !(c.is_whitespace() || check.probes.can_print(c));
        if unprintable {
            return Some(
                file.error(
                    path,
                    format!(
                        "the character U+{:04X}, written as an escape, cannot be printed",
                        u32::from(c)
                    ),
                )
                .hint("remove the escape sequence or replace it with a character the fonts have"),
            );
        }
    }
    None
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
            let mut check = EscapeCheck {
                file: &file,
                literal: file.text.chars().collect(),
                probes: Probes::new(),
            };
            check_escaped_characters(&mut check, &value, "", diags);
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
