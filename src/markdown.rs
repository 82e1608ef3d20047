//! Render stage, Markdown: Markdown → Typst markup, from pulldown-cmark events.
//!
//! Markdown may format (headings, emphasis, lists, links, tables) but never reaches
//! Typst code: every piece of text goes through [`escape_markup`], and every
//! construct is emitted as a call to a fixed Typst function.

use std::borrow::Cow;

use pulldown_cmark::{Alignment, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::text::{escape_markup, quote_string};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
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

/// The longest link address accepted, in bytes. Real addresses stay far below
/// it; far longer ones are pasted data, and PDF/A limits a string to 32 767 bytes.
pub const MAX_URL_LEN: usize = 2000;

/// The schemes a link in a document may use: web pages and e-mail. Anything
/// else (`javascript:`, `file:`, relative paths) would run code, reach the
/// reader's files or lead nowhere from a PDF.
pub const LINK_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// The address a Markdown link points to in the document: an e-mail autolink
/// (`<post@ehelse.no>`) gets `mailto:`; other addresses are kept as written.
pub fn link_target(link_type: LinkType, dest: &str) -> String {
    if link_type == LinkType::Email && !dest.to_ascii_lowercase().starts_with("mailto:") {
        format!("mailto:{dest}")
    } else {
        dest.to_owned()
    }
}

/// Checks a link address: not empty, not overlong, and with one of
/// [`LINK_SCHEMES`]; `Err` says what is wrong.
pub fn check_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("the link has no address".to_owned());
    }
    if url.len() > MAX_URL_LEN {
        return Err(format!(
            "the link address is {} bytes long, more than the {MAX_URL_LEN} allowed",
            url.len()
        ));
    }
    let scheme = url.split_once(':').map(|(scheme, _)| scheme).filter(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let Some(scheme) = scheme else {
        return Err(format!(
            "the link `{}` has no scheme: links in documents must be absolute, starting with https://, http:// or mailto:",
            shorten(url)
        ));
    };
    let rest = &url[scheme.len() + 1..];
    if !LINK_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
        return Err(format!(
            "links may only use https, http or mailto, not `{scheme}:`"
        ));
    }
    if rest.trim_start_matches('/').is_empty() {
        return Err(format!(
            "the link `{}` has no address after the scheme",
            shorten(url)
        ));
    }
    Ok(())
}

/// The start of a long address, for messages.
fn shorten(url: &str) -> String {
    const SHOWN: usize = 60;
    match url.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}…", &url[..at]),
        None => url.to_owned(),
    }
}

/// Words longer than this many characters get break opportunities. Typst
/// cannot break a word that has none, so a token, hash or address pasted as
/// text would run off the page. A line of body text holds about 85 characters,
/// and no word of Norwegian prose is this long; a web address of the examples
/// (47 characters) is left alone, so that it moves to a line of its own whole
/// rather than being split.
pub const LONG_WORD_CHARS: usize = 60;

/// In a word longer than [`LONG_WORD_CHARS`], an invisible break opportunity
/// (U+200B, zero width space) after every this many characters, so that a line
/// breaks there when it must, even in a narrow table column.
pub const WORD_CHUNK_CHARS: usize = 10;

/// Table rows with a cell whose generated markup is longer than this many
/// characters may break across pages. Shorter rows are kept whole on one page, as the page
/// setup asks (`breakable: false`); a row this long can be taller than a page
/// in a table with many columns, and an unbreakable row taller than the page is
/// cut off at its bottom.
pub const BREAKABLE_CELL_CHARS: usize = 300;

