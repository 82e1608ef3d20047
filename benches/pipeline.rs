//! The benchmark of issues 4 and 14: watch latency and memory, the typst CLI
//! as the anchor, cold builds of an archive on every core, and scaling.
//!
//! Run with `cargo bench` (or `cargo bench --bench pipeline`). It drives the
//! release binary as a user would, on copies of the examples in a temp folder,
//! and prints each figure with its workload, then a Markdown table of them all
//! with issue 14's targets, for README's Performance section:
//!
//! 1. watch: `motebok watch` on the whole examples project (no meeting
//!    filter); `content/nuit/2022-03/saker/25-22.md` is edited
//!    `MOTEBOK_BENCH_EDITS` times (default 200), each saved as editors do (a
//!    `.tmp` file renamed over it); p50/p95/max from the rename until
//!    `sak-25-22.pdf` and until `motepakke.pdf` are replaced; the watcher's
//!    resident memory after the first and the last edit;
//! 2. the `typst watch` anchor in the same run: the typst CLI on motebok's
//!    kept sources of that pack and case paper (`build --keep-typst`), with
//!    the PDF standards motebok's PDFs declare, over min(edits, 50) edits;
//! 3. the archive: cold `motebok build --force` of a generated archive of
//!    `MOTEBOK_BENCH_MEETINGS` meetings (default 200; 0 skips the archives) with 1 job and one per
//!    core: wall and CPU time, parallel efficiency, CPU per document, peak
//!    memory, documents and pages;
//! 4. the typst CLI over the same generated sources, J `typst compile`
//!    processes at a time (as `xargs -P J`), J = 1 (skipped when
//!    `MOTEBOK_BENCH_QUICK` is set) and one per core, and motebok ÷ CLI;
//! 5. a large archive of `MOTEBOK_BENCH_LARGE` meetings (default 1000; 0
//!    skips): cold build, peak memory, and a no-op rebuild (best of 3); on a
//!    machine with fewer cores than `MOTEBOK_BENCH_MEMORY_JOBS` (default 16),
//!    a second cold build with that many jobs, for its peak memory only (16
//!    compiler processes hold what 16 documents need at once, on any number
//!    of cores; their wall time on fewer cores says nothing);
//! 6. the rebuild after one case paper of the archive is edited, and cold
//!    builds of the largest example meeting (1 job and all, best of 3).
//!
//! The typst CLI is `MOTEBOK_BENCH_TYPST`, else `typst` on PATH or in
//! `~/.cargo/bin` (`cargo install typst-cli --version 0.15.1 --locked`);
//! without it the anchors are skipped with a line saying so. It compiles with
//! `--font-path fonts --ignore-system-fonts`, `--root` the meeting's output
//! folder (the kept sources name their files `/<hash>/<name>`) and the
//! `--pdf-standard` that motebok's own PDF declares in its XMP metadata.
//!
//! CPU times are the children's `cutime` + `cstime` from `/proc/self/stat`,
//! memory is VmHWM and VmRSS from `/proc/<pid>/status` (Linux; a build's peak
//! is the largest sum of the proportional set sizes of motebok and its
//! compiler processes, from `/proc/<pid>/smaps_rollup` every 100 ms, so that
//! the binary's pages they share count once; never less than motebok's own
//! VmHWM); the load
//! average is printed at the start and the end, since other work on the
//! machine slows every figure. Numbers vary with the machine; the README
//! records one run. A quick check: `MOTEBOK_BENCH_MEETINGS=12
//! MOTEBOK_BENCH_LARGE=24 MOTEBOK_BENCH_EDITS=5 cargo bench`.

use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

#[path = "pipeline/archive.rs"]
mod archive;
#[path = "../tests/it/common.rs"]
mod common;
#[path = "pipeline/sys.rs"]
mod sys;
#[path = "pipeline/table.rs"]
mod table;
#[path = "pipeline/typst_cli.rs"]
mod typst_cli;
#[path = "pipeline/watch.rs"]
mod watch;

use common::{copy_tree, root};
use sys::{Measured, env_flag, env_number, files_with, ms, summary};
use table::Table;

/// Settings of one run, from the environment and the machine.
struct Settings {
    /// One job per core: the "all cores" J.
    threads: usize,
    edits: usize,
    meetings: usize,
    large: usize,
    /// Jobs of the large archive's memory run (`MOTEBOK_BENCH_MEMORY_JOBS`,
    /// default 16, the cores of issue 14's many-core targets).
    memory_jobs: usize,
    /// `MOTEBOK_BENCH_QUICK`: skip the typst CLI with one process.
    quick: bool,
    /// Clock ticks a second of `/proc` CPU times.
    ticks: f64,
    typst: Option<PathBuf>,
}

