//! Render stage, Markdown tables: column widths and alignment from an
//! attribute line, and `<br>` as a line break inside a cell.
//!
//! A paragraph that is nothing but an attribute list in braces, right after a
//! table (after the blank line that ends it), sets the table's columns:
//!
//! ```markdown
//! | Tiltak | Omtale | Kostnad |
//! |---|---|---|
//! | 1 | Felles grunnmur | 12 |
//!
//! {widths=1,4,1 align=l,l,r}
//! ```
//!
//! `widths` gives one width per column: a share of the width left (`3` or
//! `3fr`), a percentage of the text width (`20%`) or `auto` (as wide as its
//! content); `align` one of `l`, `c`, `r` (or `left`, `center`, `right`) per
//! column, over the alignment of the delimiter row. Inside a cell, `<br>` (also
//! `<br/>`, `<br />`) breaks the line; it is the one HTML tag allowed there.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::Problem;

/// The most columns a table may have. More cannot be read on a page, and
/// Typst's layout of a table costs far more than its text: a case paper of
/// 1.2 MB holding one table of 1 500 columns took more than 4.5 GB.
pub(super) const MAX_COLUMNS: usize = 64;

/// The most cells the tables of one text (a case paper, a field) may have
/// together, 500 rows of 20 columns: more belongs in an attachment. Typst
/// needs about 33 KB per cell (a text at the limit: 330 MB); eight tables of
/// 10 000 cells in one paper of 480 KB took 2.1 GB.
pub(super) const MAX_CELLS: usize = 10_000;

/// A table's columns as its attribute list sets them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Attrs {
    /// Typst track sizes (`1fr`, `20%`, `auto`).
    pub(super) widths: Option<Vec<String>>,
    /// Typst alignments (`left`, `center`, `right`).
    pub(super) align: Option<Vec<&'static str>>,
}

/// Whether inline HTML is a line break (`<br>`, `<br/>`, `<br />`).
pub(super) fn is_break(html: &str) -> bool {
    let tag = html.trim().to_ascii_lowercase();
    let inner = tag.strip_prefix("<br").and_then(|t| t.strip_suffix('>'));
    matches!(inner.map(str::trim), Some("" | "/"))
}

/// The text of the paragraph that starts at `events[start]`, when it is only
/// text and looks like an attribute list (`{…}`), and the index after its end.
fn attribute_text<E: AsEvent>(events: &[E], start: usize) -> Option<(String, usize)> {
    if !matches!(events.get(start)?.event(), Event::Start(Tag::Paragraph)) {
        return None;
    }
    let mut text = String::new();
    for (i, e) in events.iter().enumerate().skip(start + 1) {
        match e.event() {
            Event::Text(t) => text.push_str(t),
            Event::End(TagEnd::Paragraph) => {
                let trimmed = text.trim();
                return (trimmed.starts_with('{') && trimmed.ends_with('}'))
                    .then(|| (trimmed.to_owned(), i + 1));
            }
            _ => return None,
        }
    }
    None
}

/// Events, with or without their offsets.
trait AsEvent {
    fn event(&self) -> &Event<'_>;
}

impl AsEvent for Event<'_> {
    fn event(&self) -> &Event<'_> {
        self
    }
}

impl AsEvent for (Event<'_>, Range<usize>) {
    fn event(&self) -> &Event<'_> {
        &self.0
    }
}

/// The number of columns of the table that starts at `events[start]`.
fn columns(event: &Event<'_>) -> Option<usize> {
    match event {
        Event::Start(Tag::Table(aligns)) => Some(aligns.len()),
        _ => None,
    }
}

/// Takes the attribute lists of the tables out of `events`: the events without
/// them, and per table, in order, its attributes (`None`: none, or a list
/// [`check`] reports, which then stays in the text).
pub(super) fn take_attributes(events: Vec<Event<'_>>) -> (Vec<Event<'_>>, Vec<Option<Attrs>>) {
    let mut out = Vec::with_capacity(events.len());
    let mut attrs = Vec::new();
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut skip_to = 0;
    for i in 0..events.len() {
        if i < skip_to {
            continue;
        }
        if let Some(n) = columns(&events[i]) {
            open.push((attrs.len(), n));
            attrs.push(None);
        }
        if matches!(events[i], Event::End(TagEnd::Table))
            && let Some((index, n)) = open.pop()
            && let Some((text, end)) = attribute_text(&events, i + 1)
            && let Ok(parsed) = parse(&text, n)
        {
            attrs[index] = Some(parsed);
            out.push(events[i].clone());
            skip_to = end;
            continue;
        }
        out.push(events[i].clone());
    }
    (out, attrs)
}

