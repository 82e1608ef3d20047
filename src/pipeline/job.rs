//! One job (pipeline stage): render its Typst source, compile it, stage its files.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use minijinja::Value;
use typst_pdf::PdfStandard;

use super::config::BuildConfig;
use super::context::{Contexts, split_job};
use super::plan::Job;
use super::report::DocumentReport;
use super::trace::trace_to_templates;
use super::workers::Compile;
use crate::compile::{CompileRequest, Compiled};
use crate::diagnostic::Diagnostic;
use crate::model::{FileMap, Project};
use crate::output::{Fingerprint, Fingerprints, Recorded, Staging};
use crate::render::{Renderer, Split};

/// The hint on a Typst error when the generated source is not written.
const KEEP_TYPST_HINT: &str = "run with --keep-typst to see the generated source";

/// A hash of the generated source (as rendered, with its shared parts marked),
/// the PDF standards and the version of motebok (which fixes Typst and the
/// fonts): everything a PDF depends on.
/// The files a source shows are named in it by the hash of their bytes, so
/// they count too.
fn source_hash(source: &str, standards: &[PdfStandard]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    format!("{standards:?}").hash(&mut hasher);
    source.hash(&mut hasher);
    hasher.finish()
}

/// A hash of what the source is rendered from, taken before it is rendered
/// (most documents of a rebuild are unchanged, and rendering costs more than
/// the hash): the templates (their [`Renderer::fingerprint`]), the template
/// and the hash of its context, with the standards, and the build of motebok
/// (its code renders: a build from changed code renders every document once
/// more, and compiles those whose source changed).
fn input_hash(renderer: &Renderer, template: &str, context: u64, standards: &[PdfStandard]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = siphasher::sip::SipHasher13::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    env!("MOTEBOK_BUILD_ID").hash(&mut hasher);
    renderer.fingerprint().hash(&mut hasher);
    template.hash(&mut hasher);
    format!("{standards:?}").hash(&mut hasher);
    context.hash(&mut hasher);
    hasher.finish()
}

/// The project files a job's document may show: its meeting's figures and
/// attachment pages, and its body's logo.
fn job_files(project: &Project, job: &Job) -> FileMap {
    let content = &project.bodies[job.body];
    let mut files = content.meetings[job.meeting].files();
    files.extend(content.body.files());
    files
}

/// The files a kept Typst source shows, each to be written where the typst
/// CLI finds it: the source names it by the virtual path `/<hash>/<name>`,
/// so it goes to `<hash>/<name>` in the document's folder, and
/// `typst compile --root <that folder>` compiles the source as motebok did.
/// Paths relative to the output folder.
fn kept_files(job: &Job, source: &str, files: &FileMap) -> Vec<(PathBuf, Arc<[u8]>)> {
    let folder = job.path.parent().unwrap_or(Path::new(""));
    files
        .iter()
        .filter(|(vpath, _)| source.contains(vpath.as_str()))
        .map(|(vpath, bytes)| {
            let rel = vpath
                .trim_start_matches('/')
                .split('/')
                .fold(folder.to_path_buf(), |path, part| path.join(part));
            (rel, bytes.get())
        })
        .collect()
}

/// Draws the files that are drawn when first shown (the pages of an
/// attachment) and that `source` shows, before Typst reads them: one that
/// cannot be drawn is an error at the field that named its attachment, not
/// a Typst error in the generated source. One error per attachment.
fn draw_shown(files: &FileMap, source: &str) -> Result<(), Vec<Diagnostic>> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    for (vpath, bytes) in files {
        if !bytes.is_drawn() || !source.contains(vpath.as_str()) {
            continue;
        }
        if let Err(error) = bytes.draw()
            && !errors.contains(&error)
        {
            errors.push(error);
        }
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors),
    }
}

/// What every job of a build reads: the templates, the content and the
/// contexts made of it.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    pub renderer: &'a Renderer,
    pub project: &'a Project,
    pub contexts: &'a Contexts,
}

