//! Render stage, Markdown: constructs pulldown-cmark can parse but motebok does
//! not print (GitHub callouts, definition lists, heading attributes, wiki
//! links, front matter). Left alone they would print as typed syntax, so the
//! text is parsed once more with those extensions on, to report each where it is.

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};

use super::{Problem, options};

/// The extensions parsed only to be reported.
fn extensions() -> Options {
    Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Lists the constructs of `markdown` that would print as typed syntax.
pub(super) fn check(markdown: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options() | extensions()).into_offset_iter() {
        let message = match event {
            Event::Start(Tag::BlockQuote(Some(_))) => {
                "callouts such as > [!NOTE] are not supported; start the quote with **Merk:** instead"
            }
            Event::Start(Tag::DefinitionList) => {
                "definition lists (a line starting with `: `) are not supported; use a list with the term in bold"
            }
            Event::Start(Tag::Heading {
                id, classes, attrs, ..
            }) if id.is_some() || !classes.is_empty() || !attrs.is_empty() => {
                "heading attributes in braces ({#id .class}) are not supported; remove them or escape the brace as \\{"
            }
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { .. },
                ..
            }) => "wiki links ([[…]]) are not supported; use a link such as [tekst](https://…)",
            Event::Start(Tag::MetadataBlock(_)) => {
                "front matter (a block between --- lines at the top) is not supported; give the case's fields in meeting.yaml"
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
