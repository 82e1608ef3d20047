//! Load stage, data blocks: reads the data file each data-block fence of a case
//! paper names (```` ```budget file=budsjett.yaml ````), beside the paper,
//! through [`super::source`] (confined, size-capped, located YAML errors), and
//! computes the block with [`crate::blocks`].

use std::path::{Component, Path};

use serde::de::DeserializeOwned;

use super::source::{SourceFile, read_yaml, typed};
use crate::blocks::{self, Block, BlockError, BlockKind};
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::fsread;
use crate::markdown::fences::{DataFence, data_fences};

/// The most data blocks one case paper may place.
pub(crate) const MAX_BLOCKS_PER_PAPER: usize = 32;

/// The most rows one block may print: a table longer than this belongs in an
/// attachment, and the bound keeps a runaway data file from a runaway document.
pub(crate) const MAX_BLOCK_ROWS: usize = 500;

const ARGS_HINT: &str =
    "name the data file beside the case paper, such as ```budget file=budsjett.yaml";

/// The data blocks of the case paper at `paper` with text `text`, in order;
/// every problem is reported, and a block with problems is left out.
pub(crate) fn load_blocks(
    content_dir: &Path,
    paper: &Path,
    text: &str,
    diags: &mut Diagnostics,
) -> Vec<Block> {
    let at = |fence: &DataFence, message: String| {
        Diagnostic::error(message)
            .in_file(paper)
            .at(Some(position(text, fence.offset)), Some(text))
    };
    let (notes, fences): (Vec<_>, Vec<_>) = data_fences(text).into_iter().partition(|f| f.in_note);
    for fence in &notes {
        let message = format!(
            "a `{}` data block cannot be placed in a footnote",
            fence.kind.name()
        );
        diags.push(
            at(fence, message).hint("place the block in the text, and refer to it from the note"),
        );
    }
    if let Some(extra) = fences.get(MAX_BLOCKS_PER_PAPER) {
        let message = format!("a case paper has at most {MAX_BLOCKS_PER_PAPER} data blocks");
        diags.push(at(extra, message));
        return Vec::new();
    }
    let dir = paper.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for fence in &fences {
        let name = match data_file(&fence.args) {
            Ok(name) => name,
            Err(message) => {
                diags.push(at(fence, message).hint(ARGS_HINT));
                continue;
            }
        };
        let path = dir.join(name);
        match fsread::resolve(fsread::Root::content(content_dir), &path) {
            Ok(_) => {}
            Err(err) if err.is_missing() => {
                let message = format!("data file `{name}` does not exist");
                diags.push(
                    at(fence, message).hint("the path is relative to the case paper's folder"),
                );
                continue;
            }
            Err(err) => {
                let diag = at(fence, format!("cannot read data file `{name}`: {err}"));
                diags.push(match err {
                    fsread::ReadError::Outside { .. } => diag.hint(super::source::LINK_HINT),
                    _ => diag,
                });
                continue;
            }
        }
        out.extend(load_block(content_dir, &path, fence.kind, diags));
    }
    out
}

/// The data file named in a fence's arguments (`file=budsjett.yaml`).
fn data_file(args: &str) -> Result<&str, String> {
    let mut file = None;
    for arg in args.split_whitespace() {
        match arg.split_once('=') {
            Some(("file", value)) if file.is_none() => file = Some(value),
            Some(("file", _)) => return Err("the data file is named twice".to_owned()),
            _ => return Err(format!("unknown data block argument `{arg}`")),
        }
    }
    let Some(name) = file else {
        return Err("the data block names no data file".to_owned());
    };
    let rel = Path::new(name);
    let escapes = rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_)));
    if escapes || name.is_empty() {
        return Err(format!("`{name}` points outside the case paper's folder"));
    }
    if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
        return Err(format!(
            "the data file `{name}` is not a YAML file (`.yaml`)"
        ));
    }
    Ok(name)
}

