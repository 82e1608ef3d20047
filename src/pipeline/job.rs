//! One job (pipeline stage): render its Typst source, compile it, stage its files.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use typst_pdf::PdfStandard;

use super::config::BuildConfig;
use super::context::render_job;
use super::plan::Job;
use super::report::DocumentReport;
use super::trace::trace_to_templates;
use crate::compile::{CompileRequest, Compiled, compile_pdf_with_files};
use crate::diagnostic::Diagnostic;
use crate::model::Project;
use crate::output::{Fingerprints, Staging};
use crate::render::Renderer;
use crate::world::Typesetter;

/// The hint on a Typst error when the generated source is not written.
const KEEP_TYPST_HINT: &str = "run with --keep-typst to see the generated source";

/// A hash of everything a PDF depends on: the generated source (a function of
/// content and templates), the PDF standards, and the version of motebok (which
/// fixes Typst and the fonts).
fn source_hash(source: &str, standards: &[PdfStandard]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    format!("{standards:?}").hash(&mut hasher);
    source.hash(&mut hasher);
    hasher.finish()
}

/// The project files a job's document may show: its meeting's figures and
/// attachment pages, and its body's logo.
fn job_files(project: &Project, job: &Job) -> crate::model::FileMap {
    let content = &project.bodies[job.body];
    let mut files = content.meetings[job.meeting].files();
    files.extend(content.body.files());
    files
}

/// Renders and compiles one job; stages its files unless `dry_run`.
pub fn build_job(
    renderer: &Renderer,
    typesetter: &Arc<Typesetter>,
    project: &Project,
    job: &Job,
    config: &BuildConfig,
    fingerprints: Option<&Fingerprints>,
    staging: &Staging,
) -> Result<(DocumentReport, Vec<Diagnostic>), Vec<Diagnostic>> {
    let started = Instant::now();
    let source = render_job(renderer, project, job).map_err(|d| vec![d])?;
    let meeting = &project.bodies[job.body].meetings[job.meeting];
    let standards = config
        .pdf_standards
        .clone()
        .unwrap_or_else(|| job.kind.standards(meeting).to_vec());
    let hash = source_hash(&source, &standards);
    if let Some(report) = unchanged(job, config, fingerprints, hash, started) {
        return Ok((report, Vec::new()));
    }
    if let Some(f) = fingerprints {
        f.forget(&job.path);
    }
    let typ_path = job.path.with_extension("typ");
    let name = typ_path.to_string_lossy().replace('\\', "/");
    if config.keep_typst && !config.dry_run {
        let path = config.output.join(&typ_path);
        write_file(staging, &path, source.as_bytes(), "Typst source")?;
    }
    let request = CompileRequest {
        name: &name,
        source,
        ident: &name,
        date: (meeting.date.year, meeting.date.month, meeting.date.day),
        standards: &standards,
    };
    let compiled: Compiled =
        compile_pdf_with_files(typesetter.clone(), request, job_files(project, job))
            .map_err(|diags| explain_failure(renderer, project, job, config, &name, diags))?;
    if !config.dry_run {
        let path = config.output.join(&job.path);
        write_file(staging, &path, &compiled.pdf, "PDF")?;
    }
    let report = DocumentReport {
        path: job.path.clone(),
        pages: compiled.pages,
        elapsed: started.elapsed(),
        text: compiled.text,
        unchanged: false,
        fingerprint: Some(hash),
    };
    // Warnings too (text that runs off a page) point at the template and content.
    let mut warnings = compiled.warnings;
    trace_to_templates(renderer, project, job, &name, &mut warnings);
    Ok((report, warnings))
}

/// The report of a job whose source hashes as recorded and whose files are in
/// place as they were written (a truncated, emptied or replaced PDF is not),
/// so it is not compiled again; `None` when it must be compiled.
fn unchanged(
    job: &Job,
    config: &BuildConfig,
    fingerprints: Option<&Fingerprints>,
    hash: u64,
    started: Instant,
) -> Option<DocumentReport> {
    let f = fingerprints.filter(|_| !config.force)?;
    let (previous, pages) = f.get(&job.path)?;
    let intact = |path: &Path| f.is_intact(&config.output, path);
    let typ_in_place = !config.keep_typst || intact(&job.path.with_extension("typ"));
    let in_place = previous == hash && !config.dry_run && intact(&job.path) && typ_in_place;
    in_place.then(|| DocumentReport {
        path: job.path.clone(),
        pages,
        elapsed: started.elapsed(),
        text: Vec::new(),
        unchanged: true,
        fingerprint: None,
    })
}

/// Typst's errors in the generated source `name`, pointed at the templates and
/// content that made the place, with a hint to keep the source when it is not.
fn explain_failure(
    renderer: &Renderer,
    project: &Project,
    job: &Job,
    config: &BuildConfig,
    name: &str,
    mut diags: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    trace_to_templates(renderer, project, job, name, &mut diags);
    if !config.keep_typst {
        for d in &mut diags {
            d.hint = Some(match d.hint.take() {
                Some(h) => format!("{h}; {KEEP_TYPST_HINT}"),
                None => KEEP_TYPST_HINT.to_owned(),
            });
        }
    }
    diags
}

/// Stages `bytes` for `path`; `what` names the file in the error.
fn write_file(
    staging: &Staging,
    path: &Path,
    bytes: &[u8],
    what: &str,
) -> Result<(), Vec<Diagnostic>> {
    staging.write(path, bytes).map_err(|err| {
        vec![Diagnostic::error(format!(
            "failed to write {what} {} ({err})",
            path.display()
        ))]
    })
}
