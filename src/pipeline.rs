//! Builds documents: plan, render, compile and write, in parallel with rayon.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use minijinja::Value;
use rayon::prelude::*;

use crate::compile::{CompileRequest, Compiled, compile_pdf};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::load_project;
use crate::model::{AgendaRow, Meeting, MinutesStatus, Project};
use crate::output::{Staging, write_atomic};
use crate::render::{DocumentKind, Renderer};
use crate::world::Typesetter;
use typst_pdf::PdfStandard;

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
    /// (see [`default_standards`]).
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

/// The PDF standards a document is written to unless overridden: PDF/A-2a
/// (archival, tagged) and PDF/UA-1 (accessible) for everything meant to be
/// kept; draft minutes, which are replaced by the final ones, only PDF/UA-1.
pub fn default_standards(kind: DocumentKind, meeting: &Meeting) -> Vec<PdfStandard> {
    let draft = kind == DocumentKind::Minutes
        && meeting
            .minutes
            .as_ref()
            .is_some_and(|m| m.status == MinutesStatus::Draft);
    if draft {
        vec![PdfStandard::Ua_1]
    } else {
        vec![PdfStandard::A_2a, PdfStandard::Ua_1]
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

/// One document to produce.
#[derive(Debug, Clone)]
pub struct Job {
    /// Index of the body in the project.
    pub body: usize,
    /// Index of the meeting in the body.
    pub meeting: usize,
    /// What kind of document.
    pub kind: DocumentKind,
    /// For case papers: the agenda row index.
    pub row: Option<usize>,
    /// Output path relative to the output folder (`nehs/2020-07/innkalling.pdf`).
    pub path: PathBuf,
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

/// What earlier builds produced: per output path, a hash of the generated Typst
/// source and the page count. A document whose source hashes the same, and whose
/// PDF is still in place, is not compiled again.
#[derive(Debug, Default)]
pub struct Fingerprints(std::sync::Mutex<std::collections::HashMap<PathBuf, (u64, usize)>>);

/// Where a build keeps its state in the output folder.
pub const STATE_DIR: &str = ".motebok";

impl Fingerprints {
    /// Reads the fingerprints a build left in `output`; empty when there are none
    /// or they came from another version of motebok.
    pub fn load(output: &Path) -> Fingerprints {
        let path = output.join(STATE_DIR).join("fingerprints.json");
        let map = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<StateFile>(&bytes).ok())
            .filter(|state| state.version == env!("CARGO_PKG_VERSION"))
            .map(|state| {
                state
                    .documents
                    .into_iter()
                    .map(|(p, v)| (PathBuf::from(p), v))
                    .collect()
            })
            .unwrap_or_default();
        Fingerprints(std::sync::Mutex::new(map))
    }

    /// Writes the fingerprints into `output`, for the next build.
    pub fn save(&self, output: &Path) -> std::io::Result<()> {
        let documents = match self.0.lock() {
            Ok(map) => map
                .iter()
                .map(|(p, v)| (p.to_string_lossy().replace('\\', "/"), *v))
                .collect(),
            Err(_) => return Ok(()),
        };
        let state = StateFile {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            documents,
        };
        let bytes = serde_json::to_vec_pretty(&state).map_err(std::io::Error::other)?;
        write_atomic(&output.join(STATE_DIR).join("fingerprints.json"), &bytes)
    }

    fn get(&self, path: &Path) -> Option<(u64, usize)> {
        self.0.lock().ok()?.get(path).copied()
    }

    fn set(&self, path: &Path, hash: u64, pages: usize) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(path.to_path_buf(), (hash, pages));
        }
    }

    fn forget(&self, path: &Path) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(path);
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StateFile {
    version: String,
    documents: std::collections::BTreeMap<String, (u64, usize)>,
}

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

/// Holds the output folder for one build at a time, so that two builds on the
/// same output never interleave their writes.
pub struct OutputLock {
    _file: std::fs::File,
}

impl OutputLock {
    /// Takes the lock of `output`, waiting for another build to finish first.
    pub fn acquire(output: &Path, waiting: impl FnOnce()) -> std::io::Result<OutputLock> {
        let dir = output.join(STATE_DIR);
        std::fs::create_dir_all(&dir)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting();
                file.lock()?;
            }
            Err(std::fs::TryLockError::Error(err)) => return Err(err),
        }
        Ok(OutputLock { _file: file })
    }
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

