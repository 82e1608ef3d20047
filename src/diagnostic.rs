//! Diagnostics, for every stage: one type with file, line, column, field path, message, hint.

use std::fmt;
use std::sync::Mutex;

use annotate_snippets::{Level, Renderer, Snippet};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// The input cannot be built as it is.
    Error,
    /// The input builds, but something looks wrong.
    Warning,
}

/// A location in a source file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    /// Line, counting from 1.
    pub line: usize,
    /// Column in characters, counting from 1.
    pub column: usize,
}

/// A problem found in content, templates or generated Typst source.
/// Serialised for the manifest, which repeats a build's diagnostics when the
/// next build's inputs are the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file the problem is in, as the user named it (relative to the working directory when possible).
    pub file: Option<PathBuf>,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// The field path inside a YAML file, such as `agenda[3].presenter`.
    pub field: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
    /// A suggestion, such as "did you mean `kvestli`?".
    pub hint: Option<String>,
    /// The source line the position points into, for the snippet: the whole
    /// line, or a window of it around the position when the line is long.
    pub snippet: Option<String>,
    /// The column of the position within `snippet` when that is a window cut
    /// from a long line (`None`: `snippet` is the whole line).
    pub snippet_column: Option<usize>,
}

impl Diagnostic {
    /// An error with only a message.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: None,
            position: None,
            field: None,
            message: message.into(),
            hint: None,
            snippet: None,
            snippet_column: None,
        }
    }

    /// A warning with only a message.
    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(message)
        }
    }

    /// Names the file.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// Sets the position and takes the snippet line from `source`.
    ///
    /// This scans `source` up to the line; a caller with many diagnostics in
    /// one text uses [`Diagnostic::at_indexed`] instead.
    pub fn at(self, position: Option<Position>, source: Option<&str>) -> Self {
        let line = match (position, source) {
            (Some(pos), Some(src)) => src.lines().nth(pos.line.saturating_sub(1)),
            _ => None,
        };
        self.at_line(position, line)
    }

    /// Sets the position and takes the snippet line from `source`, found
    /// through its `index` (in logarithmic time).
    pub fn at_indexed(self, position: Option<Position>, source: &str, index: &LineIndex) -> Self {
        let line = position.and_then(|pos| index.line(source, pos.line));
        self.at_line(position, line)
    }

    /// Sets the position and the snippet from `line`, the line it points
    /// into. A long line is kept only as a window around the position, so
    /// that many diagnostics in one long line stay small.
    pub fn at_line(mut self, position: Option<Position>, line: Option<&str>) -> Self {
        self.position = position;
        self.snippet = None;
        self.snippet_column = None;
        if let (Some(pos), Some(line)) = (position, line) {
            if line.len() <= SNIPPET_KEPT {
                self.snippet = Some(line.to_owned());
            } else {
                let (window, column) = snippet_window(line, pos.column);
                self.snippet = Some(window);
                self.snippet_column = Some(column);
            }
        }
        self
    }

    /// The summary that stands for `count` diagnostics of `file` left out
    /// (see [`MAX_PER_FILE`]); an error when any of them is.
    pub fn more(file: Option<&Path>, count: usize, severity: Severity) -> Self {
        let mut diag = Diagnostic::error(format!(
            "{MORE_PREFIX}{count}{MORE_SUFFIX} (only the first {MAX_PER_FILE} errors and the first {MAX_PER_FILE} warnings of a file are)"
        ))
        .hint("fix these first and run again to see the rest");
        diag.severity = severity;
        diag.file = file.map(Path::to_path_buf);
        diag
    }

    /// How many diagnostics this one stands for, when it is a summary made by
    /// [`Diagnostic::more`].
    pub fn more_count(&self) -> Option<usize> {
        let rest = self.message.strip_prefix(MORE_PREFIX)?;
        let (count, rest) = rest.split_once(' ')?;
        let count = count.parse().ok()?;
        (self.position.is_none() && rest.starts_with(MORE_SUFFIX.trim_start())).then_some(count)
    }

    /// Names the field path.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// The first line is `severity: file:line:column: field: message`, easy to
    /// grep and to jump to from an editor; the source line with the place
    /// marked and the hint follow, rendered by annotate-snippets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut title = String::new();
        if let Some(file) = &self.file {
            title.push_str(&file.display().to_string());
            if let Some(pos) = self.position {
                title.push_str(&format!(":{}:{}", pos.line, pos.column));
            }
            title.push_str(": ");
        }
        if let Some(field) = &self.field {
            title.push_str(&format!("{field}: "));
        }
        title.push_str(&self.message);
        let level = match self.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        };
        let mut message = level.title(&title);
        let window = match (self.position, &self.snippet, self.snippet_column) {
            (Some(pos), Some(shown), Some(column)) => Some((pos.line, (shown.clone(), column))),
            (Some(pos), Some(line), None) => Some((pos.line, snippet_window(line, pos.column))),
            _ => None,
        };
        if let Some((line_number, (line, column))) = &window {
            message = message.snippet(
                Snippet::source(line)
                    .line_start(*line_number)
                    .annotation(level.span(token_span(line, *column))),
            );
        }
        if let Some(hint) = &self.hint {
            message = message.footer(Level::Help.title(hint));
        }
        write!(f, "{}", Renderer::plain().render(message))
    }
}

