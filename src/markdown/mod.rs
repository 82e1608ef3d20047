//! Render stage, Markdown: Markdown → Typst markup, from pulldown-cmark events.
//!
//! Markdown may format (headings, emphasis, lists, links, tables) but never reaches
//! Typst code: every piece of text goes through [`escape_markup`], and every
//! construct is emitted as a call to a fixed Typst function.
//!
//! [`links`] decides which link addresses a document may have (web pages and
//! e-mail); [`words`] gives words too long for any line break opportunities;
//! [`fences`] finds the data-block fences of case papers (```` ```budget ````).

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::text::{escape_markup, quote_string};

pub mod fences;
pub mod figures;
mod keep;
pub mod links;
mod notes;
mod tables;
mod unsupported;
pub mod words;

pub use figures::{ImageRef, images};
pub use links::{LINK_SCHEMES, MAX_URL_LEN, check_url, link_target};
pub use words::{LONG_WORD_CHARS, WORD_CHUNK_CHARS, break_long_words};

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
}

/// A Markdown construct motebok cannot print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Byte offset into the Markdown text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// How deeply lists, quotes and emphasis may nest. Typst's parser has a depth
/// limit, and no document needs more than a handful of levels.
pub const MAX_NESTING: usize = 32;

/// How deeply block quotes may nest: each costs Typst several levels of show
/// rules, which are limited too.
pub const MAX_QUOTE_NESTING: usize = 8;

/// Table rows with a cell whose generated markup is longer than this many
/// characters may break across pages. Shorter rows are kept whole on one page, as the page
/// setup asks (`breakable: false`); a row this long can be taller than a page
/// in a table with many columns, and an unbreakable row taller than the page is
/// cut off at its bottom.
pub const BREAKABLE_CELL_CHARS: usize = 300;

/// Lists what in `markdown` cannot be converted.
pub fn check(markdown: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut depth = 0usize;
    let mut quotes = 0usize;
    let mut too_deep = false;
    let mut quotes_too_deep = false;
    let events: Vec<_> = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .collect();
    for (event, range) in events.iter().cloned() {
        match &event {
            Event::Start(tag) => {
                depth += 1;
                quotes += usize::from(matches!(tag, Tag::BlockQuote(_)));
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                quotes = quotes.saturating_sub(usize::from(matches!(tag, TagEnd::BlockQuote(_))));
            }
            _ => {}
        }
        if quotes > MAX_QUOTE_NESTING && !quotes_too_deep {
            quotes_too_deep = true;
            problems.push(Problem {
                offset: range.start,
                message: format!(
                    "quotes are nested more than {MAX_QUOTE_NESTING} levels deep here"
                ),
            });
        }
        if depth > MAX_NESTING && !too_deep {
            too_deep = true;
            problems.push(Problem {
                offset: range.start,
                message: format!(
                    "lists, quotes or emphasis are nested more than {MAX_NESTING} levels deep here"
                ),
            });
        }
        if let Event::Start(Tag::Link {
            link_type,
            dest_url,
            ..
        }) = event
            && let Err(message) = check_url(&link_target(link_type, &dest_url))
        {
            problems.push(Problem {
                offset: range.start,
                message,
            });
        }
    }
    problems.extend(notes::check_html(&events));
    problems.extend(tables::check(&events));
    problems.extend(notes::check(markdown, &events));
    problems.extend(figures::check(&events));
    problems.extend(unsupported::check(markdown));
    problems.sort_by_key(|p| p.offset);
    problems
}

/// Lists what in `markdown`, a field of a YAML file rather than a case paper,
/// cannot be converted: as [`check`], and figures, which only case papers have.
pub fn check_field(markdown: &str) -> Vec<Problem> {
    let mut problems = check(markdown);
    let images = images(markdown);
    // The one thing to say of a figure here (not also what is wrong with it).
    problems.retain(|p| !images.iter().any(|image| image.offset == p.offset));
    problems.extend(images.into_iter().map(|image| Problem {
        offset: image.offset,
        message:
            "figures can only be in case papers; describe the figure in text or a table".into(),
    }));
    problems.sort_by_key(|p| p.offset);
    problems
}

/// Converts Markdown to Typst markup.
///
/// Constructs that [`check`] reports are printed as their literal text, so that
/// nothing vanishes even when a caller skipped the check; a link whose address
/// [`check_url`] refuses prints its text without the link.
///
/// Heading levels are made relative and consecutive: the shallowest heading of
/// the text becomes depth 1 and no heading is more than one level deeper than
/// the one before, so that the document's outline, bookmarks and PDF/UA
/// structure stay valid whatever levels a drafter typed.
pub fn to_typst(markdown: &str) -> String {
    convert(markdown, false, 0)
}

