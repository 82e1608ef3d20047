//! Reads `content/` into the model, reporting every problem with file, line and field.

use std::collections::HashMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_yaml_ng::Value;

use crate::derive::{self, Clock, Date};
use crate::diagnostic::{Diagnostic, Diagnostics, Position, did_you_mean};
use crate::locate::Locator;
use crate::markdown;
use crate::model::{
    ActionPoint, AgendaRow, Body, BodyContent, CaseItem, CaseNumber, Kind, Meeting, Member, Person,
    Project, Role, RosterEntry, Standing,
};
use crate::text::clean_office_text;

/// Content files larger than this are refused: meeting content is small, and a
/// bound keeps a runaway file from exhausting memory.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The file that marks a body's folder.
pub const BODY_FILE: &str = "body.yaml";
/// The file that marks a meeting's folder.
pub const MEETING_FILE: &str = "meeting.yaml";

/// Loads every body and meeting under `content_dir`.
///
/// Returns what could be loaded and all diagnostics; callers must not build
/// when the diagnostics contain errors.
pub fn load_project(content_dir: &Path) -> (Project, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut project = Project::default();
    let entries = match sorted_dirs(content_dir) {
        Ok(dirs) => dirs,
        Err(err) => {
            diags.push(
                Diagnostic::error(format!("failed to read content folder ({err})"))
                    .in_file(content_dir),
            );
            return (project, diags);
        }
    };
    for dir in entries {
        if dir.join(BODY_FILE).is_file() {
            if let Some(body) = load_body_dir(content_dir, &dir, &mut diags) {
                project.bodies.push(body);
            }
        }
    }
    if project.bodies.is_empty() && !diags.has_errors() {
        diags.push(
            Diagnostic::error(format!(
                "no bodies found: expected folders with a {BODY_FILE}, such as content/nehs/{BODY_FILE}"
            ))
            .in_file(content_dir),
        );
    }
    (project, diags)
}

fn sorted_dirs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
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

fn load_body_dir(content_dir: &Path, dir: &Path, diags: &mut Diagnostics) -> Option<BodyContent> {
    let body = load_body(&dir.join(BODY_FILE), diags)?;
    let mut raws = Vec::new();
    match sorted_dirs(dir) {
        Ok(dirs) => {
            for meeting_dir in dirs.iter().filter(|d| d.join(MEETING_FILE).is_file()) {
                raws.extend(read_meeting(meeting_dir, diags));
            }
        }
        Err(err) => {
            diags.push(Diagnostic::error(format!("failed to read folder ({err})")).in_file(dir))
        }
    }
    // Meetings are resolved in date order: case numbers, the previous meeting and
    // action points run from one meeting to the next.
    raws.sort_by(|a, b| a.date.cmp(&b.date).then(a.dir.cmp(&b.dir)));
    let mut cycle = Cycle::default();
    let mut meetings = Vec::new();
    for raw in raws {
        meetings.extend(resolve_meeting(content_dir, raw, &body, &mut cycle, diags));
    }
    Some(BodyContent {
        body,
        meetings,
        dir: dir.to_path_buf(),
    })
}

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
    report_unprintable(path, &text, diags);
    Some(text)
}