/// Lists every document of every meeting.
pub fn plan(project: &Project) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (b, content) in project.bodies.iter().enumerate() {
        for (m, meeting) in content.meetings.iter().enumerate() {
            let dir = PathBuf::from(&content.body.id).join(&meeting.slug);
            let job = |kind, row, name: String| Job {
                body: b,
                meeting: m,
                kind,
                row,
                path: dir.join(name),
            };
            jobs.push(job(DocumentKind::Summons, None, "innkalling.pdf".into()));
            for (r, row) in meeting.agenda.iter().enumerate() {
                if let AgendaRow::Case(item) = row {
                    if item.has_document() {
                        jobs.push(job(
                            DocumentKind::CasePaper,
                            Some(r),
                            format!("sak-{}.pdf", item.slug()),
                        ));
                    }
                }
            }
            jobs.push(job(DocumentKind::Pack, None, "motepakke.pdf".into()));
            if meeting.minutes.is_some() {
                jobs.push(job(DocumentKind::Minutes, None, "referat.pdf".into()));
            }
        }
    }
    jobs
}

/// The template context of a job.
pub fn job_context(project: &Project, labels: &crate::view::Labels, job: &Job) -> Value {
    crate::view::job_context(project, labels, job.body, job.meeting, job.row)
}

/// Renders a job's Typst source.
pub fn render_job(renderer: &Renderer, project: &Project, job: &Job) -> Result<String, Diagnostic> {
    renderer.render(job.kind, job_context(project, renderer.labels(), job))
}

/// Renders and compiles one job; writes it unless `dry_run`.
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
        .unwrap_or_else(|| default_standards(job.kind, meeting));
    let hash = source_hash(&source, &standards);
    let typ_path = job.path.with_extension("typ");
    if let Some((previous, pages)) = fingerprints.and_then(|f| f.get(&job.path)) {
        let typ_in_place = !config.keep_typst || config.output.join(&typ_path).is_file();
        if previous == hash
            && !config.dry_run
            && config.output.join(&job.path).is_file()
            && typ_in_place
        {
            let report = DocumentReport {
                path: job.path.clone(),
                pages,
                elapsed: started.elapsed(),
                text: Vec::new(),
                unchanged: true,
                fingerprint: None,
            };
            return Ok((report, Vec::new()));
        }
    }
    if let Some(f) = fingerprints {
        f.forget(&job.path);
    }
    let name = typ_path.to_string_lossy().replace('\\', "/");
    if config.keep_typst && !config.dry_run {
        write_file(
            staging,
            &config.output.join(&typ_path),
            source.as_bytes(),
            "Typst source",
        )?;
    }
    let compiled: Compiled = compile_pdf(
        typesetter.clone(),
        CompileRequest {
            name: &name,
            source,
            ident: &name,
            date: (meeting.date.year, meeting.date.month, meeting.date.day),
            standards: &standards,
        },
    )
    .map_err(|mut diags| {
        trace_to_templates(renderer, project, job, &name, &mut diags);
        if !config.keep_typst {
            for d in &mut diags {
                d.hint = Some(match d.hint.take() {
                    Some(h) => format!("{h}; run with --keep-typst to see the generated source"),
                    None => "run with --keep-typst to see the generated source".to_owned(),
                });
            }
        }
        diags
    })?;
    if !config.dry_run {
        write_file(
            staging,
            &config.output.join(&job.path),
            &compiled.pdf,
            "PDF",
        )?;
    }
    let report = DocumentReport {
        path: job.path.clone(),
        pages: compiled.pages,
        elapsed: started.elapsed(),
        text: compiled.text,
        unchanged: false,
        fingerprint: Some(hash),
    };
    Ok((report, compiled.warnings))
}

