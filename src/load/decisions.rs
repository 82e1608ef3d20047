//! Load stage, proposed decisions: an agenda item's `decision_blocks` (several
//! proposed decisions, each under its own heading) split into the one the
//! meeting decides on and the earlier ones, and the Markdown check of
//! decisions written over several lines.

use super::item::ItemContext;
use super::schema::{AgendaFile, OneOrMany};
use super::source::check_markdown;
use crate::diagnostic::Diagnostics;
use crate::model::DecisionBlock;

/// Takes `decision_blocks` out of `entry`: the last block becomes the item's
/// `proposed_decision` and `decision_heading` (its texts checked here), and
/// the earlier ones are returned. `None` when the item has no blocks.
pub(super) fn split_blocks(
    ctx: &ItemContext<'_>,
    entry: &mut AgendaFile,
    diags: &mut Diagnostics,
) -> Option<Vec<DecisionBlock>> {
    let blocks = entry.decision_blocks.take()?;
    let field = ctx.sub("decision_blocks");
    for (name, present) in [
        ("proposed_decision", entry.proposed_decision.is_some()),
        ("decision_heading", entry.decision_heading.is_some()),
    ] {
        if present {
            diags.push(
                ctx.file
                    .error(&ctx.sub(name), format!("`{name}` is given with `decision_blocks`"))
                    .hint("write every proposed decision as a block of `decision_blocks`, with its `heading` and `text`"),
            );
        }
    }
    if blocks.is_empty() {
        diags.push(ctx.file.error(&field, "`decision_blocks` is empty").hint(
            "give each proposed decision as `{ heading: …, text: … }`, or leave the field out",
        ));
        return Some(Vec::new());
    }
    let mut out = Vec::with_capacity(blocks.len());
    for (i, block) in blocks.into_iter().enumerate() {
        let at = format!("{field}[{i}]");
        if block.heading.trim().is_empty() {
            diags.push(
                ctx.file
                    .error(&format!("{at}.heading"), "the heading is empty")
                    .hint("give the heading that prints above the block (`Justert forslag til vedtak`)"),
            );
        }
        let decisions = block.text.into_vec();
        let hint = "give the block's text, or leave the block out";
        check_texts(ctx, (&format!("{at}.text"), hint), &decisions, diags);
        out.push(DecisionBlock {
            heading: block.heading,
            decisions,
        });
    }
    let last = out.pop().expect("blocks is not empty");
    entry.proposed_decision = Some(OneOrMany::Many(last.decisions));
    entry.decision_heading = Some(last.heading);
    Some(out)
}

/// Reports empty decisions and Markdown that cannot print in the decisions
/// `texts` at `field` (a decision written over several lines is Markdown; one
/// line prints as written); `hint` helps with an empty one.
pub(super) fn check_texts(
    ctx: &ItemContext<'_>,
    (field, hint): (&str, &str),
    texts: &[String],
    diags: &mut Diagnostics,
) {
    for (i, text) in texts.iter().enumerate() {
        let at = format!("{field}[{i}]");
        if text.trim().is_empty() {
            diags.push(
                ctx.file
                    .error(&at, "the proposed decision is empty")
                    .hint(hint),
            );
        } else if is_markdown(text) {
            check_markdown(ctx.file, &at, text, diags);
        }
    }
}

/// Whether a decision is Markdown: written over several lines (a YAML `|`
/// block), so that a one-line decision prints exactly as written.
pub(crate) fn is_markdown(text: &str) -> bool {
    text.trim().contains('\n')
}