/// Reads, types and computes one data file.
fn load_block(
    content_dir: &Path,
    path: &Path,
    kind: BlockKind,
    diags: &mut Diagnostics,
) -> Option<Block> {
    let (file, value) = read_yaml(content_dir, path, diags)?;
    let file = &file;
    let block = match kind {
        BlockKind::Budget => {
            computed(file, value, blocks::budget::compute, diags).map(Block::Budget)
        }
        BlockKind::Status => {
            computed(file, value, blocks::status::compute, diags).map(Block::Status)
        }
        BlockKind::Scoring => {
            computed(file, value, blocks::scoring::compute, diags).map(Block::Scoring)
        }
        BlockKind::Risks => computed(file, value, blocks::risks::compute, diags)
            .and_then(|mut risks| {
                carry_risks(content_dir, file, &mut risks, diags).then_some(risks)
            })
            .map(Block::Risks),
    }?;
    let rows = block.table().rows.len();
    if rows > MAX_BLOCK_ROWS {
        diags.push(
            Diagnostic::error(format!(
                "the table has {rows} rows, more than the {MAX_BLOCK_ROWS} a data block prints"
            ))
            .in_file(path),
        );
        return None;
    }
    Some(block)
}

/// Takes the changes of `risks` from the earlier register its `since` names,
/// if any; `false` when that register has errors.
fn carry_risks(
    content_dir: &Path,
    file: &SourceFile,
    risks: &mut blocks::Risks,
    diags: &mut Diagnostics,
) -> bool {
    let Some(since) = risks.since.as_deref() else {
        return true;
    };
    let rel = Path::new(since);
    if rel.is_absolute() || !(since.ends_with(".yaml") || since.ends_with(".yml")) {
        diags.push(
            file.error("since", format!("`{since}` is not the path of a YAML file"))
                .hint("give the earlier register's path relative to this file, such as ../../2024-01/saker/risiko.yaml"),
        );
        return false;
    }
    let path = file.path.parent().unwrap_or(Path::new("")).join(rel);
    if !fsread::exists(&path) {
        let message = format!("the earlier register `{since}` does not exist");
        diags.push(
            file.error("since", message)
                .hint("the path is relative to this file"),
        );
        return false;
    }
    let Some((earlier_file, value)) = read_yaml(content_dir, &path, diags) else {
        return false;
    };
    let Some(earlier) = computed(&earlier_file, value, blocks::risks::compute, diags) else {
        return false;
    };
    risks.carry_from(&earlier);
    true
}

/// Types `value` and computes it, reporting its errors in `file`.
fn computed<S: DeserializeOwned, T>(
    file: &SourceFile,
    value: serde_yaml_ng::Value,
    compute: fn(S) -> Result<T, Vec<BlockError>>,
    diags: &mut Diagnostics,
) -> Option<T> {
    let spec = typed(file, "", value, diags)?;
    match compute(spec) {
        Ok(value) => Some(value),
        Err(errors) => {
            for e in errors {
                let mut diag = file.error(&e.field, e.message);
                if let Some(hint) = e.hint {
                    diag = diag.hint(hint);
                }
                diags.push(diag);
            }
            None
        }
    }
}

/// The line and column of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    Position {
        line: before.matches('\n').count() + 1,
        column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_arguments() {
        assert_eq!(data_file("file=b.yaml"), Ok("b.yaml"));
        assert_eq!(data_file("file=data/b.yml"), Ok("data/b.yml"));
        let refused = [
            ("", "the data block names no data file"),
            ("fil=b.yaml", "unknown data block argument `fil=b.yaml`"),
            (
                "file=../b.yaml",
                "`../b.yaml` points outside the case paper's folder",
            ),
            (
                "file=/etc/b.yaml",
                "`/etc/b.yaml` points outside the case paper's folder",
            ),
            (
                "file=b.csv",
                "the data file `b.csv` is not a YAML file (`.yaml`)",
            ),
            ("file=a.yaml file=b.yaml", "the data file is named twice"),
        ];
        for (args, message) in refused {
            assert_eq!(data_file(args), Err(message.to_owned()), "{args}");
        }
    }
}
