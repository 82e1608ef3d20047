//! Watch mode: rebuild what a saved change affects, keeping the compiler warm.
//!
//! The process keeps the loaded fonts and Typst's memoization cache between
//! rebuilds, so an edit to one paragraph re-lays-out little more than that
//! paragraph. Changes are sorted into kinds (`change`) and only the documents
//! that depend on them are rebuilt. Changes are kept until a rebuild succeeds,
//! so a document is rebuilt whenever its inputs differ from those of its last
//! good build, whatever failed in between; errors hold back only the meetings
//! they reach (`scope`); a file a save left empty, still open after a
//! write, or renamed away before it is written again, is not built until it
//! is written (`batch`); a folder the system cannot watch is a warning in
//! every rebuild while it lasts (`watching`).

mod batch;
mod change;
mod lines;
mod scope;
mod watching;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::document::Papers;
use crate::model::Project;
use crate::output::Commit;
use crate::pipeline::{
    BuildConfig, BuildReport, Fingerprints, Job, build_jobs, finish, load_partial, plan, selected,
};
use crate::render::Renderer;

pub use self::batch::{BATCH_MAX, BATCH_QUIET, UNWRITTEN_GRACE};
pub use self::change::{Change, affected_jobs, classify};
use self::lines::{PDF_DEPTH, built_meetings, describe, has_pdf_under};
use self::scope::{Blocked, Places, written_value};
use self::watching::Watching;
use crate::fsread;
use crate::load::BODY_FILE;

/// Memoized results older than this many rebuilds are evicted, so memory stays
/// flat over hours of editing. Typst's own watch mode keeps 10; a drafter
/// edits one paper for a while, whose documents use their results in every
/// rebuild, and results of other documents are worth less than their memory.
pub const CACHE_MAX_AGE: usize = 3;

/// One rebuild of `motebok watch`, for printing.
#[derive(Debug)]
pub struct Rebuild<'a> {
    /// What changed: the changed files, relative to the project (`content/…`).
    pub what: &'a str,
    /// The documents built and every diagnostic of the run.
    pub report: &'a BuildReport,
    /// For each of the report's diagnostics: whether the rebuild before printed it too.
    pub repeated: Vec<bool>,
    /// Where the errors are (`rad/2024-01`, `rad` for a body's own files);
    /// empty when they reach every document (templates, the content folder).
    pub errors_in: Vec<String>,
    /// The meetings (and bodies) whose last good PDFs the errors keep: those
    /// the errors of loading are in, and those with changes they held back.
    pub held: Vec<String>,
    /// The documents that failed to compile, whose last good PDFs are kept
    /// (`rad/2024-01/motepakke.pdf`).
    pub kept: Vec<PathBuf>,
    /// The meetings held and the documents failed that have no PDF yet.
    pub unbuilt: Vec<String>,
    /// Whether the errors reach everything and no PDF of the project's is
    /// in the output yet (the first build of a project with a broken
    /// template, say): then there are no last good PDFs to keep.
    pub nothing_built: bool,
}

