//! The worker pool (pipeline stage): jobs compiled in parallel, all or nothing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::config::BuildConfig;
use super::context::Contexts;
use super::job::{Inputs, build_job};
use super::plan::Job;
use super::report::{BuildReport, DocumentReport, dedupe};
use super::workers::{Compile, Compiler, Processes};
use crate::diagnostic::Diagnostic;
use crate::document::DocumentKind;
use crate::model::Project;
use crate::output::{Commit, Fingerprints, LastBuild, STATE_DIR, Staging, interrupted};
use crate::render::Renderer;
use crate::threads::{pool, run_each, threads_per_worker, wide_pool};
use crate::world::{Typesetter, evict};

/// What one job came to: its report and warnings, or its errors.
type JobResult = Result<(DocumentReport, Vec<Diagnostic>), Vec<Diagnostic>>;

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
    let staging = Staging::default();
    let results = run_jobs(config, project, renderer, jobs, fingerprints, &staging);
    // What the documents of this build shared is no use to the next.
    Typesetter::shared().forget_parts();
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
    put_in_place(&mut report, config, staging, fingerprints);
    dedupe(&mut report.diagnostics);
    report.elapsed = started.elapsed();
    report
}

/// Runs every job on the pool, telling `config.progress` as each is done.
fn run_jobs(
    config: &BuildConfig,
    project: &Project,
    renderer: &Renderer,
    jobs: &[Job],
    fingerprints: Option<&Fingerprints>,
    staging: &Staging,
) -> Vec<JobResult> {
    // More documents than workers: one meeting at a time per worker, taken
    // as each is free, so that none waits for the slowest of a batch; in
    // processes of their own when the binary is known and several workers
    // are busy. With fewer meetings than workers, as many workers as
    // meetings, each spreading its documents' work over more cores: a
    // meeting's documents share their layouts, which is worth more than
    // compiling them side by side (NUIT 3/2022 with 2 jobs, best of 3 in
    // `cargo bench`: 273 ms one document at a time in 2 processes, 226 ms
    // as one meeting on 2 threads). No more documents than workers (a
    // rebuild in watch): side by side in this process, where Typst also
    // spreads each document's work over the cores (all of them, see
    // `wide_pool`).
    let workers = pool().current_num_threads();
    let each = jobs.len() > workers;
    let groups = if each {
        meeting_groups(jobs)
    } else {
        Vec::new()
    };
    // The workers at work at once.
    let busy = match each {
        true => groups.len().clamp(1, workers),
        false => workers,
    };
    let processes = match &config.compiler_processes {
        Some(exe) if each && busy > 1 => Processes::start(exe.clone(), threads_per_worker(busy)),
        _ => None,
    };
    let compiler = match processes {
        Some(processes) => Compiler::Processes(processes),
        None => Compiler::InProcess(Typesetter::shared()),
    };
    let contexts = Contexts::new(project, jobs);
    let inputs = Inputs {
        renderer,
        project,
        contexts: &contexts,
    };
    let done = AtomicUsize::new(0);
    let trim = Trim::choose(
        jobs.len(),
        busy,
        matches!(compiler, Compiler::Processes(_)),
        config.compiler_processes.is_some(),
    );
    // `grouped`: compiled with the rest of its meeting (see `meeting_groups`).
    let build = |job: &Job, compiler: &dyn Compile, grouped: bool| {
        let result = if interrupted() {
            Err(vec![interrupted_error()])
        } else {
            build_job(&inputs, compiler, job, config, fingerprints, staging)
        };
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        trim.after(n, grouped);
        if let Some(progress) = &config.progress {
            (progress.0)(n, jobs.len());
        }
        result
    };
    if !each {
        return wide_pool().install(|| {
            jobs.par_iter()
                .map(|job| build(job, &compiler, false))
                .collect()
        });
    }
    let keep_below = GROUP_MEMORY / busy as u64;
    let done: Vec<Vec<(usize, JobResult)>> = run_each(groups.len(), |g| {
        let group = compiler.group(keep_below);
        let results = groups[g]
            .iter()
            .map(|&k| (k, build(&jobs[k], &group, true)))
            .collect();
        drop(group);
        trim.after_group();
        results
    });
    let mut done: Vec<(usize, JobResult)> = done.into_iter().flatten().collect();
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, result)| result).collect()
}

/// The memory the compiler processes of a build may hold between the
/// documents of their meetings, together: each keeps what a meeting's pack
/// laid out for the meeting's other documents only while it holds no more
/// than its share of this (see [`super::workers::Group`]), and gives back
/// to the system only what it holds above its share. A process holds
/// 40 to 60 MiB of its own after the pack of one of the benchmark archive's
/// larger meetings: with 2 to 4 jobs every process keeps it, with 8 the
/// largest meetings' processes let it go, with 16 most do. On the
/// 1 000-meeting benchmark archive with 16 jobs the build peaked at 1 002 MiB
/// (1 109 when every process kept its meeting's layouts; 798 when none did);
/// 880 to 890 MiB in the runs at 9c58bbc and 9a3fb52.
const GROUP_MEMORY: u64 = 512 << 20;

