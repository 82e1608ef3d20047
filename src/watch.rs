//! Watch mode: rebuild what a saved change affects, keeping the compiler warm.
//!
//! The process keeps the loaded fonts and Typst's memoization cache between
//! rebuilds, so an edit to one paragraph re-lays-out little more than that
//! paragraph. Changes are sorted into kinds and only the documents that depend
//! on them are rebuilt.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::diagnostic::Diagnostic;
use crate::document::Papers;
use crate::model::{Project, SourceMap};
use crate::pipeline::{
    BuildConfig, BuildReport, Fingerprints, Job, build_jobs, finish, load_inputs, plan, selected,
};

/// How long to wait for more events after one arrives. Editors save in bursts
/// (write a temp file, rename it over the original, touch metadata); a short
/// quiet period catches the burst without adding noticeable latency.
pub const BATCH_QUIET: Duration = Duration::from_millis(10);

/// The longest a batch may gather events before the rebuild starts anyway.
pub const BATCH_MAX: Duration = Duration::from_millis(150);

/// Memoized results older than this many rebuilds are evicted, so memory stays
/// flat over hours of editing (the value typst's own watch mode uses).
pub const CACHE_MAX_AGE: usize = 10;

/// How often an idle watcher checks whether it was asked to stop.
const STOP_POLL: Duration = Duration::from_millis(100);

/// What a changed file means for the build.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// A template: every document may change.
    Template,
    /// A body's roster or settings: every meeting of the body.
    Body(String),
    /// A meeting's YAML or anything else in its folder: all its documents.
    Meeting(String, String),
    /// A case paper's Markdown: the documents whose kind prints it (its case paper, the pack).
    Paper(PathBuf),
    /// Not something the build reads.
    Ignored,
}

/// Sorts a changed path into a [`Change`].
pub fn classify(path: &Path, content: &Path, templates: &Path, output: &Path) -> Change {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let is_temp = name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp");
    if is_temp || path.starts_with(output) {
        return Change::Ignored;
    }
    if path.starts_with(templates) {
        // Templates, in subfolders too, and the data they read (`labels.yaml`).
        return if crate::render::templates::is_set_file(&name) {
            Change::Template
        } else {
            Change::Ignored
        };
    }
    let Ok(rel) = path.strip_prefix(content) else {
        return Change::Ignored;
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [body, file] if file == crate::load::BODY_FILE => Change::Body(body.clone()),
        [_, _] | [_] => Change::Ignored,
        [body, meeting, file] if file == crate::load::MEETING_FILE => {
            Change::Meeting(body.clone(), meeting.clone())
        }
        [_, _, ..] if name.ends_with(".md") => Change::Paper(path.to_path_buf()),
        [body, meeting, ..] => Change::Meeting(body.clone(), meeting.clone()),
        [] => Change::Ignored,
    }
}

/// The jobs a set of changes requires.
pub fn affected_jobs(project: &Project, changes: &BTreeSet<Change>, filter: &[String]) -> Vec<Job> {
    plan(project)
        .into_iter()
        .filter(|job| {
            let content = &project.bodies[job.body];
            let meeting = &content.meetings[job.meeting];
            selected(filter, &content.body.id, &meeting.slug)
                && changes.iter().any(|change| affects(project, job, change))
        })
        .collect()
}

/// Whether `change` may change the document of `job` (of the body `content`).
fn affects(project: &Project, job: &Job, change: &Change) -> bool {
    let in_body = |dir: &str| {
        project
            .sources
            .body_dir(job.body)
            .file_name()
            .is_some_and(|n| n.to_string_lossy() == dir)
    };
    match change {
        Change::Template => true,
        Change::Body(dir) => in_body(dir),
        Change::Meeting(body, slug) => {
            // Case numbers, the previous meeting and action points run on
            // into later meetings, so those are candidates too; documents
            // whose source comes out unchanged are skipped later.
            in_body(body)
                && project.bodies[job.body]
                    .meetings
                    .iter()
                    .position(|m| m.slug == *slug)
                    .is_some_and(|changed| job.meeting >= changed)
        }
        Change::Paper(path) => prints_paper(project, job, path),
        Change::Ignored => false,
    }
}