/// Builds once, then rebuilds on every change until the process is stopped.
///
/// `give_back` is called after each build, once Typst's cache is trimmed: it
/// returns what the allocator holds freed to the system (the binary's
/// allocator keeps the pages a cold initial build freed, 70 MiB on the
/// examples, until its threads allocate again).
pub fn watch(
    config: &BuildConfig,
    filter: &[String],
    report: &dyn Fn(&Rebuild<'_>),
    give_back: &dyn Fn(),
) -> Result<(), Diagnostic> {
    let (tx, rx) = mpsc::channel();
    let watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| Diagnostic::error(format!("failed to start watching files ({e})")))?;
    let mut watching = Watching::start(watcher, config)?;
    let stop = stop_on_ctrl_c()
        .map_err(|e| Diagnostic::error(format!("failed to install the Ctrl-C handler ({e})")))?;

    // A rebuild edits each document's last source, so that Typst reuses the
    // layout of what did not change.
    crate::world::Typesetter::shared().keep_sources();
    let content = absolute(&config.content);
    let mut state = State {
        config,
        filter,
        content: content.clone(),
        // What the last build left in the output: unchanged documents are not
        // compiled again, not even in the first build.
        fingerprints: Fingerprints::load(&config.output),
        places: Places::default(),
        pending: BTreeSet::new(),
        printed: HashSet::new(),
        unwatched: watching.failures(),
        body_ids: BTreeMap::new(),
    };
    let (templates, output) = (absolute(&config.templates), absolute(&config.output));
    let sort = |p: &Path| classify(&as_named(p), &content, &templates, &output);
    state.rebuild([Change::Content].into(), "initial build", report);
    // The initial build may have compiled every document; what the next
    // rebuilds need of that is made again by the first of them, and the rest
    // (cached layouts, kept sources) would be held for nothing.
    typst::comemo::evict(0);
    crate::world::Typesetter::shared().forget_sources();
    give_back();
    loop {
        let reads = |p: &Path| sort(p) != Change::Ignored;
        let Some(batch) = batch::settled_batch(&rx, &stop, reads) else {
            return Ok(());
        };
        // The content or templates folder came or went, or events were lost
        // (then everything is rebuilt too): watch the folders anew.
        if batch.rescan {
            watching.renew(|_| true);
        } else if batch.paths.iter().any(|p| watching.is_root(p)) {
            watching.renew(|root| batch.paths.contains(root));
        }
        let unwatched = watching.batch_failed(&batch.errors, &batch.paths, reads);
        state.unwatched = watching.failures();
        let mut changes: BTreeSet<Change> = batch
            .paths
            .iter()
            .map(|p| sort(p))
            .filter(|c| *c != Change::Ignored)
            .collect();
        // A folder the watcher could not watch may hold what it did not
        // see: everything is looked at again.
        if batch.rescan || unwatched {
            changes.insert(Change::Content);
        }
        if changes.is_empty() {
            continue;
        }
        let mut what = describe(&batch.paths, &content, &templates, reads);
        let lost = [
            (batch.rescan, "events lost (the system's queue overflowed)"),
            (unwatched, "a folder not watched"),
        ];
        for (_, why) in lost.iter().filter(|(happened, _)| *happened) {
            what = if what.is_empty() {
                (*why).to_owned()
            } else {
                format!("{what}, {why}")
            };
        }
        state.rebuild(changes, &what, report);
        typst::comemo::evict(CACHE_MAX_AGE);
        give_back();
    }
}

/// A flag that Ctrl-C raises: the loop stops between rebuilds, never in the
/// middle of writing.
fn stop_on_ctrl_c() -> Result<Arc<AtomicBool>, ctrlc::Error> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))?;
    Ok(stop)
}

/// What the watcher remembers between rebuilds.
struct State<'a> {
    config: &'a BuildConfig,
    filter: &'a [String],
    /// The content folder, absolute.
    content: PathBuf,
    /// The fingerprints of the documents as last built with success.
    fingerprints: Fingerprints,
    /// Where each meeting last loaded in its body's order.
    places: Places,
    /// Changes not yet built with success: kept until a rebuild has no error.
    pending: BTreeSet<Change>,
    /// The diagnostics the last rebuild printed, as printed.
    printed: HashSet<String>,
    /// The warnings of the folders the system could not watch: in every
    /// rebuild's diagnostics, since their PDFs may be stale.
    unwatched: Vec<Diagnostic>,
    /// The id of the body in each body folder (by its name) the last time
    /// it loaded: a body whose `body.yaml` breaks keeps its id, and so its
    /// output folder and a filter's name for it.
    body_ids: BTreeMap<String, String>,
}