/// `text` with a zero width space after every [`WORD_CHUNK_CHARS`] characters
/// of each word longer than [`LONG_WORD_CHARS`]; never before a combining mark
/// or joiner, so that no letter is parted from its accent.
pub fn break_long_words(text: &str) -> Cow<'_, str> {
    let long = |w: &str| w.chars().nth(LONG_WORD_CHARS).is_some();
    if !text.split_whitespace().any(long) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / WORD_CHUNK_CHARS * 3);
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end_matches(char::is_whitespace);
        if !long(word) {
            out.push_str(piece);
            continue;
        }
        let mut run = 0usize;
        let mut previous = None;
        for c in word.chars() {
            if run >= WORD_CHUNK_CHARS && !clings(c) && previous != Some('\u{200D}') {
                out.push('\u{200B}');
                run = 0;
            }
            out.push(c);
            run += 1;
            previous = Some(c);
        }
        out.push_str(&piece[word.len()..]);
    }
    Cow::Owned(out)
}

/// Whether `c` belongs to the character before it: a combining mark, a joiner
/// or a variation selector.
fn clings(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0900}'..='\u{0903}'
        | '\u{093A}'..='\u{094F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// Lists what in `markdown` cannot be converted.
pub fn check(markdown: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut depth = 0usize;
    let mut quotes = 0usize;
    let mut too_deep = false;
    let mut quotes_too_deep = false;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
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
        let message = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => match check_url(&link_target(link_type, &dest_url)) {
                Ok(()) => continue,
                Err(message) => {
                    problems.push(Problem {
                        offset: range.start,
                        message,
                    });
                    continue;
                }
            },
            Event::Start(Tag::Image { .. }) => {
                "images are not supported in Markdown content; describe the figure in text or a table"
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                "HTML is not supported in Markdown content; use Markdown lists, emphasis and tables"
            }
            _ => continue,
        };
        problems.push(Problem {
            offset: range.start,
            message: message.to_owned(),
        });
    }
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
    let top = Parser::new_ext(markdown, options())
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(heading_level(level)),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let mut w = Writer {
        top,
        ..Writer::default()
    };
    for event in Parser::new_ext(markdown, options()) {
        w.event(event);
    }
    let out = w.out.trim_end().to_owned();
    if out.is_empty() { out } else { out + "\n" }
}

#[derive(Default)]
struct Writer {
    out: String,
    /// Set right after a `]` or `)` that closes a call, so that text starting with
    /// `(` is not taken as a further argument list.
    after_call: bool,
    /// Inside a code block: its text, collected until the end.
    code: Option<String>,
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

