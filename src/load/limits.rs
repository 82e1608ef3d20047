//! Load stage, limits: bounds on what one content file may ask of the later
//! stages, checked on its text before (or instead of) the expensive work:
//! nesting depth before either YAML parser runs, what aliases expand to before
//! serde builds values, and word and run lengths before Typst lays them out.
//! Pure functions of the text; each finding is a byte offset and a wording.

use std::collections::HashMap;

use pulldown_cmark::{Options, Tag};
use yaml_rust2::parser::{Event, Parser};

use crate::diagnostic::Position;

/// Deepest nesting of YAML lists and mappings written with brackets (`[`,
/// `{`). Content nests four levels at most; serde_yaml_ng gives up at 128,
/// but only after its parser has spent minutes on 150 000 levels.
pub(crate) const MAX_NESTING: usize = 64;

/// What aliases (`*name`) may add to a YAML file, in bytes of text plus one
/// per value: a few repeated values are fine, a file that expands to a
/// million copies of a long text (an alias bomb) is refused before it is
/// expanded.
pub(crate) const MAX_ALIAS_EXPANSION: u64 = 1024 * 1024;

/// Longest word (characters without a space) in content text. Typst spends
/// minutes breaking a word of 200 000 characters into lines, and PDF/A
/// refuses a text string over 32 767 bytes; a link's whole Markdown (`[text](…)`
/// with an address up to [`crate::markdown::MAX_URL_LEN`] bytes) fits, so that
/// an overlong address gets its own, more precise message.
pub(crate) const MAX_WORD_CHARS: usize = 4000;

/// Longest run of one character repeated (`-----`, `[[[[`): a separator line
/// needs far fewer.
pub(crate) const MAX_RUN_CHARS: usize = 200;

/// Most action points open at once in a body. Every summons lists the open
/// ones, so action points that are never closed would make each document
/// longer than the one before (1 000 meetings took minutes); this bounds
/// every list, and more than a few pages of them are not followed up anyway.
pub(crate) const MAX_OPEN_ACTIONS: usize = 200;

/// Most blocks (paragraphs, headings, list items, table rows) in one case
/// paper: about 150 pages. Typst holds a whole document while laying it out;
/// a paper of 30 000 short table rows took minutes and 2.7 GB.
pub(crate) const MAX_BLOCKS: usize = 5000;

/// Longest text of one YAML value, in bytes (about 30 pages). Long texts
/// belong in a case paper; a data-block cell of 3 MB took 36 s and 2.7 GB to
/// lay out, almost all of it cut off at the bottom of its page.
pub(crate) const MAX_YAML_TEXT_BYTES: usize = 64 * 1024;

/// A limit exceeded at a place in the text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Exceeded {
    /// Byte offset of the start of what is too long or too deep.
    pub(crate) offset: usize,
    /// What is wrong.
    pub(crate) message: String,
    /// What to do.
    pub(crate) hint: &'static str,
}

/// The first bracket that opens a list or mapping deeper than [`MAX_NESTING`]
/// in YAML `text`. A cheap scan of the text, run before any parser: brackets
/// in quotes and comments are skipped, and a bracket counts only where a flow
/// collection can start (after `:`, `-`, `,`, `?`, another bracket or at the
/// start of a line), so `Sak [1]` in a plain text does not.
pub(crate) fn yaml_nesting(text: &str) -> Option<Exceeded> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut escaped = false;
    // The last character that is not a space on this line, outside quotes.
    let mut last: Option<char> = None;
    for (offset, c) in text.char_indices() {
        if c == '\n' {
            comment = false;
            last = None;
            if quote.is_none() {
                continue;
            }
        }
        if comment {
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == '"' && c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
                last = Some(c);
            }
            continue;
        }
        match c {
            '#' if last.is_none() || text[..offset].ends_with([' ', '\t']) => comment = true,
            '"' | '\'' if opens_value(last) => quote = Some(c),
            '[' | '{' if opens_value(last) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(Exceeded {
                        offset,
                        message: format!(
                            "invalid YAML: lists or mappings are nested more than {MAX_NESTING} levels deep"
                        ),
                        hint: "content needs a few levels at most: close each `[` with `]` and each `{` with `}`",
                    });
                }
            }
            ']' | '}' if depth > 0 => depth -= 1,
            // A bracket in a plain text (`a [[`) opens nothing, nor does the next.
            '[' | '{' => {
                last = Some('x');
                continue;
            }
            _ => {}
        }
        if !c.is_whitespace() {
            last = Some(c);
        }
    }
    None
}