impl State<'_> {
    /// Rebuilds the documents that `changes`, and the changes earlier errors
    /// held back, may have changed; reports it.
    fn rebuild(&mut self, changes: BTreeSet<Change>, what: &str, report: &dyn Fn(&Rebuild<'_>)) {
        let started = Instant::now();
        let carried = !self.pending.is_subset(&changes);
        self.pending.extend(changes);
        let (project, renderer, diagnostics) = load_partial(self.config);
        self.places.record(&project);
        let content_folder = &self.content;
        self.body_ids
            .retain(|folder, _| content_folder.join(folder).is_dir());
        for (b, content) in project.bodies.iter().enumerate() {
            if let Some(folder) = project.sources.body_dir(b).file_name() {
                let folder = folder.to_string_lossy().into_owned();
                self.body_ids.insert(folder, content.body.id.clone());
            }
        }
        let mut diagnostics = self.within_filter(&project, diagnostics);
        let blocked = Blocked::find(
            renderer.is_some(),
            &diagnostics,
            &self.content,
            &self.places,
        );
        // Errors that reach everything (the templates, the content folder)
        // say why nothing matches.
        if !blocked.everything() {
            let unmatched = self.unmatched_filters(&project, &diagnostics);
            diagnostics.extend(unmatched);
        }
        diagnostics.extend(self.unwatched.iter().cloned());
        let (mut held, mut failed) = (BTreeSet::new(), Failed::default());
        let result = match &renderer {
            Some(renderer) if !blocked.everything() => {
                let jobs: Vec<Job> = affected_jobs(&project, &self.pending, self.filter)
                    .into_iter()
                    .filter(|j| {
                        let reached = blocked.reaches(&project, j.body, j.meeting);
                        if reached {
                            held.insert(output_folder(j));
                        }
                        !reached
                    })
                    .collect();
                self.build_split(&project, renderer, &jobs, &mut failed)
            }
            _ => BuildReport::default(),
        };
        let mut result = finish(diagnostics, result, started);
        if !result.failed() {
            // Only a change of what there is can end a document: a case
            // paper's edit (the path from save to PDF) cannot.
            let shape = self.pending.iter().any(|c| !matches!(c, Change::Paper(_)));
            self.pending.clear();
            if shape && self.filter.is_empty() {
                self.remove_what_is_no_longer_made(&project, &mut result);
                // The time the line gives is the rebuild's, removals included.
                result.elapsed = started.elapsed();
            }
        }
        let what = if carried {
            format!("{what} (and changes held back by earlier errors)")
        } else {
            what.to_owned()
        };
        let mut errors_in: BTreeSet<String> = if blocked.everything() {
            BTreeSet::new()
        } else {
            blocked.sources().into_iter().collect()
        };
        // Where the errors are is said by folder; what they hold back is
        // named as the output is, by the body's id.
        held.extend(errors_in.iter().map(|name| {
            let (folder, rest) = name.split_once('/').unwrap_or((name, ""));
            let id = self.body_id(&project, folder);
            if rest.is_empty() {
                id
            } else {
                format!("{id}/{rest}")
            }
        }));
        errors_in.extend(failed.meetings);
        let output = &self.config.output;
        // Which meetings have PDFs matters only when errors hold some back.
        let built = if held.is_empty() && !blocked.everything() {
            HashSet::new()
        } else {
            built_meetings(&project, output)
        };
        let (held, mut unbuilt): (Vec<String>, Vec<String>) = held.into_iter().partition(|name| {
            built.contains(name.as_str()) || has_pdf_under(&output.join(name), PDF_DEPTH)
        });
        let (kept, no_pdf): (Vec<PathBuf>, Vec<PathBuf>) = failed
            .documents
            .into_iter()
            .partition(|path| output.join(path).is_file());
        unbuilt.extend(no_pdf.iter().map(|p| p.display().to_string()));
        report(&Rebuild {
            what: &what,
            report: &result,
            repeated: self.repeated(&result),
            errors_in: errors_in.into_iter().collect(),
            held,
            kept,
            unbuilt,
            nothing_built: blocked.everything()
                && built.is_empty()
                && !has_pdf_under(output, PDF_DEPTH + 1),
        });
        // Recorded after reporting, off the path from save to PDF.
        let _ = self.fingerprints.save(&self.config.output);
    }

    /// The diagnostics that concern the meetings watched: with a filter,
    /// those in the folder of a meeting or body it selects (loaded or not),
    /// and those that would reach a meeting it selects, or every meeting,
    /// were they errors (see [`Blocked`]); an error in a meeting it does not
    /// read is not printed, and does not keep changes pending, also while no
    /// meeting it selects loads. Without a filter, all of them.
    fn within_filter(&self, project: &Project, diagnostics: Diagnostics) -> Diagnostics {
        if self.filter.is_empty() {
            return diagnostics;
        }
        let watched: Vec<(usize, usize)> = project
            .bodies
            .iter()
            .enumerate()
            .flat_map(|(b, content)| {
                content
                    .meetings
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| selected(self.filter, &content.body.id, &m.slug))
                    .map(move |(m, _)| (b, m))
            })
            .collect();
        let concerns = |diagnostic: &Diagnostic| {
            if self.names_watched(project, diagnostic) {
                return true;
            }
            let as_error = Diagnostic {
                severity: Severity::Error,
                ..diagnostic.clone()
            };
            let reach = Blocked::find(
                true,
                &Diagnostics::from(vec![as_error]),
                &self.content,
                &self.places,
            );
            reach.everything() || watched.iter().any(|&(b, m)| reach.reaches(project, b, m))
        };
        Diagnostics::from(
            diagnostics
                .0
                .into_iter()
                .filter(concerns)
                .collect::<Vec<_>>(),
        )
    }

    /// The filter's entries that select nothing, as `build` reports them
    /// but as warnings: a misspelt meeting would otherwise leave watch
    /// building nothing in silence, and one not made yet is built once it
    /// is. An entry whose folder, or whose body's own files, hold an error
    /// among `diagnostics` (a meeting or body that did not load) is left to
    /// that error.
    fn unmatched_filters(&self, project: &Project, diagnostics: &Diagnostics) -> Vec<Diagnostic> {
        let errors_in: Vec<PathBuf> = diagnostics
            .0
            .iter()
            .filter(|d| d.is_error())
            .filter_map(|d| d.file.as_deref().map(as_named))
            .collect();
        let absent: Vec<String> = self
            .filter
            .iter()
            .filter(|f| {
                let f = f.trim_end_matches('/');
                let (body, rest) = f.split_once('/').unwrap_or((f, ""));
                if body.is_empty() || body.starts_with('.') || rest.starts_with('.') {
                    return true;
                }
                let body_folder = absolute(&self.body_folder(project, body));
                let folder = body_folder.join(rest);
                !errors_in.iter().any(|file| {
                    file.starts_with(&folder) || file.parent() == Some(body_folder.as_path())
                })
            })
            .cloned()
            .collect();
        crate::pipeline::unmatched_filters(project, &absent)
            .into_iter()
            .map(|d| Diagnostic {
                severity: Severity::Warning,
                message: format!("{}; nothing is built for it until it does", d.message),
                ..d
            })
            .collect()
    }

    /// Whether `diagnostic` is in the folder of a meeting the filter selects,
    /// or in a body's own files when it selects the body or one of its
    /// meetings. A body folder is known by its body's id when it loaded,
    /// else by its name.
    fn names_watched(&self, project: &Project, diagnostic: &Diagnostic) -> bool {
        let Some(rel) = diagnostic
            .file
            .as_deref()
            .map(as_named)
            .and_then(|f| f.strip_prefix(&self.content).ok().map(Path::to_path_buf))
        else {
            return false;
        };
        let parts: Vec<String> = rel
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        let Some(folder) = parts.first() else {
            return false;
        };
        // By the body's id, or by its folder's name where the two differ
        // (which `build` would not take, but the folder's errors are then
        // what the watch is for).
        let id = self.body_id(project, folder);
        [id.as_str(), folder.as_str()]
            .into_iter()
            .any(|name| match parts.as_slice() {
                [_, meeting, _, ..] => selected(self.filter, name, meeting),
                _ => self.filter.iter().any(|f| {
                    let f = f.trim_end_matches('/');
                    f == name
                        || f.strip_prefix(name)
                            .is_some_and(|rest| rest.starts_with('/'))
                }),
            })
    }

    /// The folder of the body `id` (`rad`), the inverse of
    /// [`Self::body_id`]: the folder it loaded from, now or last time, else
    /// the content folder's entry of that name, else the one whose body
    /// file gives that id on its `id:` line.
    fn body_folder(&self, project: &Project, id: &str) -> PathBuf {
        if let Some(b) = project.bodies.iter().position(|c| c.body.id == id) {
            return project.sources.body_dir(b).to_path_buf();
        }
        if let Some((folder, _)) = self.body_ids.iter().find(|(_, i)| *i == id) {
            return self.content.join(folder);
        }
        let named = self.content.join(id);
        if named.is_dir() {
            return named;
        }
        // A body that never loaded, in a folder of another name: the one
        // whose body file gives this id.
        fsread::entries(fsread::Root::content(&self.content), &self.content)
            .into_iter()
            .flatten()
            .map(|entry| entry.path)
            .find(|folder| {
                written_value(&self.content, &folder.join(BODY_FILE), "id").as_deref() == Some(id)
            })
            .unwrap_or(named)
    }

    /// The id of the body in the content folder's entry `folder`: the id of
    /// the body that loaded from it, now or last time, else the id its body
    /// file gives, else the name itself.
    fn body_id(&self, project: &Project, folder: &str) -> String {
        (0..project.bodies.len())
            .find(|&b| {
                project
                    .sources
                    .body_dir(b)
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy() == folder)
            })
            .map(|b| project.bodies[b].body.id.clone())
            .or_else(|| self.body_ids.get(folder).cloned())
            .or_else(|| {
                let file = self.content.join(folder).join(BODY_FILE);
                written_value(&self.content, &file, "id")
            })
            .unwrap_or_else(|| folder.to_owned())
    }

    /// Removes the files earlier builds wrote that the content no longer
    /// makes (a case paper taken off the agenda, a meeting folder renamed or
    /// removed), as `build` does; called after a rebuild with no error, of
    /// every meeting. The documents kept are every document the content
    /// plans, drafts too, with their kept sources; the other files kept
    /// sources show are kept in the folders of meetings still planned (which
    /// of them a document still shows is left to the next `build`, which
    /// knows), and removed with a meeting that is not. The files of a
    /// meeting whose folder is still there but did not load are kept.
    fn remove_what_is_no_longer_made(&self, project: &Project, report: &mut BuildReport) {
        let planned: HashSet<PathBuf> = plan(project).into_iter().map(|j| j.path).collect();
        let folders: HashSet<&Path> = planned.iter().filter_map(|p| p.parent()).collect();
        // A meeting not planned whose folder is still in the content did not
        // load without an error: its marker file is gone for a moment (a
        // checkout, a sync), or it is not a meeting yet. Its files wait.
        let unloaded = |path: &Path| {
            let mut parts = path.iter();
            let (Some(id), Some(slug)) = (parts.next(), parts.next()) else {
                return false;
            };
            if folders.contains(Path::new(id).join(slug).as_path()) {
                return false;
            }
            let id = id.to_string_lossy();
            self.body_folder(project, &id).join(slug).is_dir()
        };
        let keep = |path: &Path| {
            unloaded(path)
                || match path.extension().and_then(|e| e.to_str()) {
                    Some("pdf") => planned.contains(path),
                    Some("typ") => {
                        self.config.keep_typst && planned.contains(&path.with_extension("pdf"))
                    }
                    _ => path.ancestors().skip(1).any(|dir| folders.contains(dir)),
                }
        };
        let mut commit = Commit::default();
        let (removed, left) = self
            .fingerprints
            .prune(&self.config.output, keep, &mut commit);
        // Dropped, the commit is final: the removed files' backups go.
        drop(commit);
        report.removed = removed;
        report
            .diagnostics
            .extend(left.into_iter().map(Diagnostic::warning));
    }

    /// Builds `jobs`: the documents that print every case paper of their
    /// meeting (the pack, the longest to compile) beside the others, so that an
    /// edited case paper is written as soon as it is compiled, without waiting
    /// for the pack. Each part is all or nothing on its own; a part that fails
    /// is built again document by document (see [`Self::build_each`]).
    fn build_split(
        &self,
        project: &Project,
        renderer: &Renderer,
        jobs: &[Job],
        failed: &mut Failed,
    ) -> BuildReport {
        let (packs, others): (Vec<Job>, Vec<Job>) = jobs
            .iter()
            .cloned()
            .partition(|j| j.kind.spec().papers == Papers::All);
        if packs.is_empty() || others.is_empty() {
            return self.build_each(project, renderer, jobs, failed);
        }
        let fingerprints = Some(&self.fingerprints);
        let build = |part: &[Job]| build_jobs(self.config, project, renderer, part, fingerprints);
        let (first, second) = std::thread::scope(|scope| {
            let packs = scope.spawn(|| build(&packs));
            (build(&others), packs.join())
        });
        let second = second.unwrap_or_else(|_| BuildReport {
            diagnostics: Diagnostics::from(vec![Diagnostic::error("building the packs failed")]),
            ..BuildReport::default()
        });
        let mut merged = BuildReport::default();
        for (part, jobs) in [(first, &others), (second, &packs)] {
            let part = if part.failed() {
                self.build_each(project, renderer, jobs, failed)
            } else {
                part
            };
            append(&mut merged, part);
        }
        merged
    }

    /// Builds `jobs` together; when a document fails to compile, builds each
    /// meeting's on their own (in parallel, from the warm cache), and in a
    /// meeting that fails, each document on its own, so that the failure
    /// holds back only that document: the others are written, and the failed
    /// one keeps its last good PDF. The failed documents and their meetings
    /// go to `failed`.
    fn build_each(
        &self,
        project: &Project,
        renderer: &Renderer,
        jobs: &[Job],
        failed: &mut Failed,
    ) -> BuildReport {
        let fingerprints = Some(&self.fingerprints);
        let build = |part: &[Job]| build_jobs(self.config, project, renderer, part, fingerprints);
        let report = build(jobs);
        if !report.failed() {
            return report;
        }
        let mut merged = BuildReport::default();
        for meeting in jobs.chunk_by(|a, b| (a.body, a.meeting) == (b.body, b.meeting)) {
            let mut part = build(meeting);
            if part.failed() && meeting.len() > 1 {
                part = BuildReport::default();
                for job in meeting {
                    let one = build(std::slice::from_ref(job));
                    if one.failed() {
                        failed.documents.push(job.path.clone());
                    }
                    append(&mut part, one);
                }
            } else if part.failed() {
                failed.documents.push(meeting[0].path.clone());
            }
            if part.failed() {
                failed.meetings.insert(meeting_name(project, &meeting[0]));
            }
            append(&mut merged, part);
        }
        merged
    }

    /// Which of the report's diagnostics the last rebuild printed too; remembers this one's.
    fn repeated(&mut self, report: &BuildReport) -> Vec<bool> {
        let now: Vec<String> = report.diagnostics.0.iter().map(|d| d.to_string()).collect();
        let repeated = now.iter().map(|d| self.printed.contains(d)).collect();
        self.printed = now.into_iter().collect();
        repeated
    }
}