/// Points Typst's diagnostics in the generated source `name` at the template
/// line that produced the place instead, naming the generated position and,
/// when the place is text printed from content, where that text is written.
fn trace_to_templates(
    renderer: &Renderer,
    project: &Project,
    job: &Job,
    name: &str,
    diags: &mut [Diagnostic],
) {
    let in_generated =
        |d: &Diagnostic| d.file.as_deref() == Some(Path::new(name)) && d.position.is_some();
    if !diags.iter().any(in_generated) {
        return;
    }
    // Rendered again rather than kept: this runs only when a document fails.
    let Ok(source) = render_job(renderer, project, job) else {
        return;
    };
    let Some(map) = renderer.origins(
        job.kind,
        job_context(project, renderer.labels(), job),
        &source,
    ) else {
        return;
    };
    for diag in diags.iter_mut().filter(|d| in_generated(d)) {
        let Some(position) = diag.position else {
            continue;
        };
        let Some(origin) = map.at(position.line, position.column) else {
            continue;
        };
        let mut notes = vec![format!(
            "in the generated source {name}:{}:{}",
            position.line, position.column
        )];
        if let Some(value) = &origin.value {
            let shown: String = value.trim().chars().take(60).collect();
            match find_in_content(project, job, value) {
                Some((file, at)) => notes.push(format!(
                    "the place is in text from {}:{}:{} (`{shown}`); text from content prints as text and cannot be Typst code, so the template must not put it where Typst expects code",
                    file.display(),
                    at.line,
                    at.column
                )),
                None => notes.push(format!(
                    "the place is in text printed by the template (`{shown}`)"
                )),
            }
        }
        if let Some(hint) = diag.hint.take() {
            notes.push(hint);
        }
        diag.file = Some(origin.template);
        diag.position = Some(crate::diagnostic::Position {
            line: origin.line,
            column: origin.column.unwrap_or(1),
        });
        diag.snippet = Some(origin.source_line);
        diag.hint = Some(notes.join("; "));
    }
}

/// Where in the job's meeting (or body) `value` is written: the first line
/// of a content file containing its first line.
fn find_in_content(
    project: &Project,
    job: &Job,
    value: &str,
) -> Option<(PathBuf, crate::diagnostic::Position)> {
    let needle = value.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut files = Vec::new();
    collect_files(
        project.sources.meeting_dir(job.body, job.meeting),
        &mut files,
    );
    files.sort();
    files.push(
        project
            .sources
            .body_dir(job.body)
            .join(crate::load::BODY_FILE),
    );
    files.into_iter().find_map(|file| {
        let text = std::fs::read_to_string(&file).ok()?;
        text.lines().enumerate().find_map(|(n, line)| {
            let i = line.find(needle)?;
            Some((
                file.clone(),
                crate::diagnostic::Position {
                    line: n + 1,
                    column: line[..i].chars().count() + 1,
                },
            ))
        })
    })
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "md")
        {
            out.push(path);
        }
    }
}

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

/// Documents compiled between two trims of Typst's cache in a large build.
const CHUNK: usize = 64;

/// Stack size of the compiling threads. Typst recurses deeply on long
/// documents; the default 2 MiB of a worker thread is not always enough.
const STACK_SIZE: usize = 64 * 1024 * 1024;

static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();

/// Sets the number of documents compiled at once (default: one per core).
/// Takes effect only before the first build of the process.
pub fn set_threads(threads: Option<usize>) -> Result<(), String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .stack_size(STACK_SIZE)
        .thread_name(|i| format!("motebok-{i}"))
        .build()
        .map_err(|e| e.to_string())?;
    POOL.set(pool)
        .map_err(|_| "the worker threads are already running".to_owned())
}

fn pool() -> &'static rayon::ThreadPool {
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("motebok-{i}"))
            .build()
            .expect("worker threads start")
    })
}