/// Whether the document of `job` prints the case paper at `path`, by the
/// papers its kind reads (see [`Papers`]).
fn prints_paper(project: &Project, job: &Job, path: &Path) -> bool {
    let sources: &SourceMap = &project.sources;
    let uses = |row: usize| {
        sources
            .paper(job.body, job.meeting, row)
            .is_some_and(|p| same_file(p, path))
    };
    let rows = project.bodies[job.body].meetings[job.meeting].agenda.len();
    match job.kind.spec().papers {
        Papers::None => false,
        Papers::Own => job.row.is_some_and(uses),
        Papers::All => (0..rows).any(uses),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Builds once, then rebuilds on every change until the process is stopped.
pub fn watch(
    config: &BuildConfig,
    filter: &[String],
    report: &dyn Fn(&BuildReport, &str),
) -> Result<(), Diagnostic> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| Diagnostic::error(format!("failed to start watching files ({e})")))?;
    for dir in watched_folders(config) {
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .map_err(|e| Diagnostic::error(format!("failed to watch {} ({e})", dir.display())))?;
    }
    let absolute = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (content, templates, output) = (
        absolute(&config.content),
        absolute(&config.templates),
        absolute(&config.output),
    );
    let stop = stop_on_ctrl_c()
        .map_err(|e| Diagnostic::error(format!("failed to install the Ctrl-C handler ({e})")))?;

    // What the last build left in the output: unchanged documents are not
    // compiled again, not even in the first build.
    let fingerprints = Fingerprints::load(&config.output);
    let all: BTreeSet<Change> = [Change::Template].into();
    rebuild(config, filter, &all, "initial build", &fingerprints, report);
    loop {
        let Some(paths) = next_batch(&rx, &stop) else {
            return Ok(());
        };
        let changes: BTreeSet<Change> = paths
            .iter()
            .map(|p| classify(&absolute(p), &content, &templates, &output))
            .filter(|c| *c != Change::Ignored)
            .collect();
        if changes.is_empty() {
            continue;
        }
        let what = describe(&paths, &content, &templates);
        rebuild(config, filter, &changes, &what, &fingerprints, report);
        typst::comemo::evict(CACHE_MAX_AGE);
    }
}

/// The folders the build reads: the content, and the project's templates
/// when it has a templates folder (without one, the built-in templates are used
/// and there is nothing to watch).
fn watched_folders(config: &BuildConfig) -> Vec<&Path> {
    let mut dirs = vec![config.content.as_path()];
    if config.templates.is_dir() {
        dirs.push(config.templates.as_path());
    }
    dirs
}

/// A flag that Ctrl-C raises: the loop stops between rebuilds, never in the
/// middle of writing.
fn stop_on_ctrl_c() -> Result<Arc<AtomicBool>, ctrlc::Error> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))?;
    Ok(stop)
}

fn rebuild(
    config: &BuildConfig,
    filter: &[String],
    changes: &BTreeSet<Change>,
    what: &str,
    fingerprints: &Fingerprints,
    report: &dyn Fn(&BuildReport, &str),
) {
    let started = Instant::now();
    let (inputs, diagnostics) = load_inputs(config);
    let result = match &inputs {
        Some((project, renderer)) => build_jobs(
            config,
            project,
            renderer,
            &affected_jobs(project, changes, filter),
            Some(fingerprints),
        ),
        None => BuildReport::default(),
    };
    let result = finish(diagnostics, result, started);
    report(&result, what);
    // Recorded after reporting, off the path from save to PDF.
    let _ = fingerprints.save(&config.output);
}