/// Reports characters that none of the bundled fonts can draw: Typst would print
/// an empty box, and PDF/A export refuses them. Private-use characters are
/// reported by [`report_symbol_fixes`].
fn report_unprintable(path: &Path, text: &str, diags: &mut Diagnostics) {
    let typesetter = crate::world::Typesetter::shared();
    // Each distinct character is looked up in the fonts once, and reported once.
    let mut seen: std::collections::HashSet<char> = std::collections::HashSet::new();
    let (mut line, mut column) = (1, 1);
    let mut base: Option<char> = None;
    // In YAML the character before a mark may be syntax (a quote): marks are
    // checked on the values instead, by `check_escaped_characters`.
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    for c in text.chars() {
        if crate::text::is_combining_mark(c) {
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
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t') || crate::text::forbidden_in_pdf(c) {
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
            || crate::text::is_combining_mark(c)
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
    let typesetter = crate::world::Typesetter::shared();
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

fn report_symbol_fixes(
    path: &Path,
    raw: &str,
    fixes: &[crate::text::SymbolFix],
    diags: &mut Diagnostics,
) {
    let mut mapped: Vec<&crate::text::SymbolFix> = Vec::new();
    for fix in fixes {
        match fix.replacement {
            Some(_) => mapped.push(fix),
            None => diags.push(
                Diagnostic::warning(format!(
                    "private-use character U+{:04X} (from a symbol font such as Wingdings) has no known equivalent; it prints as {}",
                    u32::from(fix.found),
                    crate::text::UNKNOWN_SYMBOL
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
            let typesetter = crate::world::Typesetter::shared();
            let mut base: Option<char> = None;
            for c in text.chars() {
                if crate::text::is_combining_mark(c) {
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
                    || crate::text::forbidden_in_pdf(c)
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
pub(crate) fn read_yaml(path: &Path, diags: &mut Diagnostics) -> Option<(SourceFile, Value)> {
    let text = read_text(path, diags)?;
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
            diags.push(describe_serde_error(
                file,
                &path,
                &strip_all_locations(&inner),
            ));
            None
        }
    }
}

fn join_path(base: &str, sub: &str) -> String {
    match (base.is_empty(), sub.is_empty()) {
        (_, true) => base.to_owned(),
        (true, false) => sub.to_owned(),
        (false, false) if sub.starts_with('[') => format!("{base}{sub}"),
        (false, false) => format!("{base}.{sub}"),
    }
}

/// Turns serde's wording into a message for people who do not write Rust.
fn describe_serde_error(file: &SourceFile, path: &str, message: &str) -> Diagnostic {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (found, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let field_path = join_path(path, found);
        let mut diag = file.error(&field_path, format!("unknown field `{found}`"));
        diag.field = Some(path.to_owned()).filter(|p| !p.is_empty());
        diag = match did_you_mean(found, candidates.iter().copied()) {
            Some(best) => diag.hint(format!("did you mean `{best}`?")),
            None => diag.hint(format!("expected one of: {}", candidates.join(", "))),
        };
        return diag;
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        let mut diag = file.error(path, format!("missing required field `{name}`"));
        diag.field = Some(path.to_owned()).filter(|p| !p.is_empty());
        return diag;
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (found, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let diag = file.error(
            path,
            format!("`{found}` is not one of: {}", candidates.join(", ")),
        );
        return match did_you_mean(found, candidates.iter().copied()) {
            Some(best) => diag.hint(format!("did you mean `{best}`?")),
            None => diag,
        };
    }
    if message.contains("did not match any variant of untagged enum PresenterSpec") {
        return file.error(
            path,
            "expected a member id, a guest `{ name, organisation }` or a list of these",
        );
    }
    if message.contains("did not match any variant of untagged enum OneOrMany") {
        return file.error(path, "expected a text or a list of texts");
    }
    let message = message
        .replace("invalid type: ", "wrong type: found ")
        .replace("u32", "a whole number")
        .replace("a string", "a text");
    file.error(path, message)
}

/// Turns a YAML parser's message into one for people who do not know YAML's
/// grammar, pointing where the fix belongs (an unclosed quote is reported where
/// it opens, not at the end of the file where the parser gave up).
fn describe_yaml_error(message: &str, position: Option<Position>, text: &str) -> Diagnostic {
    let marks = yaml_marks(message);
    let plain = strip_all_locations(message);
    let context = marks.get(1).copied();
    let (message, position, hint) = if plain.contains("while scanning a quoted scalar") {
        (
            "a quoted text starts here but its closing quote is missing".to_owned(),
            context.or(position),
            Some("end the text with the same quote it starts with (\" or ')"),
        )
    } else if plain.contains("while parsing a flow sequence") {
        (
            "a list opened with `[` here is not closed with `]`".to_owned(),
            context.or(position),
            Some("close the list, or put the text in quotes if the `[` belongs to it"),
        )
    } else if plain.contains("while parsing a flow mapping") {
        (
            "a mapping opened with `{` here is not closed with `}`".to_owned(),
            context.or(position),
            Some("close it, or put the text in quotes if the `{` belongs to it"),
        )
    } else if plain.contains("unknown escape character") {
        (
            "unknown escape sequence (a `\\` followed by a character YAML does not know) in a double-quoted text".to_owned(),
            position,
            Some("write `\\\\` for a backslash, or use single quotes, in which `\\` is an ordinary character"),
        )
    } else if plain.contains("tab character") {
        (
            "a tab character is used for indentation".to_owned(),
            position,
            Some("indent with spaces; YAML does not allow tabs for indentation"),
        )
    } else if plain.contains("repetition limit exceeded") {
        (
            "aliases expand to too many values (is this a YAML alias bomb?)".to_owned(),
            position.or_else(|| crate::locate::first_alias(text)),
            Some(
                "write the values out instead of repeating anchors (`&name`) through aliases (`*name`)",
            ),
        )
    } else if plain.contains("recursion limit exceeded") {
        (
            "lists or mappings are nested too deeply".to_owned(),
            position,
            None,
        )
    } else if plain.contains("mapping values are not allowed in this context") {
        (
            "a `:` where YAML does not expect one".to_owned(),
            position,
            Some("put text containing `: ` in quotes, or check the indentation of the line"),
        )
    } else {
        (plain, position, None)
    };
    let mut diag = Diagnostic::error(format!("invalid YAML: {message}"));
    diag.position = position;
    if let Some(hint) = hint {
        diag = diag.hint(hint);
    }
    diag
}

/// The `line N column M` marks in a YAML parser's message, in order.
fn yaml_marks(message: &str) -> Vec<Position> {
    let mut marks = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        rest = &rest[i + 5..];
        let line: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = &rest[line.len()..];
        if let Some(col) = after.strip_prefix(" column ") {
            let column: String = col.chars().take_while(char::is_ascii_digit).collect();
            if let (Ok(line), Ok(column)) = (line.parse(), column.parse()) {
                marks.push(Position { line, column });
            }
        }
    }
    marks
}

/// `message` without any ` at line N column M` (the position is shown separately).
fn strip_all_locations(message: &str) -> String {
    let mut out = message.to_owned();
    while let Some(i) = out.find(" at line ") {
        let tail = &out[i + 9..];
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        let Some(col) = tail[digits..].strip_prefix(" column ") else {
            break;
        };
        let col_digits = col.chars().take_while(char::is_ascii_digit).count();
        let end = i + 9 + digits + " column ".len() + col_digits;
        out.replace_range(i..end, "");
    }
    out
}

/// Accepts a scalar written as text or as a number (YAML reads `2020` as a number).
pub(crate) fn scalar_text<'de, D: serde::Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Int(i64),
        Float(f64),
    }
    Ok(match Scalar::deserialize(de)? {
        Scalar::Text(s) => s,
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
    })
}

pub(crate) fn opt_scalar_text<'de, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<Option<String>, D::Error> {
    scalar_text(de).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BodyFile {
    id: String,
    name: String,
    #[serde(default)]
    short_name: Option<String>,
    organisation: String,
    #[serde(default)]
    footer: Option<String>,
    members: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberFile {
    id: String,
    name: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    organisation: Option<String>,
    role: Role,
    #[serde(default)]
    role_label: Option<String>,
}

/// Loads `body.yaml`.
fn load_body(path: &Path, diags: &mut Diagnostics) -> Option<Body> {
    let (file, value) = read_yaml(path, diags)?;
    let raw: BodyFile = typed(&file, "", value, diags)?;
    let mut members: Vec<Member> = Vec::new();
    for (i, value) in raw.members.into_iter().enumerate() {
        let field = format!("members[{i}]");
        let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
        let Some(m) = typed::<MemberFile>(&file, &field, value, diags) else {
            // The error is reported; the id stays known so that references to
            // the member are not reported as unknown too.
            if let Some(id) = id.filter(|id| members.iter().all(|m| &m.id != id)) {
                members.push(Member {
                    id: id.clone(),
                    name: id,
                    title: None,
                    organisation: None,
                    role: Role::Member,
                    role_label: Role::Member.label().to_owned(),
                });
            }
            continue;
        };
        if !valid_id(&m.id) {
            diags.push(file.error(
                &format!("{field}.id"),
                format!(
                    "`{}` is not a valid id: use lower-case letters, digits and `-`",
                    m.id
                ),
            ));
        }
        if members.iter().any(|other| other.id == m.id) {
            diags.push(file.error(
                &format!("{field}.id"),
                format!("member id `{}` is used twice", m.id),
            ));
            continue;
        }
        members.push(Member {
            role_label: m.role_label.unwrap_or_else(|| m.role.label().to_owned()),
            id: m.id,
            name: m.name,
            title: m.title,
            organisation: m.organisation,
            role: m.role,
        });
    }
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if raw.id != folder {
        diags.push(file.warning(
            "id",
            format!(
                "body id `{}` differs from its folder name `{folder}`; output goes to output/{}",
                raw.id, raw.id
            ),
        ));
    }
    if !valid_id(&raw.id) {
        diags.push(file.error(
            "id",
            format!(
                "`{}` is not a valid id: use lower-case letters, digits and `-`",
                raw.id
            ),
        ));
    }
    Some(Body {
        short_name: raw.short_name.unwrap_or_else(|| raw.name.clone()),
        id: raw.id,
        name: raw.name,
        organisation: raw.organisation,
        footer: raw.footer,
        members,
    })
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeetingFile {
    #[serde(deserialize_with = "scalar_text")]
    number: String,
    #[serde(deserialize_with = "scalar_text")]
    date: String,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    start: Option<String>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    end: Option<String>,
    place: String,
    #[serde(default)]
    video_link: Option<String>,
    #[serde(default)]
    chair: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    previous_meeting: Option<PreviousFile>,
    #[serde(default)]
    order_note: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    substitutes: Vec<Value>,
    agenda: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviousFile {
    #[serde(deserialize_with = "scalar_text")]
    date: String,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    number: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubstituteFile {
    #[serde(rename = "for")]
    replaces: String,
    name: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    organisation: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgendaFile {
    #[serde(rename = "break", default)]
    break_label: Option<String>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    case: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    standing: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    presenter: Option<PresenterSpec>,
    #[serde(default)]
    duration: Option<u32>,
    #[serde(default)]
    paper: Option<String>,
    #[serde(default)]
    proposed_decision: Option<OneOrMany>,
    #[serde(default)]
    decision_heading: Option<String>,
    #[serde(default)]
    paper_title: Option<String>,
    #[serde(default)]
    postponed: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PresenterSpec {
    One(PersonSpec),
    Many(Vec<PersonSpec>),
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum PersonSpec {
    Id(String),
    Guest {
        name: String,
        #[serde(default)]
        organisation: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

/// The meeting number `N/YYYY`.
fn valid_meeting_number(text: &str) -> bool {
    match text.split_once('/') {
        Some((n, y)) => {
            !n.is_empty()
                && y.len() == 4
                && n.bytes().chain(y.bytes()).all(|b| b.is_ascii_digit())
                && n.parse::<u32>().is_ok_and(|n| n > 0)
        }
        None => false,
    }
}

/// A meeting file read and typed, not yet resolved against the body.
struct RawMeeting {
    dir: PathBuf,
    file: SourceFile,
    raw: MeetingFile,
    date: Option<Date>,
}

/// Reads one meeting folder's `meeting.yaml`.
fn read_meeting(dir: &Path, diags: &mut Diagnostics) -> Option<RawMeeting> {
    let (file, value) = read_yaml(&dir.join(MEETING_FILE), diags)?;
    let raw: MeetingFile = typed(&file, "", value, diags)?;
    let date = Date::parse(&raw.date);
    if date.is_none() {
        diags.push(
            file.error("date", format!("`{}` is not a valid date", raw.date))
                .hint("write the date as YYYY-MM-DD, such as 2020-12-16"),
        );
    }
    Some(RawMeeting {
        dir: dir.to_path_buf(),
        file,
        raw,
        date,
    })
}

/// What runs from one meeting of a body to the next, in date order.
#[derive(Default)]
pub(crate) struct Cycle {
    /// The latest meeting resolved: date and number.
    previous: Option<(Date, String)>,
    /// Every case number used so far, with the meeting and file that used it.
    cases: HashMap<CaseNumber, (String, PathBuf)>,
    /// Per two-digit year: the highest case number so far and its meeting.
    year_max: HashMap<u32, (u32, String)>,
    /// Action points in the order raised, with their latest status.
    pub(crate) actions: Vec<ActionPoint>,
    /// Ids of the action points the latest minutes closed.
    pub(crate) closed_last: Vec<String>,
}

/// Resolves one meeting against its body and what earlier meetings left.
fn resolve_meeting(
    content_dir: &Path,
    raw: RawMeeting,
    body: &Body,
    cycle: &mut Cycle,
    diags: &mut Diagnostics,
) -> Option<Meeting> {
    let RawMeeting {
        dir,
        file,
        raw,
        date,
    } = raw;
    let dir = dir.as_path();
    let errors_before = diags.error_count();

    if !valid_meeting_number(&raw.number) {
        diags.push(
            file.error(
                "number",
                format!("`{}` is not a meeting number", raw.number),
            )
            .hint("write the number and the full year, such as `7/2020`"),
        );
    }
    // Without a start time the agenda is untimed: rows print without clock times.
    let timed = raw.start.is_some();
    let start = raw
        .start
        .as_deref()
        .and_then(|s| parse_clock(&file, "start", s, diags));
    let planned_end = raw
        .end
        .as_deref()
        .and_then(|e| parse_clock(&file, "end", e, diags));
    if let (Some(s), Some(e)) = (start, planned_end) {
        if e < s {
            diags.push(file.error(
                "end",
                format!("the meeting ends ({e}) before it starts ({s})"),
            ));
        }
    }

    let chair = match &raw.chair {
        Some(id) => resolve_member(&file, "chair", id, body, diags),
        None => body.leader().map(member_person),
    };
    // The meeting whose minutes are approved: as written, or else the previous
    // meeting in the content.
    let previous = match raw.previous_meeting.as_ref() {
        Some(p) => {
            let parsed = Date::parse(&p.date);
            if parsed.is_none() {
                diags.push(
                    file.error(
                        "previous_meeting.date",
                        format!("`{}` is not a valid date", p.date),
                    )
                    .hint("write the date as YYYY-MM-DD"),
                );
            }
            if let (Some(prev), Some(this)) = (parsed, date) {
                if prev >= this {
                    diags.push(file.error(
                        "previous_meeting.date",
                        "the previous meeting is not before this one",
                    ));
                }
            }
            parsed.map(|d| (d, p.number.clone()))
        }
        None => cycle.previous.clone().map(|(d, n)| (d, Some(n))),
    };
    let previous_date = previous.as_ref().map(|(d, _)| d.norwegian());

    let roster = resolve_roster(&file, raw.substitutes, body, diags);
    let meeting_year = date.map(|d| d.year);
    let mut clock = start.unwrap_or(Clock(0));
    let mut agenda = Vec::new();
    let mut numbers = CaseNumbers {
        meeting_year,
        cycle,
        used: Vec::new(),
    };
    for (i, value) in raw.agenda.into_iter().enumerate() {
        let field = format!("agenda[{i}]");
        let Some(entry) = typed::<AgendaFile>(&file, &field, value, diags) else {
            continue;
        };
        let ctx = ItemContext {
            content_dir,
            dir,
            body,
            file: &file,
            field: &field,
            previous: previous_date.as_deref(),
            timed,
        };
        let Some(row) = resolve_agenda_entry(&ctx, entry, clock, &mut numbers, diags) else {
            continue;
        };
        clock = clock.plus(row_duration(&row));
        agenda.push(row);
    }
    let used = std::mem::take(&mut numbers.used);
    if agenda.is_empty() && diags.error_count() == errors_before {
        diags.push(file.error("agenda", "the agenda is empty"));
    }
    if clock.past_midnight() {
        diags.push(file.error(
            "agenda",
            format!("the agenda runs past midnight (ends {clock} the next day)"),
        ));
    }
    if let Some(end) = planned_end {
        if clock > end {
            diags.push(
                file.error(
                    "agenda",
                    format!("the agenda runs until {clock}, past the meeting's end at {end}"),
                )
                .hint("shorten some durations or move the end"),
            );
        }
    }
    if let Some(notes) = &raw.notes {
        check_markdown(&file, "notes", notes, diags);
    }
    check_case_sequence(&file, &raw.number, meeting_year, &used, cycle, diags);

    if let Some(date) = date {
        cycle.previous = Some((date, raw.number.clone()));
    }
    let action_status = crate::minutes::action_status(cycle, date);
    // With errors the meeting is not built, but its minutes are still checked,
    // so that one run reports every problem.
    let has_errors = diags.error_count() > errors_before;
    let date = date?;
    let slug = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut meeting = Meeting {
        slug,
        dir: dir.to_path_buf(),
        number: raw.number,
        date: raw.date,
        ymd: (date.year, date.month, date.day),
        date_text: date.norwegian(),
        weekday: date.weekday().to_owned(),
        start: start.map(|s| s.to_string()).unwrap_or_default(),
        end: if timed {
            planned_end.unwrap_or(clock).to_string()
        } else {
            String::new()
        },
        timed,
        place: raw.place,
        video_link: raw.video_link,
        chair,
        title: raw.title.unwrap_or_else(|| format!("Møte i {}", body.name)),
        previous_meeting_date: previous_date,
        previous_meeting_number: previous.and_then(|(_, n)| n),
        order_note: raw.order_note,
        notes: raw.notes,
        roster,
        agenda,
        action_status,
        minutes: None,
    };
    let minutes_path = dir.join(crate::minutes::MINUTES_FILE);
    if minutes_path.is_file() {
        let mut found = Diagnostics::default();
        meeting.minutes =
            crate::minutes::load_minutes(&minutes_path, &meeting, date, body, cycle, &mut found);
        if has_errors {
            // Agenda rows with errors are left out, so what the minutes say
            // about the agenda's cases cannot be checked against it.
            found.0.retain(|d| {
                !d.message.contains("is not on the agenda")
                    && !d.message.contains("the minutes say nothing about case")
            });
        }
        diags.extend(found.0);
    }
    (!has_errors).then_some(meeting)
}

/// Case numbers as an agenda is resolved: those used, and the next free one for `case: auto`.
struct CaseNumbers<'a> {
    meeting_year: Option<i32>,
    cycle: &'a Cycle,
    /// Numbers used in this meeting so far, with their field.
    used: Vec<(CaseNumber, String)>,
}

impl CaseNumbers<'_> {
    /// The next free number of the meeting's year, or why there is none.
    fn next_free(&self) -> Result<CaseNumber, &'static str> {
        let year = self.meeting_year.ok_or("the meeting has no valid date")?;
        let yy = year.rem_euclid(100) as u32;
        let here = self
            .used
            .iter()
            .filter(|(c, _)| c.year == yy)
            .map(|(c, _)| c.number)
            .max();
        let before = self.cycle.year_max.get(&yy).map(|(n, _)| *n);
        match here.max(before) {
            Some(n) => Ok(CaseNumber {
                number: n + 1,
                year: yy,
            }),
            // The first case of the year is 1 once an earlier year is in the content.
            None if self.cycle.previous.is_some() => Ok(CaseNumber {
                number: 1,
                year: yy,
            }),
            None => Err("no earlier case number of this year is known"),
        }
    }
}

/// Checks this meeting's case numbers against earlier meetings of the body, then records them.
fn check_case_sequence(
    file: &SourceFile,
    meeting_number: &str,
    meeting_year: Option<i32>,
    used: &[(CaseNumber, String)],
    cycle: &mut Cycle,
    diags: &mut Diagnostics,
) {
    for (case, field) in used {
        if let Some((other, other_file)) = cycle.cases.get(case) {
            diags.push(
                file.error(&format!("{field}.case"), format!("case number {case} is already used in meeting {other}"))
                    .hint(format!(
                        "case numbers run through the year: see {}; `case: auto` takes the next free number",
                        other_file.display()
                    )),
            );
        }
    }
    let Some(yy) = meeting_year.map(|y| y.rem_euclid(100) as u32) else {
        return;
    };
    let mut own: Vec<&(CaseNumber, String)> = used
        .iter()
        .filter(|(c, _)| c.year == yy && !cycle.cases.contains_key(c))
        .collect();
    own.sort_by_key(|(c, _)| c.number);
    if let (Some((first, field)), Some((prev_max, prev_meeting))) =
        (own.first(), cycle.year_max.get(&yy))
    {
        if first.number > prev_max + 1 {
            diags.push(file.warning(
                &format!("{field}.case"),
                format!(
                    "{} missing: meeting {prev_meeting} ended at {}/{yy:02} and meeting {meeting_number} starts at {first}",
                    missing_range(prev_max + 1, first.number - 1, yy),
                    prev_max
                ),
            ));
        } else if first.number <= *prev_max {
            diags.push(file.warning(
                &format!("{field}.case"),
                format!(
                    "case {first} is out of order: the earlier meeting {prev_meeting} already reached {prev_max}/{yy:02}"
                ),
            ));
        }
    }
    for pair in own.windows(2) {
        let ((a, _), (b, field)) = (pair[0], pair[1]);
        if b.number > a.number + 1 {
            diags.push(file.warning(
                &format!("{field}.case"),
                format!(
                    "{} missing in meeting {meeting_number} (between {a} and {b})",
                    missing_range(a.number + 1, b.number - 1, yy)
                ),
            ));
        }
    }
    for (case, _) in used {
        cycle
            .cases
            .entry(*case)
            .or_insert_with(|| (meeting_number.to_owned(), file.path.clone()));
        if case.year == yy {
            let entry = cycle
                .year_max
                .entry(yy)
                .or_insert((0, meeting_number.to_owned()));
            if case.number > entry.0 {
                *entry = (case.number, meeting_number.to_owned());
            }
        }
    }
}

fn missing_range(from: u32, to: u32, yy: u32) -> String {
    if from == to {
        format!("case number {from}/{yy:02} is")
    } else {
        format!("case numbers {from}/{yy:02}–{to}/{yy:02} are")
    }
}

fn row_duration(row: &AgendaRow) -> u32 {
    match row {
        AgendaRow::Case(item) => item.duration,
        AgendaRow::Break { duration, .. } => *duration,
    }
}

fn parse_clock(
    file: &SourceFile,
    field: &str,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<Clock> {
    let clock = Clock::parse(text);
    if clock.is_none() {
        diags.push(
            file.error(field, format!("`{text}` is not a time of day"))
                .hint("write the time as HH:MM in quotes, such as \"10:00\""),
        );
    }
    clock
}

pub(crate) fn member_person(m: &Member) -> Person {
    Person {
        name: m.name.clone(),
        organisation: m.organisation.clone(),
        member_id: Some(m.id.clone()),
    }
}

pub(crate) fn resolve_member(
    file: &SourceFile,
    field: &str,
    id: &str,
    body: &Body,
    diags: &mut Diagnostics,
) -> Option<Person> {
    if let Some(m) = body.member(id) {
        return Some(member_person(m));
    }
    let mut diag = file.error(
        field,
        format!(
            "unknown member id `{id}` (not in the roster of {})",
            body.id
        ),
    );
    diag = match did_you_mean(id, body.members.iter().map(|m| m.id.as_str())) {
        Some(best) => diag.hint(format!("did you mean `{best}`?")),
        None => diag.hint("member ids are listed under `members` in body.yaml; a guest is written `{ name, organisation }`"),
    };
    diags.push(diag);
    None
}

fn resolve_roster(
    file: &SourceFile,
    substitutes: Vec<Value>,
    body: &Body,
    diags: &mut Diagnostics,
) -> Vec<RosterEntry> {
    let mut subs: HashMap<String, SubstituteFile> = HashMap::new();
    for (i, value) in substitutes.into_iter().enumerate() {
        let field = format!("substitutes[{i}]");
        let Some(sub) = typed::<SubstituteFile>(file, &field, value, diags) else {
            continue;
        };
        if resolve_member(file, &format!("{field}.for"), &sub.replaces, body, diags).is_none() {
            continue;
        }
        if subs.contains_key(&sub.replaces) {
            diags.push(file.error(
                &format!("{field}.for"),
                format!("`{}` already has a substitute", sub.replaces),
            ));
            continue;
        }
        subs.insert(sub.replaces.clone(), sub);
    }
    body.members
        .iter()
        .map(|m| match subs.remove(&m.id) {
            Some(sub) => RosterEntry {
                member_id: m.id.clone(),
                name: sub.name,
                title: sub.title,
                organisation: sub.organisation.or_else(|| m.organisation.clone()),
                role_label: m.role_label.clone(),
                role: m.role,
                substitute_for: Some(m.name.clone()),
            },
            None => RosterEntry {
                member_id: m.id.clone(),
                name: m.name.clone(),
                title: m.title.clone(),
                organisation: m.organisation.clone(),
                role_label: m.role_label.clone(),
                role: m.role,
                substitute_for: None,
            },
        })
        .collect()
}

/// What resolving one agenda entry needs to know about its surroundings.
struct ItemContext<'a> {
    content_dir: &'a Path,
    dir: &'a Path,
    body: &'a Body,
    file: &'a SourceFile,
    field: &'a str,
    previous: Option<&'a str>,
    /// Whether the meeting has a start time, so every row needs a duration.
    timed: bool,
}

impl ItemContext<'_> {
    fn sub(&self, name: &str) -> String {
        format!("{}.{name}", self.field)
    }
}

fn resolve_agenda_entry(
    ctx: &ItemContext<'_>,
    entry: AgendaFile,
    start: Clock,
    numbers: &mut CaseNumbers<'_>,
    diags: &mut Diagnostics,
) -> Option<AgendaRow> {
    let meeting_year = numbers.meeting_year;
    let file = ctx.file;
    if ctx.timed && entry.duration.is_none() {
        diags.push(
            file.error(ctx.field, "missing required field `duration`")
                .hint("the meeting has a start time, so every row needs a duration in minutes; leave out the meeting's `start` for an agenda without times"),
        );
    }
    let duration = entry.duration.unwrap_or(0);
    let end = start.plus(duration);
    let clock_text = |clock: Clock| {
        if ctx.timed {
            clock.to_string()
        } else {
            String::new()
        }
    };
    if let Some(label) = entry.break_label {
        let extra = [
            ("case", entry.case.is_some()),
            ("title", entry.title.is_some()),
            ("kind", entry.kind.is_some()),
            ("presenter", entry.presenter.is_some()),
            ("paper", entry.paper.is_some()),
            ("proposed_decision", entry.proposed_decision.is_some()),
        ];
        for (name, present) in extra {
            if present {
                diags.push(
                    file.error(&ctx.sub(name), format!("a break has no `{name}`"))
                        .hint("a break is written `- break: Pause` with a `duration`; a case item has no `break`"),
                );
            }
        }
        return Some(AgendaRow::Break {
            label,
            start: clock_text(start),
            end: clock_text(end),
            duration,
            duration_text: derive::duration_text(duration),
        });
    }

    let errors_before = diags.error_count();
    let case = match &entry.case {
        None => {
            diags.push(file.error(ctx.field, "missing required field `case`").hint(
                "every agenda item needs a case number such as `34/20`, or `break:` for a break",
            ));
            None
        }
        Some(text) if text == "auto" => match numbers.next_free() {
            Ok(number) => {
                numbers.used.push((number, ctx.field.to_owned()));
                Some(number)
            }
            Err(why) => {
                diags.push(
                    file.error(&ctx.sub("case"), format!("cannot assign a case number: {why}"))
                        .hint("write the first case number of the year, such as `34/20`; later items can use `auto`"),
                );
                None
            }
        },
        Some(text) => match CaseNumber::parse(text) {
            None => {
                diags.push(
                    file.error(&ctx.sub("case"), format!("`{text}` is not a case number"))
                        .hint("write the running number and the two-digit year, such as `34/20`"),
                );
                None
            }
            Some(number) => {
                if let Some(year) = meeting_year {
                    if i64::from(number.year) != i64::from(year.rem_euclid(100)) {
                        diags.push(file.warning(
                            &ctx.sub("case"),
                            format!("case {number} is numbered for another year than the meeting ({year})"),
                        ));
                    }
                }
                if let Some((_, previous)) = numbers.used.iter().find(|(c, _)| *c == number) {
                    diags.push(file.error(
                        &ctx.sub("case"),
                        format!("case number {number} is used twice in this meeting (also at {previous})"),
                    ));
                } else {
                    numbers.used.push((number, ctx.field.to_owned()));
                }
                Some(number)
            }
        },
    };

    let standing = entry.standing.as_deref().and_then(|name| {
        let parsed = Standing::parse(name);
        if parsed.is_none() {
            let mut diag = file.error(
                &ctx.sub("standing"),
                format!(
                    "`{name}` is not a standing item: expected one of {}",
                    Standing::NAMES.join(", ")
                ),
            );
            if let Some(best) = did_you_mean(name, Standing::NAMES.iter().copied()) {
                diag = diag.hint(format!("did you mean `{best}`?"));
            }
            diags.push(diag);
        }
        parsed
    });
    let kind = match entry.kind.as_deref() {
        Some(name) => {
            let parsed = Kind::parse(&name.to_lowercase());
            if parsed.is_none() {
                let mut diag = file.error(
                    &ctx.sub("kind"),
                    format!(
                        "`{name}` is not a kind of item: expected one of {}",
                        Kind::NAMES.join(", ")
                    ),
                );
                if let Some(best) = did_you_mean(&name.to_lowercase(), Kind::NAMES.iter().copied())
                {
                    diag = diag.hint(format!("did you mean `{best}`?"));
                }
                diags.push(diag);
            }
            parsed
        }
        None if standing == Some(Standing::Eventuelt) => None,
        None => {
            diags.push(
                file.error(ctx.field, "missing required field `kind`")
                    .hint(format!("one of {}", Kind::NAMES.join(", "))),
            );
            None
        }
    };
    let standing_written = entry.standing.is_some();
    let title = match (entry.title, standing) {
        (Some(title), _) => title,
        (None, Some(s)) => derive::standing_title(s, &ctx.body.name, ctx.previous),
        (None, None) => {
            // A misspelt standing item is reported already; its title would be derived.
            if !standing_written {
                diags.push(file.error(ctx.field, "missing required field `title`"));
            }
            String::new()
        }
    };
    let presenters = resolve_presenters(ctx, entry.presenter, diags);
    let paper = entry
        .paper
        .as_deref()
        .and_then(|p| read_paper(ctx, p, diags));
    let paper_file = entry.paper.as_deref().map(|p| ctx.dir.join(p));
    if let Some(description) = &entry.description {
        check_markdown(file, &ctx.sub("description"), description, diags);
    }

    let decisions = match entry.proposed_decision {
        Some(OneOrMany::One(text)) => vec![text],
        Some(OneOrMany::Many(list)) => list,
        None if entry.postponed.is_some() => Vec::new(),
        None => derive::standard_decision(standing, kind, &ctx.body.short_name, ctx.previous)
            .into_iter()
            .collect(),
    };
    for (i, decision) in decisions.iter().enumerate() {
        if decision.trim().is_empty() {
            diags.push(file.error(
                &format!("{}.proposed_decision[{i}]", ctx.field),
                "the proposed decision is empty",
            ));
        }
    }

    if diags.error_count() > errors_before {
        return None;
    }
    let case = case?;
    Some(AgendaRow::Case(CaseItem {
        case: case.to_string(),
        slug: case.slug(),
        paper_title: entry.paper_title.unwrap_or_else(|| title.clone()),
        title,
        decision_heading: entry
            .decision_heading
            .unwrap_or_else(|| "Forslag til vedtak".to_owned()),
        kind: kind.map(|k| k.label().to_owned()),
        standing,
        description: entry.description,
        presenter_text: derive::presenter_text(&presenters),
        presenter_organisations: derive::presenter_organisations(&presenters),
        presenters,
        start: clock_text(start),
        end: clock_text(end),
        duration,
        duration_text: derive::duration_text(duration),
        has_document: paper.is_some() || !decisions.is_empty(),
        paper,
        paper_file,
        decisions,
        postponed: entry.postponed,
    }))
}

fn resolve_presenters(
    ctx: &ItemContext<'_>,
    spec: Option<PresenterSpec>,
    diags: &mut Diagnostics,
) -> Vec<Person> {
    let (list, is_list) = match spec {
        None => return Vec::new(),
        Some(PresenterSpec::One(p)) => (vec![p], false),
        Some(PresenterSpec::Many(ps)) => (ps, true),
    };
    let mut out = Vec::new();
    for (i, person) in list.into_iter().enumerate() {
        let field = if is_list {
            format!("{}.presenter[{i}]", ctx.field)
        } else {
            ctx.sub("presenter")
        };
        match person {
            PersonSpec::Id(id) => {
                out.extend(resolve_member(ctx.file, &field, &id, ctx.body, diags))
            }
            PersonSpec::Guest { name, organisation } => {
                out.push(Person {
                    name,
                    organisation,
                    member_id: None,
                });
            }
        }
    }
    out
}

/// Reads a case paper, confined to the content folder.
fn read_paper(ctx: &ItemContext<'_>, relative: &str, diags: &mut Diagnostics) -> Option<String> {
    let field = ctx.sub("paper");
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
            ctx.file
                .error(
                    &field,
                    format!("`{relative}` points outside the meeting folder"),
                )
                .hint("give the path relative to the meeting folder, such as saker/38-20.md"),
        );
        return None;
    }
    let path = ctx.dir.join(rel);
    let inside = path
        .canonicalize()
        .ok()
        .zip(ctx.content_dir.canonicalize().ok())
        .is_some_and(|(p, root)| p.starts_with(root));
    if !path.is_file() || !inside {
        let mut diag = ctx
            .file
            .error(&field, format!("case paper `{relative}` does not exist"));
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
        diags.push(diag);
        return None;
    }
    let text = read_text(&path, diags)?;
    for problem in markdown::check(&text) {
        diags.push(
            Diagnostic::error(problem.message)
                .in_file(&path)
                .at(Some(position_of_offset(&text, problem.offset)), Some(&text)),
        );
    }
    Some(text)
}

pub(crate) fn check_markdown(file: &SourceFile, field: &str, text: &str, diags: &mut Diagnostics) {
    for problem in markdown::check(text) {
        diags.push(file.error(field, problem.message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_numbers_need_a_full_year() {
        assert!(valid_meeting_number("7/2020"));
        assert!(valid_meeting_number("12/2021"));
        for bad in ["7/20", "7", "0/2020", "a/2020", "7/2020/1"] {
            assert!(!valid_meeting_number(bad), "{bad}");
        }
    }

    #[test]
    fn serde_locations_are_stripped() {
        assert_eq!(
            strip_all_locations("missing field `x` at line 3 column 1"),
            "missing field `x`"
        );
        assert_eq!(strip_all_locations("plain"), "plain");
    }

    #[test]
    fn offsets_become_positions() {
        assert_eq!(
            position_of_offset("ab\ncd", 4),
            Position { line: 2, column: 2 }
        );
    }
}