impl Settings {
    /// The job counts to measure: 1 and one per core (once when they are equal).
    fn job_counts(&self) -> Vec<usize> {
        let mut jobs = vec![1, self.threads];
        jobs.dedup();
        jobs
    }
}

fn main() {
    // `cargo bench -- --bench` passes flags; `cargo test --benches` runs with none: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with `cargo bench` to measure");
        return;
    }
    sys::has_proc();
    let s = Settings {
        threads: thread::available_parallelism().map_or(1, |n| n.get()),
        edits: env_number("MOTEBOK_BENCH_EDITS", 200),
        meetings: env_number("MOTEBOK_BENCH_MEETINGS", 200),
        large: env_number("MOTEBOK_BENCH_LARGE", 1000),
        memory_jobs: env_number("MOTEBOK_BENCH_MEMORY_JOBS", 16),
        quick: env_flag("MOTEBOK_BENCH_QUICK"),
        ticks: sys::clock_ticks(),
        typst: typst_cli::find_typst(),
    };
    let machine = format!(
        "{} cores, load average {} at the start",
        s.threads,
        sys::load_average()
    );
    println!(
        "motebok benchmark: {machine}, {} edits, archive of {} meetings, large archive of {}",
        s.edits, s.meetings, s.large
    );
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("examples");
    copy_tree(&root().join("templates"), &project.join("templates"));
    copy_tree(&root().join("content"), &project.join("content"));

    let mut t = Table::default();
    bench_cold_builds(&project, &s, &mut t);
    bench_watch(&project, &s, &mut t);
    if s.meetings == 0 {
        println!("MOTEBOK_BENCH_MEETINGS=0: the archives are skipped");
    } else {
        let archive = work.path().join("archive");
        let motebok = bench_archive(&archive, &s, &mut t);
        bench_cli(&archive, &s, &motebok, &mut t);
        bench_incremental(&archive, &s, &mut t);
        bench_large(&work.path().join("large"), &s, &motebok, &mut t);
    }
    println!("load average at the end: {}", sys::load_average());
    t.print(&machine);
}

/// Cold builds of the largest example meeting, with 1 job and all, best of 3.
fn bench_cold_builds(project: &Path, s: &Settings, t: &mut Table) {
    archive::build(project, None, true, &[], s.ticks);
    let (largest, out_dir) = archive::largest_meeting(project);
    let docs = files_with(&out_dir, "pdf").len();
    let pack_pages = archive::pdf_pages(&out_dir.join("motepakke.pdf"));
    for jobs in s.job_counts() {
        let best = (0..3)
            .map(|_| archive::build(project, Some(jobs), true, &[&largest], s.ticks).wall)
            .min()
            .unwrap();
        t.add(
            format!(
                "cold build of {largest} ({docs} documents, pack of {pack_pages} pages), {}, best of 3",
                jobs_word(jobs)
            ),
            format!("{:.0} ms", ms(best)),
            "",
        );
    }
}

/// Watch latency and memory (1), then the `typst watch` anchor (2).
fn bench_watch(project: &Path, s: &Settings, t: &mut Table) {
    if s.edits == 0 {
        println!("MOTEBOK_BENCH_EDITS=0: watch skipped");
        return;
    }
    let run = watch::run_watch(project, s.edits);
    let out = project.join("output").join(watch::MEETING);
    let workload = format!(
        "`motebok watch` of the examples, {} edits of {}/{}",
        s.edits,
        watch::MEETING,
        watch::PAPER
    );
    let paper = summary(&run.paper_ms);
    let pack = summary(&run.pack_ms);
    for (doc, (p50, p95, max), target) in [
        (watch::PAPER_PDF, paper, "p50 ≤ 50 ms, p95 ≤ 80 ms"),
        (watch::PACK_PDF, pack, "≤ 0.7× typst watch"),
    ] {
        let pages = archive::pdf_pages(&out.join(doc));
        t.add(
            format!("{workload}: save → {doc} ({pages} pages) replaced, p50 / p95 / max"),
            format!("{p50:.0} / {p95:.0} / {max:.0} ms"),
            target,
        );
    }
    t.add(
        format!("{workload}: resident memory after the first → the last edit"),
        format!(
            "{:.0} → {:.0} MiB ({:.2}×)",
            run.rss_first,
            run.rss_last,
            run.rss_last / run.rss_first
        ),
        "≤ 200 MiB, ≤ 1.2× after 200 edits",
    );
    bench_typst_watch(project, s, pack.0, t);
}

