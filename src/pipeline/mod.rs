//! The build pipeline: plan the documents, render and compile each, write them all or nothing.
//!
//! `plan` lists a project's documents from the table of kinds in
//! [`crate::document`]; `job` renders and compiles one; `pool` runs them in
//! parallel and puts the files in place only when every one succeeded; `trace`
//! points Typst's errors back at templates and content. This module holds the
//! build's settings and report and runs a whole build.

mod job;
mod plan;
mod pool;
mod trace;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use typst_pdf::PdfStandard;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::load_project;
use crate::model::Project;
use crate::render::Renderer;

pub use self::job::{build_job, job_context, render_job};
pub use self::plan::{Job, plan};
pub use self::pool::{build_jobs, set_threads};
pub use crate::output::{Fingerprints, OutputLock, STATE_DIR};

/// Settings of one build, resolved from the command line.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// The content folder.
    pub content: PathBuf,
    /// The templates folder.
    pub templates: PathBuf,
    /// The output folder.
    pub output: PathBuf,
    /// Also write each document's generated Typst source beside its PDF.
    pub keep_typst: bool,
    /// Write nothing (check only).
    pub dry_run: bool,
    /// PDF standards for every document, overriding the default of each kind
    /// (see [`crate::document::DocumentKind::standards`]).
    pub pdf_standards: Option<Vec<PdfStandard>>,
    /// Compile every document, even those unchanged since the last build.
    pub force: bool,
    /// Also build and publish draft minutes (archive).
    pub include_drafts: bool,
    /// Told when each document is done, with the number of documents planned.
    pub progress: Option<Progress>,
}

/// A callback for progress display: `(documents done, documents planned)`.
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

impl BuildConfig {
    /// A configuration with the default folders under `root` and default settings.
    pub fn in_project(root: &Path) -> BuildConfig {
        BuildConfig {
            content: root.join("content"),
            templates: root.join("templates"),
            output: root.join("output"),
            keep_typst: false,
            dry_run: false,
            pdf_standards: None,
            force: false,
            include_drafts: true,
            progress: None,
        }
    }
}

/// Parses a `--pdf-standard` value: `none`, or names such as `a-2b,ua-1`.
pub fn parse_standards(text: &str) -> Result<Vec<PdfStandard>, String> {
    if text.trim() == "none" {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|name| {
            Ok(match name.trim() {
                "1.7" => PdfStandard::V_1_7,
                "2.0" => PdfStandard::V_2_0,
                "a-2b" => PdfStandard::A_2b,
                "a-2u" => PdfStandard::A_2u,
                "a-2a" => PdfStandard::A_2a,
                "a-3b" => PdfStandard::A_3b,
                "a-3u" => PdfStandard::A_3u,
                "a-3a" => PdfStandard::A_3a,
                "a-4" => PdfStandard::A_4,
                "ua-1" => PdfStandard::Ua_1,
                other => {
                    return Err(format!(
                        "`{other}` is not a supported PDF standard: expected none, or a comma-separated list of 1.7, 2.0, a-2b, a-2u, a-2a, a-3b, a-3u, a-3a, a-4, ua-1"
                    ));
                }
            })
        })
        .collect()
}

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
}

/// Loads content and templates, reporting every problem of both.
///
/// Returns `None` with the diagnostics when anything is an error: nothing may be
/// built from content that has errors.
pub fn load_inputs(config: &BuildConfig) -> (Option<(Project, Renderer)>, Diagnostics) {
    let (project, mut diagnostics) = load_project(&config.content);
    let renderer = match Renderer::load(&config.templates) {
        Ok(r) => Some(r),
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    };
    match renderer {
        Some(renderer) if !diagnostics.has_errors() => (Some((project, renderer)), diagnostics),
        _ => (None, diagnostics),
    }
}

/// Whether a meeting is selected by `filter` (`nehs`, `nehs/2020-07`); an empty filter selects all.
pub fn selected(filter: &[String], body: &str, meeting: &str) -> bool {
    filter.is_empty()
        || filter.iter().any(|f| {
            let f = f.trim_end_matches('/');
            f == body || f == format!("{body}/{meeting}")
        })
}

/// Loads content and templates and builds every selected meeting's documents.
///
/// Nothing is written when content or templates have errors: a failed build keeps
/// the last good output.
pub fn build(config: &BuildConfig, filter: &[String]) -> BuildReport {
    build_with(config, filter, |_, _, _| Vec::new())
}

/// Like [`build`], then runs `after` on the loaded project and the build's
/// report (the archive writes its index there); its diagnostics join the report.
pub fn build_with(
    config: &BuildConfig,
    filter: &[String],
    after: impl FnOnce(&Project, &Renderer, &BuildReport) -> Vec<Diagnostic>,
) -> BuildReport {
    let started = Instant::now();
    let (inputs, diagnostics) = load_inputs(config);
    let report = match &inputs {
        Some((project, renderer)) => {
            let jobs = selected_jobs(config, project, filter);
            if config.dry_run {
                build_jobs(config, project, renderer, &jobs, None)
            } else {
                let mut report = build_recorded(config, project, renderer, &jobs);
                if !report.failed() {
                    let extra = after(project, renderer, &report);
                    report.diagnostics.extend(extra);
                }
                report
            }
        }
        None => BuildReport::default(),
    };
    finish(diagnostics, report, started)
}

/// The jobs of the meetings `filter` selects; draft documents only when
/// drafts are included.
fn selected_jobs(config: &BuildConfig, project: &Project, filter: &[String]) -> Vec<Job> {
    plan(project)
        .into_iter()
        .filter(|j| {
            let content = &project.bodies[j.body];
            let meeting = &content.meetings[j.meeting];
            selected(filter, &content.body.id, &meeting.slug)
                && (config.include_drafts || !j.kind.is_draft(meeting))
        })
        .collect()
}

/// Builds `jobs` against the fingerprints of the last build (none with
/// `force`), then records the new ones for the next.
fn build_recorded(
    config: &BuildConfig,
    project: &Project,
    renderer: &Renderer,
    jobs: &[Job],
) -> BuildReport {
    let fingerprints = if config.force {
        Fingerprints::default()
    } else {
        Fingerprints::load(&config.output)
    };
    let mut report = build_jobs(config, project, renderer, jobs, Some(&fingerprints));
    if let Err(err) = fingerprints.save(&config.output) {
        report.diagnostics.push(Diagnostic::warning(format!(
            "failed to record what was built in {} ({err}); the next build compiles everything",
            config.output.join(STATE_DIR).display()
        )));
    }
    report
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