/// Waits for the next batch of changed paths; `None` when asked to stop or the watcher is gone.
fn next_batch(
    rx: &Receiver<notify::Result<notify::Event>>,
    stop: &AtomicBool,
) -> Option<BTreeSet<PathBuf>> {
    let mut paths = BTreeSet::new();
    let add = |event: notify::Result<notify::Event>, paths: &mut BTreeSet<PathBuf>| {
        if let Ok(event) = event
            && !matches!(event.kind, EventKind::Access(_))
        {
            paths.extend(event.paths);
        }
    };
    loop {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        match rx.recv_timeout(STOP_POLL) {
            Ok(event) => {
                add(event, &mut paths);
                break;
            }
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    let started = Instant::now();
    loop {
        match rx.recv_timeout(BATCH_QUIET) {
            Ok(event) => add(event, &mut paths),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
        if started.elapsed() >= BATCH_MAX {
            break;
        }
    }
    Some(paths)
}

fn describe(paths: &BTreeSet<PathBuf>, content: &Path, templates: &Path) -> String {
    let names: Vec<String> = paths
        .iter()
        .filter(|p| {
            p.exists()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .map(|p| {
            let p = p.canonicalize().unwrap_or_else(|_| p.clone());
            p.strip_prefix(content)
                .map(|r| Path::new("content").join(r))
                .or_else(|_| {
                    p.strip_prefix(templates)
                        .map(|r| Path::new("templates").join(r))
                })
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string()
        })
        .collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_classified_by_path() {
        let (c, t, o) = (
            Path::new("/p/content"),
            Path::new("/p/templates"),
            Path::new("/p/output"),
        );
        let cases = [
            ("/p/templates/sak.typ.j2", Change::Template),
            ("/p/templates/arkiv.html.j2", Change::Template),
            ("/p/templates/felles/side.typ.j2", Change::Template),
            ("/p/templates/labels.yaml", Change::Template),
            ("/p/templates/notes.txt", Change::Ignored),
            ("/p/templates/.sak.typ.j2.swp", Change::Ignored),
            ("/p/content/nehs/body.yaml", Change::Body("nehs".into())),
            (
                "/p/content/nehs/2020-07/meeting.yaml",
                Change::Meeting("nehs".into(), "2020-07".into()),
            ),
            (
                "/p/content/nehs/2020-07/saker/38-20.md",
                Change::Paper("/p/content/nehs/2020-07/saker/38-20.md".into()),
            ),
            (
                "/p/content/nehs/2020-07/saker/.38-20.md.swp",
                Change::Ignored,
            ),
            ("/p/content/nehs/2020-07/saker/38-20.md~", Change::Ignored),
            (
                "/p/content/nehs/2020-07/vedlegg.txt",
                Change::Meeting("nehs".into(), "2020-07".into()),
            ),
            ("/p/content/readme.txt", Change::Ignored),
            ("/p/output/nehs/2020-07/innkalling.pdf", Change::Ignored),
            ("/elsewhere/file.md", Change::Ignored),
        ];
        for (path, expected) in cases {
            assert_eq!(classify(Path::new(path), c, t, o), expected, "{path}");
        }
    }

    /// The file names of the jobs `changes` require in a fixture.
    fn affected(fixture: &str, changes: &[Change]) -> Vec<String> {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
        let (project, diagnostics) = crate::load::load_project(&content);
        assert!(!diagnostics.has_errors(), "{fixture}: {diagnostics:?}");
        let changes: BTreeSet<Change> = changes.iter().cloned().collect();
        affected_jobs(&project, &changes, &[])
            .iter()
            .map(|job| job.path.to_string_lossy().replace('\\', "/"))
            .collect()
    }

    #[test]
    fn a_change_rebuilds_the_documents_that_read_it() {
        let mini = "tests/fixtures/mini";
        let paper = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(mini)
            .join("styret/2024-01/saker/03-24.md");
        let meeting = |slug: &str| Change::Meeting("rad".into(), slug.into());
        let all_mini = [
            "styret/2024-01/innkalling.pdf",
            "styret/2024-01/sak-01-24.pdf",
            "styret/2024-01/sak-02-24.pdf",
            "styret/2024-01/sak-04-24.pdf",
            "styret/2024-01/sak-03-24.pdf",
            "styret/2024-01/motepakke.pdf",
        ];
        let cases: [(&str, Vec<Change>, Vec<&str>); 6] = [
            (mini, vec![Change::Template], all_mini.to_vec()),
            (mini, vec![Change::Body("styret".into())], all_mini.to_vec()),
            (mini, vec![Change::Body("nehs".into())], vec![]),
            (
                mini,
                vec![Change::Paper(paper)],
                vec![
                    "styret/2024-01/sak-03-24.pdf",
                    "styret/2024-01/motepakke.pdf",
                ],
            ),
            (mini, vec![Change::Ignored], vec![]),
            // A meeting's change runs on into the later meetings, not the earlier.
            (
                "tests/fixtures/cycle",
                vec![meeting("2023-06")],
                vec![
                    "rad/2023-06/innkalling.pdf",
                    "rad/2023-06/sak-23-23.pdf",
                    "rad/2023-06/sak-24-23.pdf",
                    "rad/2023-06/motepakke.pdf",
                    "rad/2023-06/referat.pdf",
                    "rad/2024-01/innkalling.pdf",
                    "rad/2024-01/sak-01-24.pdf",
                    "rad/2024-01/sak-02-24.pdf",
                    "rad/2024-01/motepakke.pdf",
                    "rad/2024-01/referat.pdf",
                ],
            ),
        ];
        for (fixture, changes, expected) in cases {
            assert_eq!(affected(fixture, &changes), expected, "{changes:?}");
        }
    }
}
