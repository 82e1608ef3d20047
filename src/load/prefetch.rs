//! Load stage, prefetch: the case papers of a body's meetings read and checked
//! in parallel, before the meetings are resolved one after the other.
//!
//! Meetings are resolved in date order, since case numbers, the previous
//! meeting and action points run from one to the next; but a case paper
//! (reading it, checking its Markdown, its figures and data blocks) depends on
//! nothing but its own files. Those take most of the time of loading, so they
//! are done first, on every core, and the agenda rows take their results in
//! order. A paper the prefetch did not find (a row written unlike a case row)
//! is read when its row asks, as before: the prefetch changes no outcome and
//! no message, only when the work is done.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use super::assets::resolve_figures;
use super::blocks::load_blocks;
use super::identity::RawMeeting;
use super::item::{paper_field, row_field};
use super::source::{SourceFile, read_paper};
use crate::blocks::Block;
use crate::diagnostic::Diagnostics;
use crate::model::PaperFile;

/// A case paper read and checked: its text, the data blocks it places, its
/// figures, and what was reported on the way.
#[derive(Default)]
pub(crate) struct Paper {
    pub(crate) text: Option<String>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) files: Vec<PaperFile>,
    pub(crate) diags: Diagnostics,
}

/// Where a paper is named: the meeting folder, the field (`agenda[3].paper`)
/// and the path as written.
type Key = (PathBuf, String, String);

/// The papers read ahead, each taken once by the row that names it.
#[derive(Default)]
pub(crate) struct Papers(Mutex<HashMap<Key, Paper>>);

impl Papers {
    /// Reads the case paper of every agenda row of `meetings` that names one
    /// and is not a break, in parallel.
    pub(crate) fn prefetch(content_dir: &Path, meetings: &[RawMeeting]) -> Papers {
        let wanted: Vec<(&RawMeeting, String, &str)> = meetings
            .iter()
            .flat_map(|m| {
                m.raw.agenda.iter().enumerate().filter_map(move |(i, row)| {
                    let paper = row.get("paper")?.as_str()?;
                    row.get("break")
                        .is_none()
                        .then(|| (m, paper_field(&row_field(i)), paper))
                })
            })
            .collect();
        let found: Vec<(Key, Paper)> = crate::threads::pool().install(|| {
            wanted
                .into_par_iter()
                .map(|(meeting, field, relative)| {
                    let at = (content_dir, meeting.dir.as_path());
                    let paper = read_paper_parts(at, &meeting.file, &field, relative);
                    ((meeting.dir.clone(), field, relative.to_owned()), paper)
                })
                .collect()
        });
        Papers(Mutex::new(found.into_iter().collect()))
    }

    /// The paper read ahead for `field` (`agenda[3].paper`) of the meeting in
    /// `dir`, naming `relative`; `None` when it was not.
    pub(crate) fn take(&self, dir: &Path, field: &str, relative: &str) -> Option<Paper> {
        let key = (dir.to_path_buf(), field.to_owned(), relative.to_owned());
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key)
    }
}

/// Reads the case paper `relative` (to the meeting folder), named at `field`
/// of `file`: its text with its figures resolved, and the data blocks it places.
pub(crate) fn read_paper_parts(
    (content_dir, dir): (&Path, &Path),
    file: &SourceFile,
    field: &str,
    relative: &str,
) -> Paper {
    let mut paper = Paper::default();
    let diags = &mut paper.diags;
    let Some(text) = read_paper(file, field, (content_dir, dir), relative, diags) else {
        return paper;
    };
    let path = dir.join(relative);
    let text = resolve_figures(content_dir, &path, text, &mut paper.files, diags);
    paper.blocks = load_blocks(content_dir, &path, &text, diags);
    paper.text = Some(text);
    paper
}