/// Converts Markdown to Typst markup as [`to_typst`], with the text's last
/// paragraph kept with what follows it (see [`keep`]).
pub fn to_typst_keep_end(markdown: &str) -> String {
    convert(markdown, true, 0)
}

/// Converts Markdown to Typst markup; `keep_end`: the last paragraph sticks to
/// what follows. `occurrence` counts the times the same text was converted
/// before for the same document (two items with one description): its
/// footnotes' labels must differ from theirs, as Typst refers to a note by a
/// label unique in the document.
pub fn convert(markdown: &str, keep_end: bool, occurrence: usize) -> String {
    let top = Parser::new_ext(markdown, options())
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(heading_level(level)),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let (body, defs) = notes::split(Parser::new_ext(markdown, options()).collect());
    let defs = notes::render_all(defs, |events| {
        write_note(top, notes::Notes::default(), events)
    });
    let notes = notes::Notes::new(markdown, occurrence, defs, &body);
    let (body, tables) = tables::take_attributes(body);
    let kept = keep_end.then(|| keep::last_paragraph(&body)).flatten();
    let mut w = Writer {
        top,
        notes,
        table_attrs: tables.into(),
        ..Writer::default()
    };
    let out = write_keeping(&mut w, body, kept).trim_end().to_owned();
    if out.is_empty() { out } else { out + "\n" }
}

/// Writes the events of a footnote as Typst markup; `top` is the shallowest
/// heading level of the text and `notes` the footnotes that references print.
fn write_note(top: u8, notes: notes::Notes, events: Vec<Event<'_>>) -> String {
    let mut w = Writer {
        top,
        notes,
        in_note: true,
        ..Writer::default()
    };
    write_keeping(&mut w, events, None)
}

/// As [`write`]; the events from index `kept` on (a last paragraph) go in a
/// block that sticks to what follows.
fn write_keeping(w: &mut Writer, events: Vec<Event<'_>>, kept: Option<usize>) -> String {
    for (i, event) in events.into_iter().enumerate() {
        if kept == Some(i) {
            w.push(keep::OPEN);
        }
        w.event(event);
    }
    w.flush_figure(None);
    if kept.is_some() {
        w.out = w.out.trim_end().to_owned();
        w.push(keep::CLOSE);
    }
    std::mem::take(&mut w.out)
}

#[derive(Default)]
struct Writer {
    out: String,
    /// Set right after a `]` or `)` that closes a call, so that text starting with
    /// `(` is not taken as a further argument list.
    after_call: bool,
    /// Inside a code block: its text, collected until the end.
    code: Option<String>,
    /// Data-block fences seen so far, and whether the open code block is one
    /// (see [`fences`]).
    data_blocks: (usize, bool),
    /// Writing a footnote: a data-block fence in it prints as code (the
    /// blocks are numbered in the text; load refuses one in a note).
    in_note: bool,
    /// The shallowest heading level in the text.
    top: u8,
    /// The depth of the last heading written.
    last_depth: u8,
    /// The heading being written: where it starts in `out`, and `last_depth` before it.
    heading: Option<(usize, u8)>,
    /// In a table row of the body (not the header): where its cells' `[` are in `out`.
    row_cells: Vec<usize>,
    /// Inside the table's header row.
    in_head: bool,
    /// Inside a link whose address was refused: its text prints without the link.
    plain_link: bool,
    /// Per open tag: whether it was written, and whether it is a quote. Tags nested deeper than
    /// [`MAX_NESTING`] are left out (their text stays), so that even unchecked
    /// text never nests deeper than Typst's parser allows.
    open: Vec<(bool, bool)>,
    /// The text's footnotes, printed at their references.
    notes: notes::Notes,
    /// The figure being written, from its image's start until the event after
    /// its end (which may be its attribute list).
    figure: Option<figures::Figure>,
    /// Inside an HTML block: its lines, dropped at its end when they are only comments.
    html: Option<Vec<String>>,
    /// The attribute lists of the text's tables still to come, in order (see [`tables`]).
    table_attrs: std::collections::VecDeque<Option<tables::Attrs>>,
    /// How many tables are open (a cell's `<br>` breaks its line).
    tables_open: usize,
}

impl Writer {
    fn push(&mut self, s: &str) {
        if !s.is_empty() {
            self.out.push_str(s);
            self.after_call = false;
        }
    }

    fn close_call(&mut self, s: &str) {
        self.out.push_str(s);
        self.after_call = true;
    }

