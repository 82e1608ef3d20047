//! The build pipeline: plan the documents, render and compile each, write them all or nothing.
//!
//! `config` holds a build's settings; `plan` lists a project's documents from
//! the table of kinds in [`crate::document`]; `context` gives a job's template
//! its context; `job` renders and compiles one; `trace` points Typst's errors
//! back at templates and content; `pool` runs the jobs in parallel and puts the
//! files in place only when every one succeeded; `report` is the outcome. This
//! module loads the inputs and runs a whole build. The submodules use each
//! other in that order and never this module, so there is no cycle.

mod config;
mod context;
mod job;
mod plan;
mod pool;
mod report;
mod trace;
mod unchanged;
pub mod workers;

use std::time::Instant;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::document::DocumentKind;
use crate::load::load_project;
use crate::model::Project;
use crate::render::Renderer;

pub use self::config::{BuildConfig, Progress, parse_standards};
pub use self::context::{job_context, render_job, render_job_split};
pub use self::job::build_job;
pub use self::plan::{Job, plan, unmatched_filters};
pub use self::pool::{build_jobs, finish_output};
pub(crate) use self::report::finish;
pub use self::report::{BuildReport, DocumentReport};
pub use crate::output::{Fingerprints, OutputLock, STATE_DIR};
pub use crate::threads::set_threads;

/// Loads content and templates, reporting every problem of both.
///
/// Returns `None` with the diagnostics when anything is an error: nothing may be
/// built from content that has errors.
pub fn load_inputs(config: &BuildConfig) -> (Option<(Project, Renderer)>, Diagnostics) {
    match load_partial(config) {
        (project, Some(renderer), diagnostics) if !diagnostics.has_errors() => {
            (Some((project, renderer)), diagnostics)
        }
        (_, _, diagnostics) => (None, diagnostics),
    }
}

/// Loads content and templates like [`load_inputs`], but keeps what loaded
/// when some of it has errors: the project without the meetings that have
/// errors, and the templates when they have none.
///
/// For watch, which builds the meetings that no error reaches (see
/// `watch::scope`); `build` keeps to [`load_inputs`] and writes nothing when
/// any content has an error.
pub fn load_partial(config: &BuildConfig) -> (Project, Option<Renderer>, Diagnostics) {
    let (project, mut diagnostics) = load_project(&config.content);
    let required: Vec<&str> = DocumentKind::templates().collect();
    let renderer = match Renderer::load(&config.templates, &required) {
        Ok(r) => Some(r),
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    };
    (project, renderer, diagnostics)
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
///
/// A full build (no filter, not `force`) whose inputs are byte for byte those
/// of the last full build, with its files as written, loads nothing: it
/// reports that build's documents unchanged and its diagnostics again (see
/// [`unchanged`]).
pub fn build(config: &BuildConfig, filter: &[String]) -> BuildReport {
    let started = Instant::now();
    let inputs = if filter.is_empty() && !config.dry_run {
        unchanged::Inputs::of(config)
    } else {
        None
    };
    // Read once: the build needs the manifest when the record does not apply.
    let manifest = inputs.as_ref().map(|_| Fingerprints::load(&config.output));
    if let (Some(inputs), Some(manifest)) = (&inputs, &manifest)
        && !config.force
        && let Some(report) = unchanged::replay(config, manifest, &inputs.digest, started)
    {
        return report;
    }
    build_inner(config, filter, inputs, manifest, started, |_, _, _| {
        Vec::new()
    })
}

/// Like [`build`], then runs `after` on the loaded project and the build's
/// report (the archive writes its index there, through `report.commit` so
/// that it is undone with the build); its diagnostics join the report, and
/// when one is an error, everything the build put in place is undone.
pub fn build_with(
    config: &BuildConfig,
    filter: &[String],
    after: impl FnOnce(&Project, &Renderer, &mut BuildReport) -> Vec<Diagnostic>,
) -> BuildReport {
    build_inner(config, filter, None, None, Instant::now(), after)
}

/// [`build_with`], recording a full build that succeeds as built from
/// `inputs`; with `manifest` when it was already read.
fn build_inner(
    config: &BuildConfig,
    filter: &[String],
    inputs_before: Option<unchanged::Inputs>,
    manifest: Option<Fingerprints>,
    started: Instant,
    after: impl FnOnce(&Project, &Renderer, &mut BuildReport) -> Vec<Diagnostic>,
) -> BuildReport {
    let (mut inputs, mut diagnostics) = load_inputs(config);
    if let Some((project, _)) = &inputs {
        diagnostics.extend(unmatched_filters(project, filter));
        if diagnostics.has_errors() {
            inputs = None;
        }
    }
    let report = match &inputs {
        Some((project, renderer)) => {
            let jobs = selected_jobs(config, project, filter);
            if config.dry_run {
                build_jobs(config, project, renderer, &jobs, None)
            } else {
                let full = filter.is_empty();
                let last = inputs_before.filter(|_| full).map(|i| (i, &diagnostics));
                let fingerprints = manifest.unwrap_or_else(|| Fingerprints::load(&config.output));
                let mut report =
                    build_recorded(config, project, renderer, &jobs, &fingerprints, full, last);
                if !report.failed() {
                    let extra = after(project, renderer, &mut report);
                    report.diagnostics.extend(extra);
                    if report.failed() {
                        // What the build put in place goes back: a failed run changes nothing.
                        report.roll_back();
                    }
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

/// Builds `jobs` against `fingerprints`, the manifest of the last build
/// (ignored with `force`), then records the new ones for the next; a `full` build (no
/// filter) also removes the files the content no longer makes. With `last`
/// (the inputs found before the build and the loading's diagnostics), a
/// build that succeeds, removes all it should and read no file written while
/// it ran is recorded as the last full build (see [`unchanged`]).
fn build_recorded(
    config: &BuildConfig,
    project: &Project,
    renderer: &Renderer,
    jobs: &[Job],
    fingerprints: &Fingerprints,
    full: bool,
    last: Option<(unchanged::Inputs, &Diagnostics)>,
) -> BuildReport {
    // With `force` the fingerprints are passed all the same (the job ignores
    // them), so that the manifest still knows every file earlier builds wrote.
    let mut report = build_jobs(config, project, renderer, jobs, Some(fingerprints));
    let last = last
        .filter(|(inputs, _)| !report.failed() && inputs.unchanged_since(config))
        .map(|(inputs, loaded)| unchanged::last_build(inputs.digest, &report, loaded));
    finish_output(config, &mut report, fingerprints, full, last);
    report
}