/// Reports tables too large to lay out ([`MAX_COLUMNS`], [`MAX_CELLS`]) and
/// attribute lists after tables that cannot be read; HTML in cells other than
/// `<br>` is left to the HTML check.
pub(super) fn check(events: &[(Event<'_>, Range<usize>)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    // Per open table: where it starts, its columns and its cells so far.
    let mut open: Vec<(usize, usize, usize)> = Vec::new();
    // The cells of the text's tables so far, until they are too many.
    let mut total = Some(0usize);
    for (i, (event, range)) in events.iter().enumerate() {
        if let Some(n) = columns(event) {
            open.push((range.start, n, 0));
        }
        if matches!(event, Event::Start(Tag::TableCell))
            && let Some((_, _, cells)) = open.last_mut()
        {
            *cells += 1;
        }
        if !matches!(event, Event::End(TagEnd::Table)) {
            continue;
        }
        let Some((start, n, cells)) = open.pop() else {
            continue;
        };
        if n > MAX_COLUMNS {
            problems.push(Problem {
                offset: start,
                message: format!(
                    "this table has {n} columns; a table has at most {MAX_COLUMNS}: split it, or attach it as a document"
                ),
            });
        } else if let Some(sum) = total.map(|t| t + cells) {
            total = Some(sum);
            if sum > MAX_CELLS {
                let message = if cells == sum {
                    format!("this table has {cells} cells; a table has at most {MAX_CELLS}")
                } else {
                    format!(
                        "with this table the tables of the text have {sum} cells; together they have at most {MAX_CELLS}"
                    )
                };
                problems.push(Problem {
                    offset: start,
                    message: message + ": shorten them, or attach them as a document",
                });
                total = None;
            }
        }
        if let Some((text, _)) = attribute_text(events, i + 1)
            && let Err(message) = parse(&text, n)
        {
            problems.push(Problem {
                offset: events[i + 1].1.start,
                message,
            });
        }
    }
    problems
}

/// Reads an attribute list (`{widths=1,4,1 align=l,l,r}`) for a table of `n`
/// columns.
fn parse(text: &str, n: usize) -> Result<Attrs, String> {
    let inner = text.trim_start_matches('{').trim_end_matches('}');
    let mut attrs = Attrs::default();
    for item in inner.split_whitespace() {
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!(
                "a table attribute is `key=value`, not `{item}`: use {{widths=1,4,1 align=l,l,r}}"
            ));
        };
        if key != "widths" && key != "align" {
            return Err(format!(
                "unknown table attribute `{key}`; use widths (such as 1,4,1 or 20%,auto) and align (l, c or r per column)"
            ));
        }
        let values: Vec<&str> = value.split(',').map(str::trim).collect();
        if values.len() != n || n > MAX_COLUMNS {
            return Err(format!(
                "the table has {n} columns, but `{key}` gives {}: give one value per column",
                values.len()
            ));
        }
        match key {
            "widths" if attrs.widths.is_none() => {
                attrs.widths = Some(values.iter().map(|v| width(v)).collect::<Result<_, _>>()?);
            }
            "align" if attrs.align.is_none() => {
                attrs.align = Some(values.iter().map(|v| align(v)).collect::<Result<_, _>>()?);
            }
            _ => return Err(format!("the table attribute `{key}` is given twice")),
        }
    }
    Ok(attrs)
}

/// A column width as a Typst track size.
fn width(value: &str) -> Result<String, String> {
    let number = |digits: &str, unit: &str, max: u32| match digits.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Some(format!("{n}{unit}")),
        _ => None,
    };
    let size = if value == "auto" {
        Some("auto".to_owned())
    } else if let Some(p) = value.strip_suffix('%') {
        number(p, "%", 100)
    } else {
        number(value.strip_suffix("fr").unwrap_or(value), "fr", 100)
    };
    size.ok_or_else(|| {
        format!(
            "`{value}` is not a column width; use a share (1 to 100, as 3 or 3fr), a percentage (1% to 100%) or auto"
        )
    })
}

/// A column alignment as a Typst alignment.
fn align(value: &str) -> Result<&'static str, String> {
    match value {
        "l" | "left" => Ok("left"),
        "c" | "center" => Ok("center"),
        "r" | "right" => Ok("right"),
        _ => Err(format!(
            "`{value}` is not a column alignment; use l, c or r (left, center, right)"
        )),
    }
}