/// The documents of a rebuild that failed to compile, and their meetings.
#[derive(Debug, Default)]
struct Failed {
    meetings: BTreeSet<String>,
    documents: Vec<PathBuf>,
}

/// Adds the documents and diagnostics of `part`, one part of a rebuild,
/// to `into`; `part`'s files stay in place (its commit is final once it is
/// dropped here).
fn append(into: &mut BuildReport, part: BuildReport) {
    into.documents.extend(part.documents);
    into.diagnostics.extend(part.diagnostics.0);
}

/// `rad/2024-01`: the folder of `job`'s PDF in the output, which is named
/// by the body's id (where [`meeting_name`] names the content's folders).
fn output_folder(job: &Job) -> String {
    job.path
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// `rad/2024-01`: the folders of the body and meeting of `job`.
fn meeting_name(project: &Project, job: &Job) -> String {
    let body = project.sources.body_dir(job.body);
    let body = body
        .file_name()
        .unwrap_or(body.as_os_str())
        .to_string_lossy();
    let meeting = &project.bodies[job.body].meetings[job.meeting].slug;
    format!("{body}/{meeting}")
}

/// A path made absolute (and free of links) where it exists, else its
/// folder's, so that paths from events, the loader and diagnostics compare.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        _ => std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// `path` made absolute as named: its folder made absolute and free of
/// links (see [`absolute`]), the last part kept as it is, a link or not. An
/// event names the link a save left, not where it leads: a case paper
/// replaced by a link out of the project is a change of that case paper,
/// which the loader then refuses.
pub(crate) fn as_named(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        _ => absolute(path),
    }
}
