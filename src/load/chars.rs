//! Load stage, characters: whether the text of a content file prints with the
//! bundled fonts (control, invisible and missing characters, combining marks,
//! Office symbol-font characters, characters written as YAML escapes). Each
//! check keeps the first diagnostics of a file and counts the rest, and the
//! trial typesettings one file may cause are bounded.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_yaml_ng::Value;

use crate::diagnostic::{Diagnostic, Diagnostics, LineIndex, MAX_PER_FILE, Position, Severity};
use crate::text::{SymbolFix, UNKNOWN_SYMBOL, forbidden_in_pdf, is_combining_mark};
use crate::world::Typesetter;

/// Characters beyond the house font (see [`Typesetter::try_print`]) one file
/// may ask about, each a trial typesetting unless another file asked before:
/// a file of 64 000 different accented letters is refused instead of probed.
/// Asked and remembered answers count alike, so a file's outcome does not
/// depend on the files read before it.
const MAX_PROBES_PER_FILE: usize = 64;

/// The probes one file has left, and whether running out is reported.
struct Probes {
    left: usize,
    out: bool,
    reported: bool,
    /// The answers this file was given, so that asking again costs nothing.
    asked: HashMap<(char, Option<char>), bool>,
}

impl Probes {
    fn new() -> Probes {
        Probes {
            left: MAX_PROBES_PER_FILE,
            out: false,
            reported: false,
            asked: HashMap::new(),
        }
    }

    /// Whether `c` prints; unchecked characters count as printable once the
    /// probes are spent (see [`Probes::refusal`]).
    fn can_print(&mut self, c: char) -> bool {
        self.ask((c, None), |left| Typesetter::shared().try_print(c, left))
    }

    /// Whether the combining `mark` can be drawn on `base`.
    fn can_combine(&mut self, base: char, mark: char) -> bool {
        self.ask((mark, Some(base)), |left| {
            Typesetter::shared().try_combine(base, mark, left)
        })
    }

    /// The answer to `question`: this file's earlier one, or `query`'s
    /// within the probes left.
    fn ask(
        &mut self,
        question: (char, Option<char>),
        query: impl FnOnce(&mut usize) -> Option<bool>,
    ) -> bool {
        if let Some(&known) = self.asked.get(&question) {
            return known;
        }
        let known = query(&mut self.left);
        self.out |= known.is_none();
        if let Some(known) = known {
            self.asked.insert(question, known);
        }
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
pub(super) struct Findings<'a> {
    path: &'a Path,
    text: &'a str,
    index: &'a LineIndex,
    shown: usize,
    hidden: usize,
    hidden_error: bool,
}

impl<'a> Findings<'a> {
    pub(super) fn new(path: &'a Path, text: &'a str, index: &'a LineIndex) -> Self {
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
    pub(super) fn push(
        &mut self,
        diags: &mut Diagnostics,
        diag: Diagnostic,
        at: impl FnOnce() -> Position,
    ) {
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
    pub(super) fn finish(self, diags: &mut Diagnostics) {
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
pub(super) fn report_unprintable(
    path: &Path,
    text: &str,
    index: &LineIndex,
    diags: &mut Diagnostics,
) {
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

/// Reports the private-use characters [`crate::text::clean_office_text`]
/// replaced: unknown ones one by one, known ones in one summary.
pub(super) fn report_symbol_fixes(
    path: &Path,
    raw: &str,
    fixes: &[SymbolFix],
    diags: &mut Diagnostics,
) {
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

/// Checks the text values of one YAML file: the characters written literally
/// in the file (found once, not searched for per character), the probes the
/// file has left, and what was found, by field path.
pub(super) struct EscapeCheck {
    literal: HashSet<char>,
    probes: Probes,
    /// Problems found, each with the field path of its value.
    pub(super) found: Vec<(String, Diagnostic)>,
}

impl EscapeCheck {
    /// A check of the values parsed from `text`.
    pub(super) fn new(text: &str) -> EscapeCheck {
        EscapeCheck {
            literal: text.chars().collect(),
            probes: Probes::new(),
            found: Vec::new(),
        }
    }

    /// Reports characters that YAML escapes (`"\x01"`, `"\U0001F600"`) put
    /// into text values but that cannot be printed (characters written
    /// literally in the file were already reported by [`report_unprintable`]),
    /// and combining marks that cannot be drawn on the character before them
    /// in the value.
    pub(super) fn check(&mut self, value: &Value, path: &str) {
        match value {
            Value::String(text) => {
                if let Some(diag) = self.check_text(text) {
                    self.found.push((path.to_owned(), diag));
                }
                if let Some(diag) = self.probes.refusal() {
                    self.found.push((path.to_owned(), diag));
                }
            }
            Value::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.check(item, &format!("{path}[{i}]"));
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
                    self.check(item, &sub);
                }
            }
            Value::Tagged(tagged) => self.check(&tagged.value, path),
            _ => {}
        }
    }

    /// The first problem of one text value, if any.
    fn check_text(&mut self, text: &str) -> Option<Diagnostic> {
        let mut base: Option<char> = None;
        for c in text.chars() {
            if is_combining_mark(c) {
                if let Some(message) = unprintable_mark(base, c, &mut self.probes) {
                    return Some(Diagnostic::error(message).hint(MARK_HINT));
                }
                continue;
            }
            base = (!c.is_whitespace()).then_some(c);
            if c.is_ascii() && !c.is_control()
                || matches!(c, '\n' | '\r' | '\t')
                || self.literal.contains(&c)
            {
                continue;
            }
            let unprintable = c.is_control()
                || forbidden_in_pdf(c)
                || ('\u{E000}'..='\u{F8FF}').contains(&c)
                || !(c.is_whitespace() || self.probes.can_print(c));
            if unprintable {
                return Some(
                    Diagnostic::error(format!(
                        "the character U+{:04X}, written as an escape, cannot be printed",
                        u32::from(c)
                    ))
                    .hint(
                        "remove the escape sequence or replace it with a character the fonts have",
                    ),
                );
            }
        }
        None
    }
}
