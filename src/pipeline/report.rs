//! A build's outcome (pipeline stage): what became of each document, and every diagnostic.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::diagnostic::Diagnostics;
use crate::output::Commit;

/// What became of one document.
#[derive(Debug)]
pub struct DocumentReport {
    /// Output path relative to the output folder.
    pub path: PathBuf,
    /// Pages, when it compiled.
    pub pages: usize,
    /// Time spent on this document.
    pub elapsed: Duration,
    /// Text per page, when it compiled.
    pub text: Vec<String>,
    /// Whether its source was unchanged since the last build, so it was not compiled again.
    pub unchanged: bool,
    /// The fingerprint to record once the build's files are in place (compiled documents only).
    pub fingerprint: Option<u64>,
}

/// The outcome of a build.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Documents written (or checked, in a dry run).
    pub documents: Vec<DocumentReport>,
    /// Every error and warning of the run.
    pub diagnostics: Diagnostics,
    /// Wall-clock time of the whole run.
    pub elapsed: Duration,
    /// Files removed from the output because the content no longer makes them
    /// (relative to the output folder).
    pub removed: Vec<PathBuf>,
    /// After a failure: the files that were changed all the same, because
    /// they could not be restored (normally none: "no output was changed"),
    /// as paths in the output folder.
    pub changed: Vec<PathBuf>,
    /// The files this build put in place, still undoable with
    /// [`BuildReport::roll_back`]; final when the report is dropped.
    pub commit: Commit,
}

impl BuildReport {
    /// Whether the build failed.
    pub fn failed(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// Total pages written.
    pub fn pages(&self) -> usize {
        self.documents.iter().map(|d| d.pages).sum()
    }

    /// Documents compiled in this run (not skipped as unchanged).
    pub fn compiled(&self) -> usize {
        self.documents.iter().filter(|d| !d.unchanged).count()
    }

    /// Undoes the files this build put in place or removed (when a step after
    /// the documents, such as the archive index, failed); what cannot be
    /// restored is listed in [`BuildReport::changed`].
    pub fn roll_back(&mut self) {
        let commit = std::mem::take(&mut self.commit);
        self.changed.extend(commit.roll_back());
        self.documents.clear();
        self.removed.clear();
    }
}

/// The whole run's report: the loading's `diagnostics` first, then the build's,
/// without repeats, timed from `started`.
pub(crate) fn finish(
    diagnostics: Diagnostics,
    mut report: BuildReport,
    started: Instant,
) -> BuildReport {
    let mut all = diagnostics;
    all.extend(report.diagnostics.0);
    report.diagnostics = all;
    dedupe(&mut report.diagnostics);
    report.elapsed = started.elapsed();
    report
}

/// Drops repeats: a template error shows once, not once per document (with
/// the hint of its first occurrence).
pub(crate) fn dedupe(diagnostics: &mut Diagnostics) {
    let mut seen = Vec::new();
    diagnostics.0.retain(|d| {
        let key = (
            d.severity,
            d.file.clone(),
            d.position,
            d.field.clone(),
            d.message.clone(),
        );
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
}
