//! Render stage, Markdown: footnotes and HTML comments.
//!
//! A GFM footnote (`tekst[^1]` … `[^1]: Fotnoten.`) becomes a Typst
//! `#footnote[…]` at its reference: the definitions are taken out of the text,
//! converted on their own and put back where they are referred to. A note
//! referred to more than once is printed at its first reference and referred to
//! by a label after that, so it keeps one number.
//!
//! HTML comments (`<!-- … -->`, which transcribers annotate papers with) are
//! allowed and dropped; any other HTML stays an error.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::Problem;
use crate::text::stable_hash;

/// What HTML other than comments is told.
const HTML_PROBLEM: &str =
    "HTML is not supported in Markdown content; use Markdown lists, emphasis and tables";

/// Lists the HTML of a text other than comments: each HTML block (reported at
/// its start) and each inline tag.
pub(super) fn check_html(events: &[(Event<'_>, Range<usize>)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    // An HTML block: where it starts and its text so far.
    let mut html: Option<(usize, String)> = None;
    // Tables open: a `<br>` in a cell is a line break, not HTML.
    let mut tables = 0usize;
    for (event, range) in events {
        let offset = match event {
            Event::Start(Tag::Table(_)) => {
                tables += 1;
                continue;
            }
            Event::End(TagEnd::Table) => {
                tables = tables.saturating_sub(1);
                continue;
            }
            Event::InlineHtml(t) if tables > 0 && super::tables::is_break(t) => continue,
            Event::Start(Tag::HtmlBlock) => {
                html = Some((range.start, String::new()));
                continue;
            }
            Event::Html(t) => match &mut html {
                Some((_, text)) => {
                    text.push_str(t);
                    continue;
                }
                None => range.start,
            },
            Event::End(TagEnd::HtmlBlock) => match html.take() {
                Some((start, text)) if !is_comment(&text) => start,
                _ => continue,
            },
            Event::InlineHtml(t) if !is_comment(t) => range.start,
            _ => continue,
        };
        problems.push(problem(offset, HTML_PROBLEM.to_owned()));
    }
    problems
}

/// The key a footnote label is matched by: labels match without regard to case,
/// as in GitHub's Markdown.
fn key(label: &str) -> String {
    label.to_lowercase()
}

/// Whether `html` is nothing but HTML comments and white space.
pub(super) fn is_comment(html: &str) -> bool {
    let mut rest = html.trim();
    while !rest.is_empty() {
        let Some(after) = rest.strip_prefix("<!--") else {
            return false;
        };
        let Some(end) = after.find("-->") else {
            return false;
        };
        rest = after[end + 3..].trim_start();
    }
    true
}

/// The text's footnote definitions, taken out of its events: the events left,
/// and each definition's label key with its events, in the order written.
pub(super) type Split<'a> = (Vec<Event<'a>>, Vec<(String, Vec<Event<'a>>)>);

/// Takes the footnote definitions out of `events`.
pub(super) fn split(events: Vec<Event<'_>>) -> Split<'_> {
    let mut body = Vec::new();
    let mut notes: Vec<(String, Vec<Event<'_>>)> = Vec::new();
    let mut depth = 0usize;
    for event in events {
        if depth == 0 {
            if let Event::Start(Tag::FootnoteDefinition(label)) = &event {
                notes.push((key(label), Vec::new()));
                depth = 1;
            } else {
                body.push(event);
            }
            continue;
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            _ => {}
        }
        if depth > 0
            && let Some((_, note)) = notes.last_mut()
        {
            note.push(event);
        }
    }
    (body, notes)
}

/// The converted footnotes of one text, handed out at their references.
#[derive(Default)]
pub(super) struct Notes {
    /// Each note's Typst markup and the label it has, by label key.
    bodies: HashMap<String, (String, String)>,
    /// The keys of notes referred to more than once.
    repeated: HashSet<String>,
    /// The keys of notes already printed.
    printed: HashSet<String>,
}

impl Notes {
    /// The notes of a text: `bodies` maps label keys to converted markup, in
    /// the order written; `body` is the text's events without the definitions.
    /// `markdown` makes the labels of repeated notes unique to this text, and
    /// `occurrence` (the times the same text was converted before for the
    /// same document) to this conversion of it.
    pub(super) fn new(
        markdown: &str,
        occurrence: usize,
        bodies: Vec<(String, String)>,
        body: &[Event<'_>],
    ) -> Self {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for event in body {
            if let Event::FootnoteReference(label) = event {
                *counts.entry(key(label)).or_default() += 1;
            }
        }
        let text = stable_hash(markdown.as_bytes());
        let bodies = bodies
            .into_iter()
            .enumerate()
            .map(|(i, (k, markup))| {
                let name = match occurrence {
                    0 => format!("motebok-note-{text:032x}-{i}"),
                    n => format!("motebok-note-{text:032x}-{i}-{n}"),
                };
                (k, (markup, name))
            })
            .collect();
        Self {
            bodies,
            repeated: counts
                .into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(k, _)| k)
                .collect(),
            printed: HashSet::new(),
        }
    }

    /// The Typst call for a reference to the note `label`, if there is one.
    pub(super) fn call(&mut self, label: &str) -> Option<String> {
        let k = key(label);
        let (markup, name) = self.bodies.get(&k)?;
        if !self.printed.insert(k.clone()) {
            return Some(format!("#footnote(<{name}>)"));
        }
        let label = if self.repeated.contains(&k) {
            format!("<{name}>")
        } else {
            String::new()
        };
        Some(format!("#footnote[{markup}]{label}"))
    }
}

/// Lists the footnote problems of a text, from its events with their offsets.
pub(super) fn check(markdown: &str, events: &[(Event<'_>, Range<usize>)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut defined: HashMap<String, usize> = HashMap::new();
    let mut referred: HashSet<String> = HashSet::new();
    let mut in_note = 0usize;
    let mut texts: Vec<Range<usize>> = Vec::new();
    for (event, range) in events {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                in_note += 1;
                if defined.insert(key(label), range.start).is_some() {
                    problems.push(problem(
                        range.start,
                        format!("footnote [^{label}] is defined more than once; give each footnote its own label"),
                    ));
                }
            }
            Event::End(TagEnd::FootnoteDefinition) => in_note = in_note.saturating_sub(1),
            Event::FootnoteReference(label) if in_note > 0 => problems.push(problem(
                range.start,
                format!("a footnote cannot have a footnote of its own ([^{label}]); put its text in the same note"),
            )),
            Event::FootnoteReference(label) => {
                referred.insert(key(label));
            }
            Event::Text(_) => match texts.last_mut() {
                Some(last) if last.end == range.start => last.end = range.end,
                _ => texts.push(range.clone()),
            },
            _ => {}
        }
    }
    for (label, offset) in &defined {
        if !referred.contains(label) {
            let label = label_at(markdown, *offset);
            problems.push(problem(
                *offset,
                format!(
                    "footnote [^{label}] is never referred to, so it would not print; \
                     refer to it with [^{label}] in the text, or remove it"
                ),
            ));
        }
    }
    for range in texts {
        problems.extend(undefined_references(markdown, range));
    }
    problems.sort_by_key(|p| p.offset);
    problems
}

/// The label as written in the definition at `offset` (`[^label]:`).
fn label_at(markdown: &str, offset: usize) -> &str {
    let rest = markdown[offset..].strip_prefix("[^").unwrap_or_default();
    rest.split(']').next().unwrap_or_default()
}

/// References in plain text (`[^x]` that pulldown-cmark left as text because no
/// note `x` is defined): they would print as typed.
fn undefined_references(markdown: &str, range: Range<usize>) -> Vec<Problem> {
    let text = &markdown[range.clone()];
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("[^") {
        let start = from + at;
        let rest = &text[start + 2..];
        let label = rest.split(']').next().unwrap_or_default();
        let closed = rest.len() > label.len();
        let escaped = markdown[..range.start + start].ends_with('\\');
        if closed && !escaped && !label.is_empty() && !label.contains(char::is_whitespace) {
            out.push(problem(
                range.start + start,
                format!("footnote [^{label}] has no text; add a line `[^{label}]: …` after the paragraph"),
            ));
        }
        from = start + 2;
    }
    out
}

fn problem(offset: usize, message: String) -> Problem {
    Problem { offset, message }
}

/// Renders a text's footnotes with `render`, giving each its key and markup.
pub(super) fn render_all<'a>(
    notes: Vec<(String, Vec<Event<'a>>)>,
    mut render: impl FnMut(Vec<Event<'a>>) -> String,
) -> Vec<(String, String)> {
    notes
        .into_iter()
        .map(|(k, events)| (k, render(events).trim_end().to_owned()))
        .collect()
}