/// Builds `jobs` in parallel, collecting reports and diagnostics.
///
/// With `fingerprints`, documents whose generated source is unchanged since the
/// build that recorded them are not compiled again.
///
/// All or nothing: files are staged beside their targets and put in place only
/// when every document succeeded, so a failed build leaves every earlier output
/// byte for byte as it was (and records no fingerprint).
pub fn build_jobs(
    config: &BuildConfig,
    project: &Project,
    renderer: &Renderer,
    jobs: &[Job],
    fingerprints: Option<&Fingerprints>,
) -> BuildReport {
    let started = Instant::now();
    let typesetter = Typesetter::shared();
    let staging = Staging::default();
    let mut results = Vec::with_capacity(jobs.len());
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = || {
        if let Some(progress) = &config.progress {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            (progress.0)(n, jobs.len());
        }
    };
    // Large builds go in chunks with Typst's memoization cache trimmed between
    // them: documents are independent, and an unbounded cache grows with the
    // archive (gigabytes for hundreds of meetings). Small builds (watch) keep it.
    for chunk in jobs.chunks(CHUNK) {
        let built: Vec<_> = pool().install(|| {
            chunk
                .par_iter()
                .map(|job| {
                    let result = build_job(
                        renderer,
                        &typesetter,
                        project,
                        job,
                        config,
                        fingerprints,
                        &staging,
                    );
                    tick();
                    result
                })
                .collect()
        });
        results.extend(built);
        if jobs.len() > CHUNK {
            typst::comemo::evict(1);
        }
    }
    let mut report = BuildReport::default();
    for result in results {
        match result {
            Ok((doc, warnings)) => {
                report.documents.push(doc);
                report.diagnostics.extend(warnings);
            }
            Err(errors) => report.diagnostics.extend(errors),
        }
    }
    if report.failed() {
        // Nothing is put in place: the documents that did compile are not written either.
        staging.discard();
        report.documents.clear();
    } else {
        match staging.commit() {
            Ok(()) => {
                if let Some(f) = fingerprints {
                    for doc in &report.documents {
                        if let Some(hash) = doc.fingerprint {
                            f.set(&doc.path, hash, doc.pages);
                        }
                    }
                }
            }
            Err(err) => {
                report.diagnostics.push(Diagnostic::error(format!(
                    "failed to put the built files in place ({err})"
                )));
                report.documents.clear();
            }
        }
    }
    dedupe(&mut report.diagnostics);
    report.elapsed = started.elapsed();
    report
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
    let mut report = match &inputs {
        Some((project, renderer)) => {
            let jobs: Vec<Job> = plan(project)
                .into_iter()
                .filter(|j| {
                    let content = &project.bodies[j.body];
                    let meeting = &content.meetings[j.meeting];
                    selected(filter, &content.body.id, &meeting.slug)
                        && (config.include_drafts
                            || j.kind != DocumentKind::Minutes
                            || !is_draft(meeting))
                })
                .collect();
            if config.dry_run {
                build_jobs(config, project, renderer, &jobs, None)
            } else {
                let fingerprints = if config.force {
                    Fingerprints::default()
                } else {
                    Fingerprints::load(&config.output)
                };
                let mut report = build_jobs(config, project, renderer, &jobs, Some(&fingerprints));
                if let Err(err) = fingerprints.save(&config.output) {
                    report.diagnostics.push(Diagnostic::warning(format!(
                        "failed to record what was built in {} ({err}); the next build compiles everything",
                        config.output.join(STATE_DIR).display()
                    )));
                }
                if !report.failed() {
                    let extra = after(project, renderer, &report);
                    report.diagnostics.extend(extra);
                }
                report
            }
        }
        None => BuildReport::default(),
    };
    let mut all = diagnostics;
    all.extend(report.diagnostics.0);
    report.diagnostics = all;
    dedupe(&mut report.diagnostics);
    report.elapsed = started.elapsed();
    report
}

/// Whether the meeting's minutes are a draft.
pub fn is_draft(meeting: &Meeting) -> bool {
    meeting
        .minutes
        .as_ref()
        .is_some_and(|m| m.status == MinutesStatus::Draft)
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