/// Whether a value (a quoted text or a bracketed collection) can start after
/// `last`, the character before it on the line.
fn opens_value(last: Option<char>) -> bool {
    matches!(last, None | Some(':' | '-' | ',' | '?' | '[' | '{'))
}

/// The position of the first alias in YAML `text` when its aliases expand to
/// more than [`MAX_ALIAS_EXPANSION`] beyond the text itself. The anchored
/// values are weighed (bytes of text plus one per value) on the parser's
/// events, without expanding anything. `None` also when the text does not
/// parse: serde reports that.
pub(crate) fn alias_bomb(text: &str) -> Option<Position> {
    let mut parser = Parser::new_from_str(text);
    // Anchor id to the weight of its value; open collections: anchor id and
    // the total when they started.
    let mut anchors: HashMap<usize, u64> = HashMap::new();
    let mut open: Vec<(usize, u64)> = Vec::new();
    let (mut total, mut expanded) = (0u64, 0u64);
    let mut first_alias: Option<Position> = None;
    loop {
        let (event, mark) = parser.next_token().ok()?;
        match event {
            Event::StreamEnd => return None,
            Event::Scalar(value, _, anchor, _) => {
                let weight = value.len() as u64 + 1;
                total += weight;
                if anchor != 0 {
                    anchors.insert(anchor, weight);
                }
            }
            Event::Alias(anchor) => {
                first_alias.get_or_insert(Position {
                    line: mark.line(),
                    column: mark.col() + 1,
                });
                let weight = anchors.get(&anchor).copied().unwrap_or(1);
                total = total.saturating_add(weight);
                expanded = expanded.saturating_add(weight);
                if expanded > MAX_ALIAS_EXPANSION {
                    return first_alias;
                }
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                total += 1;
                open.push((anchor, total - 1));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, start)) = open.pop().filter(|(a, _)| *a != 0) {
                    anchors.insert(anchor, total - start);
                }
            }
            _ => {}
        }
    }
}

/// The first YAML value in `text` longer than [`MAX_YAML_TEXT_BYTES`], on the
/// parser's events. `None` also when the text does not parse: serde reports that.
pub(crate) fn long_yaml_text(text: &str) -> Option<Exceeded> {
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().ok()?;
        match event {
            Event::StreamEnd => return None,
            Event::Scalar(value, ..) if value.len() > MAX_YAML_TEXT_BYTES => {
                // The mark counts characters; the offset is in bytes.
                let offset = text
                    .char_indices()
                    .nth(mark.index())
                    .map_or(text.len(), |(offset, _)| offset);
                return Some(Exceeded {
                    offset,
                    message: format!(
                        "a text of more than {MAX_YAML_TEXT_BYTES} bytes in one field"
                    ),
                    hint: "put a long text in a case paper (Markdown), or an attachment",
                });
            }
            _ => {}
        }
    }
}

/// The block of Markdown `text` past [`MAX_BLOCKS`], if there is one.
pub(crate) fn markdown_blocks(text: &str) -> Option<Exceeded> {
    let parser = pulldown_cmark::Parser::new_ext(text, Options::ENABLE_TABLES);
    let mut blocks = 0usize;
    for (event, range) in parser.into_offset_iter() {
        let pulldown_cmark::Event::Start(tag) = event else {
            continue;
        };
        let block = matches!(
            tag,
            Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::Item
                | Tag::TableRow
                | Tag::TableHead
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
        );
        blocks += usize::from(block);
        if blocks > MAX_BLOCKS {
            return Some(Exceeded {
                offset: range.start,
                message: format!(
                    "the text has more than {MAX_BLOCKS} paragraphs, headings, list items and table rows"
                ),
                hint: "split it into several case papers, or attach the long part as its own document",
            });
        }
    }
    None
}

