//! Render stage, Markdown: figures (`![alt](figurer/x.png "Bildetekst"){width=60%}`).
//!
//! The load stage reads each image of a case paper (see `load::assets`) and
//! rewrites its address to the virtual path the Typst world serves the file
//! under, which starts with `/`. Here such an image becomes
//! `#figure(image("/…", alt: "…"), caption: […])`; an image whose address was
//! not rewritten is not a file of the project and prints as its alt text (and
//! [`check`](super::check) has reported it).
//!
//! An attribute list in braces right after the image sets its width, as a
//! percentage of the text width: `{width=60%}`.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};

use super::{Problem, options};
use crate::text::{escape_markup, quote_string};

/// An image of a Markdown text, as the load stage needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Byte offset of the image (`![`) in the text.
    pub offset: usize,
    /// Its address, as written.
    pub dest: String,
    /// Where the address is written, for an inline image (`![alt](dest)`).
    pub dest_span: Option<Range<usize>>,
}

/// The images of `markdown`, in order.
pub fn images(markdown: &str) -> Vec<ImageRef> {
    let events: Vec<_> = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .collect();
    let mut out = Vec::new();
    for (i, (event, range)) in events.iter().enumerate() {
        let Event::Start(Tag::Image {
            link_type,
            dest_url,
            ..
        }) = event
        else {
            continue;
        };
        // The address follows the alt text's `](`: after the last event inside.
        let mut depth = 0usize;
        let end = events[i + 1..].iter().position(|(e, _)| match e {
            Event::Start(Tag::Image { .. }) => {
                depth += 1;
                false
            }
            Event::End(TagEnd::Image) if depth == 0 => true,
            Event::End(TagEnd::Image) => {
                depth -= 1;
                false
            }
            _ => false,
        });
        let inner_end = match end {
            Some(n) if n > 0 => events[i + n].1.end,
            _ => range.start + 2,
        };
        let dest_span = (*link_type == LinkType::Inline)
            .then(|| dest_span(markdown, inner_end, range.end))
            .flatten();
        out.push(ImageRef {
            offset: range.start,
            dest: dest_url.to_string(),
            dest_span,
        });
    }
    out
}

/// Where the address of an inline image is written: the first `](` at or after
/// `from`, then the address up to white space or `)` (or inside `<…>`).
fn dest_span(markdown: &str, from: usize, end: usize) -> Option<Range<usize>> {
    let text = markdown.get(from..end)?;
    let open = from + text.find("](")? + 2;
    let rest = &markdown[open..end];
    let skipped = rest.len() - rest.trim_start().len();
    let start = open + skipped;
    let rest = &markdown[start..end];
    let len = if rest.starts_with('<') {
        rest.find('>')? + 1
    } else {
        rest.find(|c: char| c.is_whitespace() || c == ')')
            .unwrap_or(rest.len())
    };
    Some(start..start + len)
}

/// The attributes after an image.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Attrs {
    /// Width in percent of the text width.
    width: Option<u8>,
}

/// Parses an attribute list at the start of `text`: the attributes and the
/// length of the list, `None` when `text` does not start with one, or a message
/// when it starts like one but is wrong.
pub(super) fn parse_attrs(text: &str) -> Option<Result<(Attrs, usize), String>> {
    let inner = text.strip_prefix('{')?;
    let first = inner.split(['=', '}', ' ']).next().unwrap_or_default();
    if first != "width" {
        return None;
    }
    let Some(close) = inner.find('}') else {
        return Some(Err(
            "a figure's attributes end with `}`, as in {width=60%}".into()
        ));
    };
    let mut attrs = Attrs::default();
    for item in inner[..close].split_whitespace() {
        let parsed = match item.split_once('=') {
            Some(("width", v)) => v
                .strip_suffix('%')
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| (1..=100).contains(n))
                .map(|n| attrs.width = Some(n)),
            _ => None,
        };
        if parsed.is_none() {
            return Some(Err(format!(
                "unknown figure attribute `{item}`; use width=N% (1 to 100, of the text width)"
            )));
        }
    }
    Some(Ok((attrs, close + 2)))
}

/// Lists the problems of a text's images: an image needs alt text (PDF/UA), its
/// address written in it, and valid attributes.
pub(super) fn check(events: &[(Event<'_>, Range<usize>)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut alt: Option<(usize, String)> = None;
    let mut heading = false;
    for (i, (event, range)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = true,
            Event::End(TagEnd::Heading(_)) => heading = false,
            Event::Start(Tag::Image { .. }) if heading => problems.push(Problem {
                offset: range.start,
                message: "a figure cannot be in a heading; put it in a paragraph of its own under the heading".into(),
            }),
            Event::Start(Tag::Image { link_type, .. }) => {
                if !matches!(link_type, LinkType::Inline) {
                    problems.push(Problem {
                        offset: range.start,
                        message: "write a figure's file in the image itself, as in ![Alt-tekst](figurer/tidslinje.png)".into(),
                    });
                }
                alt = Some((range.start, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = &mut alt {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((offset, text)) = alt.take()
                    && text.trim().is_empty()
                {
                    problems.push(Problem {
                        offset,
                        message: "a figure needs alt text saying what it shows, as in ![Tidslinje for programmet](figurer/tidslinje.png); \
                                  readers who cannot see it get the alt text (PDF/UA)".into(),
                    });
                }
                if let Some((Event::Text(next), next_range)) = events.get(i + 1)
                    && let Some(Err(message)) = parse_attrs(next)
                {
                    problems.push(Problem {
                        offset: next_range.start,
                        message,
                    });
                }
            }
            _ => {}
        }
    }
    problems
}

/// A figure being written: its file, caption and alt text.
#[derive(Debug, Default)]
pub(super) struct Figure {
    /// The virtual path of its file.
    pub(super) path: String,
    /// The caption (the image's title), if any.
    pub(super) caption: String,
    /// The alt text, collected from the image's text.
    pub(super) alt: String,
    /// Images nested in the alt text (their text joins it).
    pub(super) depth: usize,
    /// Set at the image's end: the figure waits for a possible attribute list.
    pub(super) done: bool,
}

impl Figure {
    /// Takes `event` while the figure's alt text is read; `false` once done.
    pub(super) fn take(&mut self, event: &Event<'_>) -> bool {
        if self.done {
            return false;
        }
        match event {
            Event::Text(t) | Event::Code(t) => self.alt.push_str(t),
            Event::SoftBreak | Event::HardBreak => self.alt.push(' '),
            Event::Start(Tag::Image { .. }) => self.depth += 1,
            Event::End(TagEnd::Image) if self.depth == 0 => self.done = true,
            Event::End(TagEnd::Image) => self.depth -= 1,
            _ => {}
        }
        true
    }

    /// The Typst call for the figure.
    pub(super) fn call(&self, attrs: &Attrs) -> String {
        let mut args = vec![
            quote_string(&self.path),
            format!("alt: {}", quote_string(self.alt.trim())),
        ];
        if let Some(width) = attrs.width {
            args.push(format!("width: {width}%"));
        }
        let image = format!("image({})", args.join(", "));
        if self.caption.trim().is_empty() {
            format!("#figure({image})")
        } else {
            let caption = escape_markup(self.caption.trim());
            format!("#figure({image}, caption: [{caption}])")
        }
    }
}