/// Longest source line shown in a snippet, in characters.
const SNIPPET_WIDTH: usize = 100;

/// Longest source line, in bytes, that a diagnostic keeps whole: a longer one
/// is kept as the window shown, so that a diagnostic's size does not grow
/// with its line (100 000 diagnostics in one 300 KB line would copy 30 GB).
const SNIPPET_KEPT: usize = 4 * SNIPPET_WIDTH;

/// Diagnostics shown per file: the rest are counted in one summary (see
/// [`Diagnostic::more`]). Fifty is more than anyone fixes in one go, and
/// bounds the output of a file with a mistake on every line.
pub const MAX_PER_FILE: usize = 50;

const MORE_PREFIX: &str = "and ";
const MORE_SUFFIX: &str = " more problems in this file are not shown";

/// Byte offsets of the lines of a text, so that an offset becomes a
/// [`Position`] and a line number its text in logarithmic time.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Where each line starts.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The position of the byte `offset` in `text` (the text indexed).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text[start..offset].chars().count() + 1;
        Position { line, column }
    }

    /// The text of line `number` (counting from 1) of `text`, without its line
    /// break, as [`str::lines`] gives it.
    pub fn line<'a>(&self, text: &'a str, number: usize) -> Option<&'a str> {
        let start = *self.starts.get(number.checked_sub(1)?)?;
        if start >= text.len() {
            return None;
        }
        let end = self.starts.get(number).map_or(text.len(), |next| next - 1);
        let line = &text[start..end];
        // `str::lines` drops the `\r` of a `\r\n` line break only.
        match self.starts.get(number) {
            Some(_) => Some(line.strip_suffix('\r').unwrap_or(line)),
            None => Some(line),
        }
    }
}

/// The part of `line` shown in a snippet, and the column within it: long lines
/// are cut to a window around `column` (marked with `…`), and control characters
/// are shown as spaces, so the snippet stays readable and within the renderer's
/// width.
fn snippet_window(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if chars.len() <= SNIPPET_WIDTH {
        return (chars.into_iter().collect(), column);
    }
    let at = column.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(SNIPPET_WIDTH / 3);
    let end = (start + SNIPPET_WIDTH).min(chars.len());
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, at - start + 1 + usize::from(start > 0))
}

/// The byte range of the token starting at the 1-based `column` (in characters)
/// of `line`: up to the next space or the end of the line, at least one character.
fn token_span(line: &str, column: usize) -> std::ops::Range<usize> {
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let len = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || *c == ',' || *c == ']')
        .map_or(rest.len(), |(i, _)| i);
    let len = if len == 0 {
        rest.chars().next().map_or(0, char::len_utf8)
    } else {
        len
    };
    start..start + len
}

/// The diagnostics of one run, errors and warnings together.
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>, ErrorTally);

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(list: Vec<Diagnostic>) -> Self {
        Diagnostics(list, ErrorTally::default())
    }
}

impl Clone for Diagnostics {
    fn clone(&self) -> Self {
        Diagnostics(self.0.clone(), ErrorTally::default())
    }
}

/// The errors counted in a prefix of a list of diagnostics: where the list
/// was, how long it was, and how many errors it held. Loaders ask for the
/// error count after every entry they resolve; with the tally each asks only
/// about what was added since, so a file with 80 000 errors is not counted
/// 80 000 times. A list that moved or shrank is counted again.
#[derive(Debug, Default)]
struct ErrorTally(Mutex<(usize, usize, usize)>);

impl Diagnostics {
    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Whether any of them is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        let mut tally = self.1.0.lock().unwrap_or_else(|e| e.into_inner());
        let (at, len, errors) = *tally;
        let now = self.0.as_ptr() as usize;
        let (from, before) = if at == now && len <= self.0.len() {
            (len, errors)
        } else {
            (0, 0)
        };
        let count = before + self.0[from..].iter().filter(|d| d.is_error()).count();
        *tally = (now, self.0.len(), count);
        count
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    /// Appends all of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }
}

