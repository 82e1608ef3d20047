//! A build's outcome (pipeline stage): what became of each document, and every diagnostic.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::diagnostic::{Diagnostic, Diagnostics, MAX_PER_FILE, Position, Severity};
use crate::output::{Commit, Fingerprint};

/// What became of one document.
#[derive(Debug)]
pub struct DocumentReport {
    /// Output path relative to the output folder.
    pub path: PathBuf,
    /// Pages, when it compiled.
    pub pages: usize,
    /// Time spent on this document.
    pub elapsed: Duration,
    /// Text per page, when it compiled in a dry run (checks and tests).
    pub text: Vec<String>,
    /// Whether its source was unchanged since the last build, so it was not compiled again.
    pub unchanged: bool,
    /// The fingerprint to record once the build's files are in place: of a
    /// compiled document, and of one whose source was rendered and found
    /// unchanged (its new inputs hash is recorded).
    pub fingerprint: Option<Fingerprint>,
    /// With `--keep-typst`: the files its kept source shows, written beside
    /// it (relative to the output folder).
    pub kept: Vec<PathBuf>,
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
    /// After a failure with `--keep-typst`: the generated sources written
    /// all the same (paths in the output folder), where the errors point.
    pub kept: Vec<PathBuf>,
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
/// the hint of its first occurrence). Keeps the first [`MAX_PER_FILE`] errors
/// and the first [`MAX_PER_FILE`] warnings of each file (so warnings never
/// hide an error), and puts one summary of the rest of each, counting the
/// summaries the loading made, where the first left out stood. Linear: keys
/// are looked up in hash sets.
pub(crate) fn dedupe(diagnostics: &mut Diagnostics) {
    type Key = (
        Severity,
        Option<PathBuf>,
        Option<Position>,
        Option<String>,
        String,
    );
    let mut seen: HashSet<Key> = HashSet::new();
    // Per file and severity: diagnostics kept, and those left out (how many,
    // and where their summary goes).
    let mut kept: HashMap<(Option<PathBuf>, Severity), usize> = HashMap::new();
    let mut left_out: HashMap<(Option<PathBuf>, Severity), (usize, usize)> = HashMap::new();
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.0.len());
    for d in std::mem::take(&mut diagnostics.0) {
        let key = (
            d.severity,
            d.file.clone(),
            d.position,
            d.field.clone(),
            d.message.clone(),
        );
        if !seen.insert(key) {
            continue;
        }
        let more = d.more_count();
        let group = (d.file.clone(), d.severity);
        let count = kept.entry(group.clone()).or_default();
        if d.file.is_none() || more.is_none() && *count < MAX_PER_FILE {
            *count += 1;
            out.push(d);
            continue;
        }
        let slot = left_out.entry(group).or_insert((0, out.len()));
        if slot.0 == 0 {
            slot.1 = out.len();
            out.push(d);
        }
        slot.0 += more.unwrap_or(1);
    }
    for ((file, severity), (count, at)) in left_out {
        out[at] = Diagnostic::more(file.as_deref(), count, severity);
    }
    *diagnostics = Diagnostics::from(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(file: &str, line: usize) -> Diagnostic {
        Diagnostic::error("bad")
            .in_file(file)
            .at(Some(Position { line, column: 1 }), None)
    }

    #[test]
    fn repeats_go_and_each_file_is_capped() {
        let mut diags = Diagnostics::default();
        for line in 1..=60 {
            diags.push(at("a.yaml", line));
            diags.push(at("a.yaml", line));
        }
        diags.push(at("b.yaml", 1));
        for line in 1..=60 {
            diags.push(
                Diagnostic::warning("w")
                    .in_file("a.yaml")
                    .at(Some(Position { line, column: 1 }), None),
            );
        }
        diags.push(Diagnostic::more(
            Some(std::path::Path::new("a.yaml")),
            5,
            Severity::Error,
        ));
        dedupe(&mut diags);
        let texts: Vec<String> = diags.0.iter().map(|d| d.to_string()).collect();
        assert_eq!(texts.len(), 2 * MAX_PER_FILE + 3, "{texts:#?}");
        assert!(texts[MAX_PER_FILE].starts_with("error: a.yaml: and 15 more problems"));
        assert!(texts[MAX_PER_FILE + 1].starts_with("error: b.yaml:1:1"));
        let last = &texts[2 * MAX_PER_FILE + 2];
        assert!(
            last.starts_with("warning: a.yaml: and 10 more problems"),
            "{last}"
        );
        // Running it again changes nothing.
        let again = diags.clone();
        dedupe(&mut diags);
        assert_eq!(diags.0, again.0);
    }
}