/// The `typst watch` anchor on motebok's kept sources of the pack and the
/// case paper after the last edit; `pack_p50` is motebok's, for the ratio.
fn bench_typst_watch(project: &Path, s: &Settings, pack_p50: f64, t: &mut Table) {
    let Some(typst) = &s.typst else { return };
    if s.edits < 2 {
        println!("typst watch anchor skipped: it needs MOTEBOK_BENCH_EDITS ≥ 2");
        return;
    }
    let kept = ["--keep-typst", "--force", watch::MEETING];
    archive::build(project, None, false, &kept, s.ticks);
    let out = project.join("output").join(watch::MEETING);
    let typst_pack_p50 = typst_watch_one(typst, &out.join(watch::PACK_PDF), s.edits, t);
    typst_watch_one(typst, &out.join(watch::PAPER_PDF), s.edits, t);
    if let Some(anchor) = typst_pack_p50 {
        t.add(
            format!(
                "watch, {}: motebok pack p50 ÷ typst watch pack p50",
                watch::MEETING
            ),
            format!("{:.2}", pack_p50 / anchor),
            "≤ 0.7",
        );
    }
}

/// `typst watch` on the kept source of motebok's `pdf`, over min(edits, 50)
/// edits; its p50 in milliseconds, `None` when the CLI could not compile it.
fn typst_watch_one(typst: &Path, pdf: &Path, edits: usize, t: &mut Table) -> Option<f64> {
    let name = pdf.file_name().unwrap().to_string_lossy();
    println!(
        "PDF standards of motebok's {name}: {}",
        typst_cli::check_standards(pdf)
    );
    let standards = typst_cli::standards_of(pdf);
    if standards.is_empty() {
        println!("no PDF standard found in {name}: the CLI compiles it without --pdf-standard");
    }
    let k = edits.min(50);
    let typ = pdf.with_extension("typ");
    let latencies = typst_cli::watch_latencies(typst, &typ, &standards, edits - 1, k)?;
    let (p50, p95, _) = summary(&latencies);
    t.add(
        format!(
            "`typst watch` on motebok's source of {}/{name} ({} pages, --pdf-standard {}), {k} edits, p50 / p95",
            watch::MEETING,
            archive::pdf_pages(pdf),
            standards.join(",")
        ),
        format!("{p50:.0} / {p95:.0} ms"),
        "",
    );
    Some(p50)
}

/// The archive's cold builds with motebok, one per job count (3).
struct ArchiveRun {
    builds: Vec<(usize, Measured)>,
    pdfs: usize,
    pages: usize,
}

impl ArchiveRun {
    fn wall_at(&self, jobs: usize) -> Option<Duration> {
        self.builds
            .iter()
            .find(|(j, _)| *j == jobs)
            .map(|(_, m)| m.wall)
    }
}

/// `1 job`, `16 jobs`.
fn jobs_word(jobs: usize) -> String {
    if jobs == 1 {
        "1 job".to_owned()
    } else {
        format!("{jobs} jobs")
    }
}

/// Wall and CPU time, parallel efficiency (CPU ÷ (wall × jobs)), CPU per
/// document, and peak memory where it was read.
fn build_figure(m: &Measured, jobs: usize, docs: usize) -> String {
    let efficiency = m.cpu.as_secs_f64() / (m.wall.as_secs_f64() * jobs as f64);
    let per_doc = ms(m.cpu) / docs.max(1) as f64;
    let mut figure = format!(
        "wall {:.2} s, CPU {:.2} s, efficiency {:.0} %, CPU/document {per_doc:.1} ms",
        m.wall.as_secs_f64(),
        m.cpu.as_secs_f64(),
        efficiency * 100.0
    );
    if m.peak_mib.is_finite() {
        figure.push_str(&format!(", peak {:.0} MiB", m.peak_mib));
    }
    figure
}

/// Cold builds of a generated archive with 1 job and one per core (3).
fn bench_archive(archive: &Path, s: &Settings, t: &mut Table) -> ArchiveRun {
    archive::make_archive(archive, s.meetings);
    let builds: Vec<(usize, Measured)> = s
        .job_counts()
        .into_iter()
        .map(|jobs| {
            (
                jobs,
                archive::build(archive, Some(jobs), true, &[], s.ticks),
            )
        })
        .collect();
    let pdfs = files_with(&archive.join("output"), "pdf").len();
    let (kept, pages) = archive::build_keeping_sources(archive, "output-typst");
    if kept != pdfs {
        println!("the --keep-typst build wrote {kept} PDFs, the cold build {pdfs}");
    }
    let workload = format!(
        "archive of {} meetings ({pdfs} PDFs, {pages} pages)",
        s.meetings
    );
    for (jobs, m) in &builds {
        let target = if *jobs > 1 {
            "efficiency ≥ 85 % at 16 jobs, CPU/document ≤ 15 ms"
        } else {
            "CPU/document ≤ 15 ms"
        };
        t.add(
            format!("motebok build --force, {workload}, {}", jobs_word(*jobs)),
            build_figure(m, *jobs, pdfs),
            target,
        );
    }
    ArchiveRun {
        builds,
        pdfs,
        pages,
    }
}