    fn text(&mut self, text: &str) {
        if let Some(code) = &mut self.code {
            code.push_str(text);
            return;
        }
        let escaped = escape_markup(&break_long_words(text));
        // `(` would continue the call's arguments; `;` would end the embedded
        // expression and vanish.
        if self.after_call && (escaped.starts_with('(') || escaped.starts_with(';')) {
            self.out.push('\\');
        }
        self.push(&escaped);
    }

    /// Puts a block that follows inline text (a nested list) on a line of its own.
    fn block_start(&mut self) {
        if !(self.out.is_empty() || self.out.ends_with('\n') || self.out.ends_with('[')) {
            self.push("\n");
        }
    }

    /// Lets the table row just written break across pages when a cell of it is
    /// longer than [`BREAKABLE_CELL_CHARS`]: Typst breaks a row only when every
    /// cell of it may break.
    fn breakable_row(&mut self) {
        let starts = std::mem::take(&mut self.row_cells);
        let ends = starts.iter().skip(1).copied().chain([self.out.len()]);
        let long = starts.iter().zip(ends).any(|(&start, end)| {
            self.out[start..end]
                .chars()
                .nth(BREAKABLE_CELL_CHARS)
                .is_some()
        });
        if long {
            for &start in starts.iter().rev() {
                self.out.insert_str(start, "table.cell(breakable: true)");
            }
        }
    }