/// Words longer than [`MAX_WORD_CHARS`] and runs of one character longer than
/// [`MAX_RUN_CHARS`] in `text`, each reported once. A word ends at a space
/// and after a `|`, where a line may break (a table row written without
/// spaces, `|a|b|`, is cells, not one word).
pub(crate) fn long_words(text: &str) -> Vec<Exceeded> {
    let mut found = Vec::new();
    // The current word: where it starts, its length, and whether it is
    // reported (as a long word or for a run in it); the current run of one
    // character alike.
    let (mut word_start, mut word_chars, mut word_reported) = (0, 0, false);
    let (mut run_start, mut run_chars, mut run_char, mut run_reported) = (0, 0, ' ', false);
    for (offset, c) in text.char_indices() {
        if c.is_whitespace() {
            (word_chars, word_reported, run_chars) = (0, false, 0);
            continue;
        }
        if word_chars == 0 {
            word_start = offset;
        }
        word_chars += 1;
        if c == run_char && run_chars > 0 {
            run_chars += 1;
        } else {
            (run_start, run_chars, run_char, run_reported) = (offset, 1, c, false);
        }
        if run_chars > MAX_RUN_CHARS && !run_reported && !word_reported {
            (run_reported, word_reported) = (true, true);
            found.push(Exceeded {
                offset: run_start,
                message: format!(
                    "the character `{c}` is repeated more than {MAX_RUN_CHARS} times in a row"
                ),
                hint: "shorten the run; use a heading or a blank line to separate parts",
            });
        } else if word_chars > MAX_WORD_CHARS && !word_reported && !run_reported {
            word_reported = true;
            found.push(Exceeded {
                offset: word_start,
                message: format!(
                    "a word of more than {MAX_WORD_CHARS} characters without a space cannot be typeset"
                ),
                hint: "break it up with spaces; a long web address can be shortened",
            });
        }
        if c == '|' {
            (word_chars, word_reported) = (0, false);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_nesting_is_found_before_parsing() {
        let deep = "a: ".to_owned() + &"{a: ".repeat(150_000);
        let found = yaml_nesting(&deep).expect("too deep");
        assert_eq!(found.offset, 3 + 4 * MAX_NESTING);
        let fine = "title: Sak [1] {x}\nlist: [a, [b, {c: d}]]\n# [[[[\nq: \"[[[\"\n";
        assert_eq!(yaml_nesting(fine), None);
        let brackets = "text: ".to_owned() + &"[".repeat(1000);
        assert_eq!(
            yaml_nesting(&brackets).map(|e| e.offset),
            Some(6 + MAX_NESTING)
        );
        let plain = "text: a ".to_owned() + &"[".repeat(1000);
        assert_eq!(yaml_nesting(&plain), None);
    }

    #[test]
    fn alias_bombs_are_weighed_not_expanded() {
        let big = "x".repeat(100_000);
        let bomb = format!("s: &s {big}\nl: [{}]\n", "*s,".repeat(100));
        assert_eq!(alias_bomb(&bomb), Some(Position { line: 2, column: 5 }));
        let fine = "a: &a [1, 2]\nb: *a\nc: *a\n";
        assert_eq!(alias_bomb(fine), None);
        assert_eq!(alias_bomb("a: [unclosed"), None);
    }

    #[test]
    fn papers_have_a_bounded_number_of_blocks() {
        let table = format!("|a|b|\n|-|-|\n{}", "|x|y|\n".repeat(MAX_BLOCKS + 10));
        let found = markdown_blocks(&table).expect("too many rows");
        // The header row counts; the row found is the one past the limit.
        assert_eq!(found.offset, 12 + 6 * (MAX_BLOCKS - 1));
        assert_eq!(markdown_blocks(&"Avsnitt.\n\n".repeat(MAX_BLOCKS)), None);
    }

    #[test]
    fn a_long_yaml_text_is_found_at_its_start() {
        let long = "ab ".repeat(MAX_YAML_TEXT_BYTES / 3 + 1);
        let text = format!("tittel: «ok»\nkommentar: \"{long}\"\n");
        let found = long_yaml_text(&text).expect("found");
        assert_eq!(&text[found.offset..found.offset + 4], "\"ab ");
        let short = format!("kommentar: {}\n", "ab ".repeat(1000));
        assert_eq!(long_yaml_text(&short), None);
    }

    #[test]
    fn long_words_and_runs_are_found_once() {
        let text = format!(
            "ok {} and {}",
            "ab".repeat(MAX_WORD_CHARS / 2 + 2),
            "[".repeat(300)
        );
        let found = long_words(&text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].offset, 3);
        assert!(found[0].message.contains("word"));
        assert_eq!(found[1].offset, 3 + MAX_WORD_CHARS + 4 + 5);
        assert!(found[1].message.contains("`[`"));
        assert!(long_words("a normal sentence ---- of words").is_empty());
    }

    /// A table row without spaces is cells, each its own word; a run of
    /// `|` is still a run.
    #[test]
    fn a_bar_ends_a_word() {
        let row = format!("|{}\n", "cell|".repeat(MAX_WORD_CHARS));
        assert!(long_words(&row).is_empty(), "a row of short cells");
        let long_cell = format!("|a|{}|", "b".repeat(MAX_WORD_CHARS + 1));
        let found = long_words(&long_cell);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].offset, 3);
        let bars = "|".repeat(3 * MAX_RUN_CHARS);
        let found = long_words(&bars);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`|`"), "{}", found[0].message);
    }
}