/// The indices of `jobs` by meeting, each meeting's pack first: compiled
/// one after the other by one compiler, the pack lays out the summons and
/// the case papers it shares with the meeting's other documents (see
/// [`crate::render::split`]), which then cost little. The meetings with the
/// most documents come first, so that no long meeting is left for last.
fn meeting_groups(jobs: &[Job]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut at: std::collections::HashMap<(usize, usize), usize> = std::collections::HashMap::new();
    for (k, job) in jobs.iter().enumerate() {
        let g = *at.entry((job.body, job.meeting)).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(k);
    }
    for group in &mut groups {
        // Stable: the others keep their order.
        group.sort_by_key(|&k| jobs[k].kind != DocumentKind::Pack);
    }
    groups.sort_by_key(|group| std::cmp::Reverse(group.len()));
    groups
}

/// Trims Typst's memoization cache as a large build goes: documents are
/// independent, and an unbounded cache grows with the archive (gigabytes for
/// hundreds of meetings). A build of no more documents than workers (a
/// rebuild in watch) keeps the cache whole.
enum Trim {
    Never,
    /// One worker of a build run once (by the binary: build, check,
    /// archive; not watch, whose cache stays warm for the next edit): the
    /// cache is cleared after each meeting's documents (or after each
    /// document, when they are not compiled by meeting), as each compiler
    /// process clears its own. What one meeting made is not what the next
    /// reuses, and a cache kept across meetings costs more to search and
    /// trim than its hits save. On the 200-meeting benchmark archive, 2
    /// cores: with 1 job, 9 % less wall time than trimming every 4
    /// documents; with 2 compiler processes, 4 % less CPU and 50 MiB less
    /// memory than keeping what the last document used (both measured when
    /// the cache was cleared after each document).
    AfterEach,
    /// Several workers sharing the cache: the worker that completes every
    /// `n`th document evicts what no document used since the eviction
    /// before, while the others go on (a document at work keeps what it used
    /// since). See [`TRIM_PER_WORKER`].
    Every(usize),
}

/// Documents done per worker between two trims of a large build whose
/// workers share one cache (compiled in this process). On the 200-meeting
/// benchmark archive with 2 workers: 2 per worker costs 13 % more CPU
/// (documents at work lose what they made), 4 peaks at 360 MB, 32 at 830 MB
/// and is no faster.
const TRIM_PER_WORKER: usize = 4;

impl Trim {
    /// How a build of `jobs` documents on `workers` trims: compiled in
    /// processes or here, run `once` (by the binary, not watch).
    fn choose(jobs: usize, workers: usize, processes: bool, once: bool) -> Trim {
        match () {
            _ if jobs <= workers => Trim::Never,
            // Each process trims its own.
            _ if processes => Trim::Never,
            _ if workers == 1 && once => Trim::AfterEach,
            _ => Trim::Every(TRIM_PER_WORKER * workers),
        }
    }

    /// Called as the `n`th document of the build is done, `grouped` with
    /// the rest of its meeting.
    fn after(&self, n: usize, grouped: bool) {
        match self {
            Trim::Never => {}
            // A meeting's documents are cleared together (`after_group`).
            Trim::AfterEach if grouped => {}
            Trim::AfterEach => evict(0),
            Trim::Every(every) if n.is_multiple_of(*every) => evict(1),
            Trim::Every(_) => {}
        }
    }

    /// Called as a meeting's documents are done.
    fn after_group(&self) {
        if matches!(self, Trim::AfterEach) {
            evict(0);
        }
    }
}

/// Puts the staged files in place and records what was written and the
/// fingerprints when the build succeeded; otherwise (or when interrupted)
/// discards them, so that no PDF is written (only the generated sources,
/// with `--keep-typst`, when it failed).
fn put_in_place(
    report: &mut BuildReport,
    config: &BuildConfig,
    staging: Staging,
    fingerprints: Option<&Fingerprints>,
) {
    if interrupted() && !report.failed() {
        report.diagnostics.push(interrupted_error());
    }
    if report.failed() {
        // No PDF is put in place: the documents that did compile are not
        // written either. The generated sources that `--keep-typst` asks for
        // are (the errors point into them), unless the build was stopped.
        report.documents.clear();
        if !config.keep_typst || config.dry_run || interrupted() {
            staging.discard();
            return;
        }
        staging.retain(|path| path.extension().is_none_or(|e| e != "pdf"));
        match staging.commit() {
            Ok(commit) => {
                // Recorded as written (a later build knows them as its own),
                // with no document's fingerprint: nothing counts as built.
                if let Some(f) = fingerprints {
                    record_written(f, config, &commit);
                }
                report.kept = commit
                    .written()
                    .iter()
                    .filter_map(|(path, _)| path.strip_prefix(&config.output).ok())
                    .filter(|rel| rel.extension().is_some_and(|e| e == "typ"))
                    .map(Path::to_path_buf)
                    .collect();
                report.commit = commit;
            }
            Err(err) => {
                report.diagnostics.push(Diagnostic::error(format!("{err}")));
                report.changed = err.not_restored;
            }
        }
        return;
    }
    match staging.commit() {
        Ok(commit) => {
            if let Some(f) = fingerprints {
                record_written(f, config, &commit);
                for doc in &report.documents {
                    if let Some(fingerprint) = doc.fingerprint {
                        f.set(&doc.path, fingerprint, doc.pages);
                    }
                }
            }
            report.commit = commit;
        }
        Err(err) => {
            let restored = if err.not_restored.is_empty() {
                "no output was changed".to_owned()
            } else {
                format!(
                    "these files were changed and could not be restored: {}",
                    list(&err.not_restored)
                )
            };
            report.diagnostics.push(
                Diagnostic::error(format!("{err}"))
                    .hint(format!("remove or rename what is in the way; {restored}")),
            );
            report.changed = err.not_restored;
            report.documents.clear();
        }
    }
}