    /// Writes the figure waiting for `next`, with the attribute list `next`
    /// starts with, if any; then `next`.
    fn flush_figure(&mut self, next: Option<Event<'_>>) {
        let Some(figure) = self.figure.take() else {
            return;
        };
        let mut next = next;
        let mut attrs = figures::Attrs::default();
        if let Some(Event::Text(t)) = &next
            && let Some(Ok((found, len))) = figures::parse_attrs(t)
        {
            attrs = found;
            let rest = t[len..].to_owned();
            next = (!rest.is_empty()).then(|| Event::Text(rest.into()));
        }
        self.push(&figure.call(&attrs));
        self.after_call = true;
        if let Some(event) = next {
            self.event(event);
        }
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some(figure) = &mut self.figure {
            if !figure.take(&event) {
                self.flush_figure(Some(event));
            }
            return;
        }
        if let Event::Start(Tag::Image {
            dest_url, title, ..
        }) = &event
            && dest_url.starts_with('/')
        {
            self.figure = Some(figures::Figure {
                path: dest_url.to_string(),
                caption: title.to_string(),
                ..figures::Figure::default()
            });
            return;
        }
        match event {
            Event::Start(tag) => {
                let quote = matches!(tag, Tag::BlockQuote(_));
                let quotes = self.open.iter().filter(|(w, q)| *w && *q).count();
                let written =
                    self.open.len() < MAX_NESTING && !(quote && quotes >= MAX_QUOTE_NESTING);
                self.open.push((written, quote));
                if written {
                    self.start(tag);
                }
            }
            Event::End(tag) => {
                if self.open.pop().is_none_or(|(written, _)| written) {
                    self.end(tag);
                } else if matches!(
                    tag,
                    TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::Heading(_)
                ) {
                    self.push(" ");
                }
            }
            Event::Text(t) => self.text(&t),
            Event::Code(t) => {
                let call = format!("#raw({})", quote_string(&t));
                self.push(&call);
                self.after_call = true;
            }
            Event::Html(t) => match &mut self.html {
                Some(lines) => lines.push(t.into_string()),
                None => self.text(t.trim_end_matches('\n')),
            },
            Event::InlineHtml(t) if notes::is_comment(&t) => {}
            Event::InlineHtml(t) if self.tables_open > 0 && tables::is_break(&t) => {
                self.close_call("#linebreak()");
            }
            Event::InlineHtml(t) => self.text(t.trim_end_matches('\n')),
            Event::SoftBreak => self.push(" "),
            Event::HardBreak => self.push("\\\n"),
            Event::Rule => self.push("#line(length: 100%)\n\n"),
            Event::FootnoteReference(t) => match self.notes.call(&t) {
                Some(call) => {
                    self.push(&call);
                    self.after_call = !call.ends_with('>');
                }
                None => self.text(&format!("[^{t}]")),
            },
            Event::TaskListMarker(done) => self.push(if done { "☑ " } else { "☐ " }),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => {
                self.heading = Some((self.out.len(), self.last_depth));
                let n = (heading_level(level) + 1 - self.top.max(1)).min(self.last_depth + 1);
                self.last_depth = n;
                self.push(&format!("#heading(depth: {n})["));
            }
            Tag::BlockQuote(_) => self.push("#quote(block: true)["),
            Tag::CodeBlock(kind) => {
                self.data_blocks.1 = !self.in_note
                    && matches!(&kind,
                        CodeBlockKind::Fenced(info) if fences::data_kind(info).is_some());
                self.code = Some(String::new());
            }
            Tag::HtmlBlock => self.html = Some(Vec::new()),
            Tag::List(Some(start)) => {
                self.block_start();
                self.push(&format!("#enum(start: {start}, "));
            }
            Tag::List(None) => {
                self.block_start();
                self.push("#list(");
            }
            Tag::Item => self.push("["),
            Tag::Table(aligns) => {
                self.tables_open += 1;
                let attrs = self.table_attrs.pop_front().flatten().unwrap_or_default();
                let columns = match attrs.widths {
                    Some(widths) => format!("({},)", widths.join(", ")),
                    None => aligns.len().to_string(),
                };
                let aligns = (attrs.align)
                    .unwrap_or_else(|| aligns.iter().map(align_name).collect())
                    .join(", ");
                self.push(&format!("#table(columns: {columns}, align: ({aligns},), "));
            }
            Tag::TableHead => {
                self.in_head = true;
                self.push("table.header(");
            }
            Tag::TableRow => self.row_cells.clear(),
            Tag::TableCell => {
                if !self.in_head {
                    self.row_cells.push(self.out.len());
                }
                self.push("[");
            }
            Tag::Emphasis => self.push("#emph["),
            Tag::Strong => self.push("#strong["),
            Tag::Strikethrough => self.push("#strike["),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let target = link_target(link_type, &dest_url);
                self.plain_link = check_url(&target).is_err();
                if !self.plain_link {
                    self.push(&format!("#link({})[", quote_string(target.trim())));
                }
            }
            // Its alt text, in literal brackets: a bare `[` right after a call
            // would be taken as one more argument of it.
            Tag::Image { .. } => self.push("\\["),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.push("\n\n"),
            TagEnd::Heading(_) => {
                // An empty heading (a lone `#`) has no title, which PDF/UA
                // refuses: leave it out.
                if let Some((start, depth)) = self.heading.take() {
                    let body = self.out[start..].split_once('[').map_or("", |(_, b)| b);
                    if body.trim().is_empty() {
                        self.out.truncate(start);
                        self.last_depth = depth;
                        return;
                    }
                }
                self.push("]\n\n")
            }
            TagEnd::BlockQuote(_) => self.push("]\n\n"),
            TagEnd::CodeBlock if std::mem::take(&mut self.data_blocks.1) => {
                self.code = None;
                self.push(&fences::placeholder(self.data_blocks.0));
                self.data_blocks.0 += 1;
            }
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                let call = format!(
                    "#raw(block: true, {})\n\n",
                    quote_string(code.trim_end_matches('\n'))
                );
                self.push(&call);
            }
            TagEnd::List(_) => {
                trim_trailing_blank(&mut self.out);
                if self.out.ends_with(", ") {
                    self.out.truncate(self.out.len() - 2);
                }
                self.push(")\n\n");
            }
            TagEnd::Item => {
                trim_trailing_blank(&mut self.out);
                self.push("], ");
            }
            TagEnd::Table => {
                self.tables_open = self.tables_open.saturating_sub(1);
                self.push(")\n\n");
            }
            TagEnd::TableHead => {
                self.in_head = false;
                self.push("),\n  ");
            }
            TagEnd::TableRow => {
                self.breakable_row();
                self.push("\n  ");
            }
            TagEnd::TableCell => self.push("], "),
            TagEnd::Link if std::mem::take(&mut self.plain_link) => {}
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => {
                self.close_call("]")
            }
            TagEnd::Image => self.push("\\]"),
            TagEnd::HtmlBlock => {
                let lines = self.html.take().unwrap_or_default();
                if !notes::is_comment(&lines.concat()) {
                    for line in lines {
                        self.text(line.trim_end_matches('\n'));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Removes the line breaks at the end of a block, including a forced line break
/// (`\` at the end of a line): left alone it would escape the closing bracket.
fn trim_trailing_blank(s: &mut String) {
    while s.ends_with('\n') {
        s.pop();
    }
    // Text backslashes are always escaped in pairs, so an odd run is a break.
    let backslashes = s.chars().rev().take_while(|&c| c == '\\').count();
    if backslashes % 2 == 1 {
        s.pop();
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn align_name(align: &Alignment) -> &'static str {
    match align {
        Alignment::None | Alignment::Left => "left",
        Alignment::Center => "center",
        Alignment::Right => "right",
    }
}

#[cfg(test)]
mod tests;
