//! Load stage, agenda entries: what resolving one entry of a meeting's agenda
//! needs to know about its surroundings (shared by the agenda and the
//! decisions it proposes).

use std::path::Path;

use super::prefetch::Papers;
use super::source::SourceFile;
use crate::model::Body;

/// What resolving one agenda entry needs to know about its surroundings.
#[derive(Clone, Copy)]
pub(crate) struct ItemContext<'a> {
    /// The content folder, which case papers must stay inside.
    pub(crate) content_dir: &'a Path,
    /// The meeting folder, which case paper paths are relative to.
    pub(crate) dir: &'a Path,
    /// The body of the meeting.
    pub(crate) body: &'a Body,
    /// `meeting.yaml`.
    pub(crate) file: &'a SourceFile,
    /// The row's field path (`agenda[3]`).
    pub(crate) field: &'a str,
    /// Whether the meeting has a start time, so every row needs a duration.
    pub(crate) timed: bool,
    /// The case papers read ahead.
    pub(crate) papers: &'a Papers,
}

impl ItemContext<'_> {
    pub(super) fn sub(&self, name: &str) -> String {
        format!("{}.{name}", self.field)
    }
}

/// The field path of agenda row `i` (`agenda[3]`).
pub(super) fn row_field(i: usize) -> String {
    format!("agenda[{i}]")
}

/// The field path of the case paper of the row at `row` (`agenda[3].paper`):
/// where it is reported, and the key it is read ahead under (see `prefetch`).
pub(super) fn paper_field(row: &str) -> String {
    format!("{row}.paper")
}