/// Records in `f` what `commit` wrote in the output folder, as written.
fn record_written(f: &Fingerprints, config: &BuildConfig, commit: &Commit) {
    for (path, written) in commit.written() {
        if let Ok(rel) = path.strip_prefix(&config.output) {
            f.record(rel, written.clone());
        }
    }
}

/// The error of a build stopped by Ctrl-C or SIGTERM.
fn interrupted_error() -> Diagnostic {
    Diagnostic::error("interrupted (Ctrl-C or SIGTERM): the build was stopped")
}

/// Paths as a comma-separated list.
fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Finishes the output of a whole build: with `full` (every meeting, no
/// filter) and success, removes the files earlier builds wrote that this one
/// no longer makes; then records the manifest, with `last` when every such
/// file was removed (a file left would be left by every later build that
/// trusted the record). Both are part of the build's commit, so
/// [`BuildReport::roll_back`] undoes them too.
pub fn finish_output(
    config: &BuildConfig,
    report: &mut BuildReport,
    fingerprints: &Fingerprints,
    full: bool,
    last: Option<LastBuild>,
) {
    if full && !report.failed() {
        let keep: HashSet<PathBuf> = report
            .documents
            .iter()
            .flat_map(|d| {
                let typ = config.keep_typst.then(|| d.path.with_extension("typ"));
                std::iter::once(d.path.clone())
                    .chain(typ)
                    .chain(d.kept.iter().cloned())
            })
            .collect();
        let (removed, left) =
            fingerprints.prune(&config.output, |p| keep.contains(p), &mut report.commit);
        if let Some(last) = last.filter(|_| left.is_empty()) {
            fingerprints.set_last(last);
        }
        report.removed = removed;
        report
            .diagnostics
            .extend(left.into_iter().map(Diagnostic::warning));
    }
    if let Err(err) = fingerprints.save_in(&config.output, &mut report.commit) {
        report.diagnostics.push(Diagnostic::warning(format!(
            "failed to record what was built in {} ({err}); the next build compiles everything",
            config.output.join(STATE_DIR).display()
        )));
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::output::{Written, write_atomic};

    #[test]
    fn a_cache_is_cleared_after_each_document_only_by_one_worker_of_a_build_run_once() {
        assert!(matches!(Trim::choose(5, 1, false, true), Trim::AfterEach));
        // Watch (not run once) keeps its cache warm, on one worker too.
        assert!(matches!(Trim::choose(5, 1, false, false), Trim::Every(4)));
        assert!(matches!(Trim::choose(50, 2, false, true), Trim::Every(8)));
        // Compiler processes trim their own; a rebuild of few documents keeps all.
        assert!(matches!(Trim::choose(50, 2, true, true), Trim::Never));
        assert!(matches!(Trim::choose(2, 2, false, false), Trim::Never));
    }

    /// A full build that leaves a file it should remove is not recorded as
    /// the last full build: the builds that trusted the record would leave
    /// it for good (and drop the warning about it).
    #[test]
    fn a_build_that_leaves_a_file_it_should_remove_is_not_recorded() {
        for changed_by_the_user in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let config = BuildConfig::in_project(dir.path());
            let fingerprints = Fingerprints::default();
            let rel = Path::new("b/m/sak-01-24.pdf");
            let path = config.output.join(rel);
            write_atomic(&path, b"%PDF old").unwrap();
            fingerprints.record(rel, Written::of(b"%PDF old", &path));
            if changed_by_the_user {
                fs::write(&path, b"%PDF theirs").unwrap();
            }
            let last = LastBuild {
                inputs: "0".repeat(32),
                documents: Vec::new(),
                diagnostics: Vec::new(),
            };
            let mut report = BuildReport::default();
            finish_output(&config, &mut report, &fingerprints, true, Some(last));
            drop(report);
            assert_eq!(path.exists(), changed_by_the_user);
            let recorded = Fingerprints::load(&config.output);
            assert_eq!(
                recorded.last().is_some(),
                !changed_by_the_user,
                "changed by the user: {changed_by_the_user}"
            );
        }
    }
}