/// Renders and compiles one job; stages its files unless `dry_run`.
///
/// A document is not compiled again when its files are in place as written
/// and it was built from the same inputs (then it is not even rendered), or
/// renders to the same source (the other papers of a meeting whose one paper
/// was edited: their contexts changed, their sources did not).
pub fn build_job(
    inputs: &Inputs<'_>,
    compiler: &dyn Compile,
    job: &Job,
    config: &BuildConfig,
    fingerprints: Option<&Fingerprints>,
    staging: &Staging,
) -> Result<(DocumentReport, Vec<Diagnostic>), Vec<Diagnostic>> {
    let Inputs {
        renderer,
        project,
        contexts,
    } = *inputs;
    let started = Instant::now();
    let meeting = &project.bodies[job.body].meetings[job.meeting];
    let standards = config
        .pdf_standards
        .clone()
        .unwrap_or_else(|| job.kind.standards(meeting).to_vec());
    let context = contexts.job(project, renderer.labels(), job);
    let inputs = input_hash(renderer, job.kind.template(), context.hash, &standards);
    let last = Last::of(job, config, fingerprints);
    // A kept source tells which files go beside it, so it is always rendered.
    if !config.keep_typst
        && let Some(report) = last.unchanged(|r| r.inputs == Some(inputs), None, &[], started)
    {
        return Ok((report, Vec::new()));
    }
    let rendered = render_context(renderer, job, context.value)?;
    let fingerprint = Fingerprint {
        source: source_hash(&rendered, &standards),
        inputs,
    };
    let Split { plain, source } = split_job(job, &rendered);
    let files = job_files(project, job);
    let kept = if config.keep_typst {
        // The files go beside the source: drawn first, or an error.
        draw_shown(&files, &plain)?;
        kept_files(job, &plain, &files)
    } else {
        Vec::new()
    };
    let same_source = |r: &Recorded| r.source == fingerprint.source;
    if let Some(report) = last.unchanged(same_source, Some(fingerprint), &kept, started) {
        return Ok((report, Vec::new()));
    }
    if let Some(f) = fingerprints {
        f.forget(&job.path);
    }
    draw_shown(&files, &plain)?;
    let typ_path = job.path.with_extension("typ");
    let name = typ_path.to_string_lossy().replace('\\', "/");
    if config.keep_typst && !config.dry_run {
        stage_source(staging, config, (&typ_path, &plain), &kept)?;
    }
    let request = CompileRequest {
        name: &name,
        source,
        ident: &name,
        date: (meeting.date.year, meeting.date.month, meeting.date.day),
        standards: &standards,
        text: config.dry_run,
    };
    let compiled: Compiled = compiler
        .compile(request, files)
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
        fingerprint: Some(fingerprint),
        kept: kept.into_iter().map(|(rel, _)| rel).collect(),
    };
    // Warnings too (text that runs off a page) point at the template and content.
    let mut warnings = compiled.warnings;
    trace_to_templates(renderer, project, job, &name, &mut warnings);
    Ok((report, warnings))
}

/// Stages a kept Typst source (`typ_path`, relative to the output folder) and
/// the files it shows.
fn stage_source(
    staging: &Staging,
    config: &BuildConfig,
    (typ_path, source): (&Path, &str),
    kept: &[(PathBuf, Arc<[u8]>)],
) -> Result<(), Vec<Diagnostic>> {
    write_file(
        staging,
        &config.output.join(typ_path),
        source.as_bytes(),
        "Typst source",
    )?;
    for (rel, bytes) in kept {
        let path = config.output.join(rel);
        staging.write_once(&path, bytes).map_err(|err| {
            vec![Diagnostic::error(format!(
                "failed to write {} ({err})",
                path.display()
            ))]
        })?;
    }
    Ok(())
}

/// What the last build recorded of a job's document, when it may be kept:
/// not with `--force`, and not in a dry run (which writes nothing to keep).
struct Last<'a> {
    job: &'a Job,
    config: &'a BuildConfig,
    recorded: Option<(&'a Fingerprints, Recorded)>,
}

impl<'a> Last<'a> {
    fn of(job: &'a Job, config: &'a BuildConfig, fingerprints: Option<&'a Fingerprints>) -> Self {
        let recorded = fingerprints
            .filter(|_| !config.force && !config.dry_run)
            .and_then(|f| Some((f, f.get(&job.path)?)));
        Last {
            job,
            config,
            recorded,
        }
    }

    /// The report of the document when what was recorded passes `same` and
    /// its files are in place as they were written (a truncated, emptied or
    /// replaced PDF is not), so it is not compiled again; `None` when it must
    /// be. `fingerprint` is recorded anew (its inputs hash may be new).
    fn unchanged(
        &self,
        same: impl Fn(&Recorded) -> bool,
        fingerprint: Option<Fingerprint>,
        kept: &[(PathBuf, Arc<[u8]>)],
        started: Instant,
    ) -> Option<DocumentReport> {
        let (f, recorded) = self.recorded?;
        let intact = |path: &Path| f.is_intact(&self.config.output, path);
        let path = &self.job.path;
        let typ_in_place = !self.config.keep_typst
            || (intact(&path.with_extension("typ")) && kept.iter().all(|(rel, _)| intact(rel)));
        let in_place = same(&recorded) && intact(path) && typ_in_place;
        in_place.then(|| DocumentReport {
            path: path.clone(),
            pages: recorded.pages,
            elapsed: started.elapsed(),
            text: Vec::new(),
            unchanged: true,
            fingerprint,
            kept: kept.iter().map(|(rel, _)| rel.clone()).collect(),
        })
    }
}

/// Renders a job's template with its `context`.
fn render_context(
    renderer: &Renderer,
    job: &Job,
    context: Value,
) -> Result<String, Vec<Diagnostic>> {
    renderer
        .render(job.kind.template(), context)
        .map_err(|d| vec![d])
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
