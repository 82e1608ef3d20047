//! Render stage, Markdown kept together: the last paragraph of a case paper
//! goes in a Typst block that sticks to what follows it (the proposed
//! decision), so that a decision box never stands alone at the top of a page
//! (Typst moves the paragraph to the next page with the box instead).

use pulldown_cmark::{Event, Tag};

/// What opens the kept paragraph.
pub(super) const OPEN: &str = "#block(sticky: true)[\n";

/// What closes it.
pub(super) const CLOSE: &str = "\n]\n\n";

/// The index of the event that starts the text's last top-level block, when
/// that block is a paragraph (a longer last block, such as a table or a list,
/// is left to break as it may: moving it whole could leave most of a page
/// empty). HTML blocks (comments, dropped) after it do not count.
pub(super) fn last_paragraph(events: &[Event<'_>]) -> Option<usize> {
    let mut depth = 0usize;
    let mut last = None;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(tag) => {
                if depth == 0 && !matches!(tag, Tag::HtmlBlock) {
                    last = matches!(tag, Tag::Paragraph).then_some(i);
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ if depth == 0 => last = None,
            _ => {}
        }
    }
    last
}
