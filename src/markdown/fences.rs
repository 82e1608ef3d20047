//! Render stage, Markdown: data-block fences. A fenced block whose info string
//! names a block kind and a data file (```` ```budget file=budsjett.yaml ````)
//! places a computed table: load finds the fences with [`data_fences`], and
//! the converter prints the n-th as `#blokker.at(n)`, which the case paper
//! template defines (`templates/felles/blokker.typ.j2`).

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::blocks::BlockKind;

/// The Typst variable the template defines: an array of the paper's tables.
pub const BLOCKS_VARIABLE: &str = "blokker";

/// A data-block fence of a case paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFence {
    /// The kind it names.
    pub kind: BlockKind,
    /// The rest of its info string (`file=budsjett.yaml`).
    pub args: String,
    /// Byte offset of the fence in the Markdown text.
    pub offset: usize,
    /// Whether it stands in a footnote, where no table can be placed: the
    /// converter prints it as code there, and load refuses it.
    pub in_note: bool,
}

/// The block kind a fence's info string names, with the rest of it.
pub fn data_kind(info: &str) -> Option<(BlockKind, &str)> {
    let info = info.trim();
    let (name, rest) = info.split_once(char::is_whitespace).unwrap_or((info, ""));
    BlockKind::parse(name).map(|kind| (kind, rest.trim()))
}

/// The data-block fences of `markdown`, in order. Those in the text, not in
/// a footnote, are numbered in this order by the converter.
pub fn data_fences(markdown: &str) -> Vec<DataFence> {
    let mut notes = 0usize;
    Parser::new_ext(markdown, super::options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::FootnoteDefinition(_)) => {
                notes += 1;
                None
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                notes = notes.saturating_sub(1);
                None
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                data_kind(&info).map(|(kind, args)| DataFence {
                    kind,
                    args: args.to_owned(),
                    offset: range.start,
                    in_note: notes > 0,
                })
            }
            _ => None,
        })
        .collect()
}

/// Data-block fences in Markdown that is not a case paper (a description, a
/// note): refused, since only a case paper has data files beside it.
pub fn outside_paper(markdown: &str) -> Vec<super::Problem> {
    data_fences(markdown)
        .into_iter()
        .map(|fence| super::Problem {
            offset: fence.offset,
            message: format!(
                "a `{}` data block can only be placed in a case paper; use a plain Markdown table here",
                fence.kind.name()
            ),
        })
        .collect()
}

/// What the converter prints for the data block numbered `index` (from 0).
pub(crate) fn placeholder(index: usize) -> String {
    format!("#{BLOCKS_VARIABLE}.at({index})\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_data_fences_and_leaves_code_alone() {
        let md = "Tekst\n\n```budget file=a.yaml\n```\n\n```rust\nfn x() {}\n```\n\n~~~status  file=b.yaml\n~~~\n";
        let fences = data_fences(md);
        assert_eq!(fences.len(), 2);
        assert_eq!(fences[0].kind, BlockKind::Budget);
        assert_eq!(fences[0].args, "file=a.yaml");
        assert_eq!(fences[0].offset, 7);
        assert_eq!(fences[1].kind, BlockKind::Status);
        assert_eq!(fences[1].args, "file=b.yaml");
    }

    #[test]
    fn the_converter_places_each_block_in_order() {
        let md = "Før\n\n```budget file=a.yaml\n```\n\nMellom\n\n```scoring file=b.yaml\n```\n\n```\nkode\n```\n";
        let typst = super::super::to_typst(md);
        assert_eq!(
            typst,
            "Før\n\n#blokker.at(0)\n\nMellom\n\n#blokker.at(1)\n\n#raw(block: true, \"kode\")\n"
        );
    }
}