/// The closest candidate to `found`, for "did you mean" hints.
pub fn did_you_mean<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(found, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `n` and `noun`, in the plural unless `n` is 1, for messages: `1 error`,
/// `0 warnings`, `1 page`.
pub fn counted(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_the_rest_plural() {
        assert_eq!(counted(1, "error"), "1 error");
        assert_eq!(counted(0, "warning"), "0 warnings");
        assert_eq!(counted(54, "document"), "54 documents");
    }

    #[test]
    fn display_names_file_line_field_and_hint() {
        let d = Diagnostic::error("unknown member id `kvestl`")
            .in_file("content/nehs/2020-07/meeting.yaml")
            .at(
                Some(Position {
                    line: 2,
                    column: 12,
                }),
                Some("a: 1\n    chair: kvestl\n"),
            )
            .field("chair")
            .hint("did you mean `kvestli`?");
        let text = d.to_string();
        assert_eq!(
            text,
            "error: content/nehs/2020-07/meeting.yaml:2:12: chair: unknown member id `kvestl`\n  |\n2 |     chair: kvestl\n  |            ^^^^^^\n  |\n  = help: did you mean `kvestli`?"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}needle{}", "\t".repeat(150), "x".repeat(200));
        let (shown, column) = snippet_window(&line, 151);
        assert!(shown.chars().count() <= SNIPPET_WIDTH + 2, "{shown}");
        assert_eq!(shown.chars().nth(column - 1), Some('n'));
        let d = Diagnostic::error("bad").in_file("f.yaml").at(
            Some(Position {
                line: 1,
                column: 151,
            }),
            Some(&line),
        );
        assert!(d.to_string().contains("needle"));
    }

    #[test]
    fn line_index_matches_lines_and_offsets() {
        let text = "ab\r\ncø\n\nlast\r";
        let index = LineIndex::new(text);
        for (i, line) in text.lines().enumerate() {
            assert_eq!(index.line(text, i + 1), Some(line), "line {}", i + 1);
        }
        assert_eq!(index.line(text, 5), None);
        assert_eq!(index.line("a\n", 2), None);
        assert_eq!(index.line(text, 0), None);
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
        // After `c` and the two bytes of `ø`.
        assert_eq!(index.position(text, 7), Position { line: 2, column: 3 });
        // Inside `ø`: the character's start.
        assert_eq!(index.position(text, 6), Position { line: 2, column: 2 });
        assert_eq!(index.position(text, 99), Position { line: 4, column: 6 });
    }

    #[test]
    fn long_lines_are_kept_as_their_window() {
        let line = format!("{}needle{}", "x".repeat(100_000), "y".repeat(100_000));
        let at = Position {
            line: 1,
            column: 100_001,
        };
        let whole = Diagnostic::error("bad")
            .in_file("f.md")
            .at(Some(at), Some(&line));
        assert!(whole.snippet.as_ref().unwrap().len() < 4 * SNIPPET_WIDTH);
        assert!(whole.to_string().contains("^^^^^^"), "{whole}");
        assert!(whole.to_string().contains("xneedley"), "{whole}");
        let index = LineIndex::new(&line);
        let indexed = Diagnostic::error("bad")
            .in_file("f.md")
            .at_indexed(Some(at), &line, &index);
        assert_eq!(indexed.to_string(), whole.to_string());
    }

    #[test]
    fn summaries_count_what_they_stand_for() {
        let more = Diagnostic::more(Some(Path::new("f.md")), 12, Severity::Warning);
        assert_eq!(more.more_count(), Some(12));
        assert!(!more.is_error());
        assert!(
            more.to_string()
                .starts_with("warning: f.md: and 12 more problems")
        );
        assert_eq!(Diagnostic::error("and 3 more").more_count(), None);
    }

    #[test]
    fn errors_are_counted_as_the_list_changes() {
        let mut diags = Diagnostics::default();
        assert_eq!(diags.error_count(), 0);
        for i in 0..100 {
            diags.push(if i % 3 == 0 {
                Diagnostic::error("e")
            } else {
                Diagnostic::warning("w")
            });
            assert_eq!(diags.error_count(), i / 3 + 1);
        }
        diags.0.retain(|d| d.is_error());
        assert_eq!(diags.error_count(), 34);
        diags.0 = vec![Diagnostic::warning("w"); 50];
        assert_eq!(diags.error_count(), 0);
        assert_eq!(diags.warning_count(), 50);
        assert_eq!(diags.clone().error_count(), 0);
    }

    #[test]
    fn suggestions_are_close_matches_only() {
        assert_eq!(
            did_you_mean("kvestl", ["kvestli", "inordberg"]),
            Some("kvestli")
        );
        assert_eq!(did_you_mean("zzz", ["kvestli", "inordberg"]), None);
    }
}