/// The typst CLI over the archive's kept sources, and motebok ÷ CLI (4).
fn bench_cli(archive: &Path, s: &Settings, motebok: &ArchiveRun, t: &mut Table) {
    let Some(typst) = &s.typst else { return };
    let sources: Vec<typst_cli::Source> = files_with(&archive.join("output-typst"), "typ")
        .into_iter()
        .map(|typ| typst_cli::Source {
            standards: typst_cli::standards_of(&typ.with_extension("pdf")),
            typ,
        })
        .collect();
    let workload = format!(
        "typst compile of the archive's {} generated sources ({} meetings)",
        sources.len(),
        s.meetings
    );
    for jobs in s.job_counts() {
        if jobs == 1 && s.quick && s.threads > 1 {
            println!("{workload}, 1 process: skipped (MOTEBOK_BENCH_QUICK)");
            continue;
        }
        let batch = typst_cli::compile_all(typst, &sources, jobs, s.ticks);
        let m = Measured {
            wall: batch.wall,
            cpu: batch.cpu,
            peak_mib: f64::NAN,
        };
        let figure = format!(
            "{}, {} failed",
            build_figure(&m, jobs, sources.len()),
            batch.failed
        );
        t.add(format!("{workload}, {jobs} at a time"), figure, "0 failed");
        if let Some(e) = batch.first_error {
            println!("first CLI failure: {e}");
        }
        if let Some(wall) = motebok.wall_at(jobs) {
            let ratio = wall.as_secs_f64() / batch.wall.as_secs_f64();
            t.add(
                format!(
                    "archive of {} meetings, {}: motebok wall ÷ typst CLI wall",
                    s.meetings,
                    jobs_word(jobs)
                ),
                format!("{ratio:.2}"),
                "≤ 0.5",
            );
        }
    }
}

/// The archive rebuilt after one case paper is edited (6).
fn bench_incremental(archive: &Path, s: &Settings, t: &mut Table) {
    let (paper, time) = archive::incremental(archive, s.ticks);
    t.add(
        format!(
            "rebuild of the archive ({} meetings) after editing {paper}",
            s.meetings
        ),
        format!("{time:.0} ms"),
        "",
    );
}

/// A large archive: cold build with one job per core, then no-op rebuilds (5).
fn bench_large(dir: &Path, s: &Settings, motebok: &ArchiveRun, t: &mut Table) {
    if s.large == 0 {
        println!("MOTEBOK_BENCH_LARGE=0: the large archive is skipped");
        return;
    }
    archive::make_archive(dir, s.large);
    let cold = archive::build(dir, Some(s.threads), true, &[], s.ticks);
    let pdfs = files_with(&dir.join("output"), "pdf").len();
    let workload = format!("large archive of {} meetings ({pdfs} PDFs)", s.large);
    t.add(
        format!(
            "motebok build --force, {workload}, {}",
            jobs_word(s.threads)
        ),
        build_figure(&cold, s.threads, pdfs),
        "peak ≤ 1 GiB (1000 meetings)",
    );
    if s.memory_jobs > s.threads {
        let many = archive::build(dir, Some(s.memory_jobs), true, &[], s.ticks);
        t.add(
            format!(
                "motebok build --force, {workload}, {} on {} cores: peak memory (the wall time says nothing of {} cores)",
                jobs_word(s.memory_jobs),
                s.threads,
                s.memory_jobs
            ),
            format!("peak {:.0} MiB", many.peak_mib),
            "peak ≤ 1 GiB (1000 meetings)",
        );
    }
    if let Some(base) = motebok.wall_at(s.threads) {
        let ratio = cold.wall.as_secs_f64() / base.as_secs_f64();
        t.add(
            format!(
                "{workload}: wall ÷ the {}-meeting archive's ({} PDFs, {} pages)",
                s.meetings, motebok.pdfs, motebok.pages
            ),
            format!("{ratio:.2}"),
            "≤ 5.5 (1000 ÷ 200 meetings)",
        );
    }
    let noop = (0..3)
        .map(|_| archive::build(dir, None, false, &[], s.ticks).wall)
        .min()
        .unwrap();
    t.add(
        format!("no-op rebuild (`motebok build`) of the {workload}, best of 3"),
        format!("{:.2} s", noop.as_secs_f64()),
        "≤ 0.5 s (1000 meetings)",
    );
}