    fn event(&mut self, event: Event<'_>) {
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
            Event::Html(t) | Event::InlineHtml(t) => self.text(t.trim_end_matches('\n')),
            Event::SoftBreak => self.push(" "),
            Event::HardBreak => self.push("\\\n"),
            Event::Rule => self.push("#line(length: 100%)\n\n"),
            Event::FootnoteReference(t) => self.text(&format!("[^{t}]")),
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
            Tag::CodeBlock(_) => self.code = Some(String::new()),
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
                let aligns: Vec<&str> = aligns.iter().map(align_name).collect();
                self.push(&format!(
                    "#table(columns: {}, align: ({},), ",
                    aligns.len(),
                    aligns.join(", ")
                ));
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
            TagEnd::Table => self.push(")\n\n"),
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
mod tests {
    use super::*;

    #[test]
    fn converts_the_supported_constructs() {
        let cases = [
            (
                "Hei *du* og **dere**.",
                "Hei #emph[du] og #strong[dere]\\.\n",
            ),
            ("## Bakgrunn", "#heading(depth: 1)[Bakgrunn]\n"),
            ("- en\n- to", "#list([en], [to])\n"),
            ("3. tre\n4. fire", "#enum(start: 3, [tre], [fire])\n"),
            (
                "[ehelse](https://ehelse.no)",
                "#link(\"https://ehelse.no\")[ehelse]\n",
            ),
            ("Bruk `kode`", "Bruk #raw(\"kode\")\n"),
            ("a  \nb", "a\\\nb\n"),
            ("~~ut~~", "#strike[ut]\n"),
        ];
        for (md, typst) in cases {
            assert_eq!(to_typst(md), typst, "converting {md:?}");
        }
    }

    #[test]
    fn links_keep_web_and_mail_addresses_only() {
        let cases = [
            (
                "<post@ehelse.no>",
                "#link(\"mailto:post@ehelse.no\")[post\\@ehelse\\.no]\n",
            ),
            (
                "[skriv](MAILTO:a@b.no)",
                "#link(\"MAILTO:a@b.no\")[skriv]\n",
            ),
            ("[x](javascript:alert(1)) y", "x y\n"),
            ("[x](file:///etc/passwd)", "x\n"),
            ("[*x*](saker/a.md)", "#emph[x]\n"),
            ("[x]()", "x\n"),
        ];
        for (md, typst) in cases {
            assert_eq!(to_typst(md), typst, "converting {md:?}");
        }
        for ok in [
            "https://ehelse.no",
            "http://a.b/c?d#e",
            "mailto:a@b.no",
            "HTTPS://X.NO",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            " ",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "a.pdf",
            "#x",
            "//ehelse.no",
            "https://",
            "mailto:",
            "1http://x",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_url(&format!("https://a.no/{}", "x".repeat(MAX_URL_LEN))).is_err());
        assert_eq!(check("[a](https://a.no) [b](ftp://x)").len(), 1);
        assert_eq!(check("[a](ftp://x)")[0].offset, 0);
    }

    #[test]
    fn long_words_get_break_opportunities() {
        assert_eq!(break_long_words("kort tekst"), "kort tekst");
        let word = "abcdefghij".repeat(7);
        let broken = break_long_words(&format!("a {word} b")).into_owned();
        assert_eq!(broken.matches('\u{200B}').count(), 6);
        assert_eq!(broken.replace('\u{200B}', ""), format!("a {word} b"));
        assert!(broken.contains("abcdefghij\u{200B}abcdefghij"));
        // Never between a letter and its accent.
        let accented = "e\u{301}".repeat(40);
        let broken = break_long_words(&accented);
        assert!(!broken.contains("\u{200B}\u{301}"), "{broken:?}");
        assert_eq!(broken.replace('\u{200B}', ""), accented);
        // A word of exactly the limit is left alone.
        let limit = "x".repeat(LONG_WORD_CHARS);
        assert_eq!(break_long_words(&limit), limit);
    }

    #[test]
    fn rows_with_a_long_cell_may_break_across_pages() {
        let long = "ord ".repeat(BREAKABLE_CELL_CHARS / 4 + 1);
        let md = format!("| A | B |\n|---|---|\n| 1 | kort |\n| 2 | {long} |\n");
        let typst = to_typst(&md);
        assert_eq!(
            typst.matches("table.cell(breakable: true)").count(),
            2,
            "{typst}"
        );
        assert!(typst.contains("[1], [kort], "), "{typst}");
        assert!(typst.contains("table.cell(breakable: true)[2], table.cell(breakable: true)[ord"));
    }

    #[test]
    fn tables_become_typst_tables_with_header_rows() {
        let md = "| ID | Beløp |\n|---|--:|\n| 1 | 75 069 028 |\n";
        assert_eq!(
            to_typst(md),
            "#table(columns: 2, align: (left, right,), table.header([ID], [Beløp], ),\n  [1], [75 069 028], \n  )\n"
        );
    }

    #[test]
    fn heading_levels_become_relative_and_consecutive() {
        assert_eq!(
            to_typst("## A\n\n#### B\n\n### C\n\n## D"),
            "#heading(depth: 1)[A]\n\n#heading(depth: 2)[B]\n\n#heading(depth: 2)[C]\n\n#heading(depth: 1)[D]\n"
        );
    }

    #[test]
    fn a_forced_break_at_the_end_of_an_item_does_not_escape_the_bracket() {
        assert_eq!(to_typst("- a  \n- b\\"), "#list([a], [b\\\\])\n");
        assert_eq!(to_typst("- P,\u{c}\u{c}\n"), "#list([P,])\n");
    }

    #[test]
    fn too_deep_nesting_still_compiles_without_the_check() {
        for (deep, word) in [
            ("> ".repeat(MAX_NESTING + 5) + "x *y* z", "y"),
            (
                "> ".repeat(MAX_QUOTE_NESTING) + "**a *b ~~c [d](e)~~ b* a**",
                "d",
            ),
            (
                "- ".repeat(MAX_NESTING / 2 - MAX_QUOTE_NESTING)
                    + &"> ".repeat(MAX_QUOTE_NESTING)
                    + "*x*",
                "x",
            ),
            (
                (0..MAX_NESTING + 5)
                    .map(|i| format!("{}- punkt {i}\n", "  ".repeat(i)))
                    .collect::<String>(),
                "punkt 36",
            ),
            ("*".repeat(80) + "x" + &"*".repeat(80), "x"),
        ] {
            let typst = to_typst(&deep);
            let compiled = crate::compile::compile_pdf(
                crate::world::Typesetter::shared(),
                crate::compile::CompileRequest {
                    name: "deep.typ",
                    source: typst.clone(),
                    ident: "deep",
                    date: (2024, 1, 1),
                    standards: &[],
                },
            );
            let text = compiled
                .unwrap_or_else(|e| panic!("{deep:?} → {typst}: {}", e[0]))
                .text
                .concat();
            assert!(text.contains(word), "{word:?} missing from {text:?}");
        }
    }

    #[test]
    fn too_deep_nesting_is_a_problem() {
        let deep = "> ".repeat(MAX_NESTING + 5) + "x";
        assert!(
            check(&deep)
                .iter()
                .any(|p| p.message.contains("nested more than"))
        );
        assert!(check("> > x").is_empty());
        let quotes = "> ".repeat(MAX_QUOTE_NESTING + 1) + "x";
        assert!(
            check(&quotes)
                .iter()
                .any(|p| p.message.contains("quotes are nested more than 8"))
        );
        assert!(check(&("> ".repeat(MAX_QUOTE_NESTING) + "x")).is_empty());
    }

    #[test]
    fn nested_lists_nest() {
        assert_eq!(to_typst("- a\n  - b\n- c"), "#list([a\n#list([b])], [c])\n");
    }

    #[test]
    fn text_never_becomes_code() {
        let out = to_typst("#set page(width: 1pt) $x$ @ref <lbl> // c");
        assert_eq!(
            out,
            "\\#set page(width: 1pt) \\$x\\$ \\@ref \\<lbl\\> \\/\\/ c\n"
        );
        // A parenthesis right after a call is not an argument list.
        assert_eq!(
            to_typst("*Merk*(se vedlegg)"),
            "#emph[Merk]\\(se vedlegg)\n"
        );
    }

    #[test]
    fn text_after_a_call_stays_text() {
        assert_eq!(to_typst("*a*; b"), "#emph[a]\\; b\n");
        assert_eq!(to_typst("`x`;"), "#raw(\"x\")\\;\n");
        assert_eq!(to_typst("*x*![a](b)"), "#emph[x]\\[a\\]\n");
    }

    #[test]
    fn empty_headings_are_left_out() {
        assert_eq!(to_typst("#"), "");
        assert_eq!(
            to_typst("## \n\nTekst\n\n### B"),
            "Tekst\n\n#heading(depth: 1)[B]\n"
        );
    }

    #[test]
    fn check_reports_images_and_html() {
        let problems = check("Tekst\n\n![logo](logo.png)\n\n<b>x</b>");
        assert_eq!(problems.len(), 3);
        assert_eq!(problems[0].offset, 7);
        assert!(problems[0].message.contains("images"));
        assert!(problems[1].message.contains("HTML"));
    }
}
