//! The benchmark of issue 4: cold builds, watch latency and memory.
//!
//! Run with `cargo bench` (or `cargo bench --bench pipeline`). It drives the
//! release binary as a user would, on copies of the examples in a temp folder:
//!
//! - cold build of the largest example meeting and of a generated archive of
//!   `MOTEBOK_BENCH_MEETINGS` meetings (default 200), with 1 thread and all;
//! - watch latency: a one-line edit saved in a case paper, until the new
//!   `motepakke.pdf` is renamed into place, over `MOTEBOK_BENCH_EDITS` edits
//!   (default 200), with p50 and p95;
//! - peak memory of the archive build, and resident memory of the watch
//!   process after the first and after the last edit.
//!
//! Numbers vary with the machine; the README records one run.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

#[path = "../tests/it/common.rs"]
mod common;

use common::{BIN, copy_tree, root};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident memory (VmHWM) of a process, in MiB, while it runs.
fn peak_mib(pid: u32) -> Option<f64> {
    rss_field(pid, "VmHWM:")
}

fn rss_mib(pid: u32) -> Option<f64> {
    rss_field(pid, "VmRSS:")
}

fn rss_field(pid: u32, field: &str) -> Option<f64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs `motebok build` to completion; returns wall time and peak memory.
fn timed_build(project: &Path, jobs: Option<usize>, filter: &[&str]) -> (Duration, f64) {
    let _ = fs::remove_dir_all(project.join("output"));
    let mut cmd = Command::new(BIN);
    cmd.current_dir(project)
        .args(["build", "--quiet"])
        .args(filter);
    if let Some(j) = jobs {
        cmd.args(["--jobs", &j.to_string()]);
    }
    let started = Instant::now();
    // The examples' warnings are known; the exit status tells success.
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("motebok runs");
    let mut peak: f64 = 0.0;
    loop {
        if let Some(p) = peak_mib(child.id()) {
            peak = peak.max(p);
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "build failed in {}", project.display());
            break;
        }
        thread::sleep(Duration::from_millis(5));
    }
    (started.elapsed(), peak)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A synthetic archive: `count` meetings cycled from the examples, ten a year,
/// every case numbered `auto` so numbering runs through each year.
fn generate_archive(examples: &Path, target: &Path, count: usize) {
    let mut sources: Vec<(PathBuf, PathBuf)> = Vec::new();
    for body in sorted_dirs(examples) {
        for meeting in sorted_dirs(&body) {
            if meeting.join("meeting.yaml").is_file() {
                sources.push((body.clone(), meeting));
            }
        }
    }
    assert!(
        !sources.is_empty(),
        "no example meetings in {}",
        examples.display()
    );
    let bodies: Vec<PathBuf> = {
        let mut b: Vec<PathBuf> = sources.iter().map(|(b, _)| b.clone()).collect();
        b.dedup();
        b
    };
    for body in &bodies {
        let name = body.file_name().unwrap();
        fs::create_dir_all(target.join(name)).unwrap();
        fs::copy(body.join("body.yaml"), target.join(name).join("body.yaml")).unwrap();
    }
    let per_body = count.div_ceil(bodies.len());
    let mut made = 0;
    for (b, body) in bodies.iter().enumerate() {
        let meetings: Vec<&PathBuf> = sources
            .iter()
            .filter(|(x, _)| x == body)
            .map(|(_, m)| m)
            .collect();
        for i in 0..per_body {
            if made == count {
                return;
            }
            let source = meetings[i % meetings.len()];
            let year = 2001 + i / 10;
            let n = i % 10 + 1;
            let dir = target
                .join(body.file_name().unwrap())
                .join(format!("{year}-{n:02}"));
            copy_tree(source, &dir);
            let _ = fs::remove_file(dir.join("minutes.yaml"));
            let _ = fs::remove_file(dir.join("referat-kilde.md"));
            let text = fs::read_to_string(source.join("meeting.yaml")).unwrap();
            let first_case = (n == 1 && i < 10).then(|| format!("1/{:02}", year % 100));
            let date = format!("{year}-{:02}-{:02}", n + 1, 10 + b);
            let text = renumbered(&text, &format!("{n}/{year}"), &date, first_case);
            fs::write(dir.join("meeting.yaml"), text).unwrap();
            made += 1;
        }
    }
}

/// A copied `meeting.yaml` as meeting `number` on `date`: no previous meeting
/// or order note, the first case numbered `first_case` (opening a year) and
/// every other `auto`.
fn renumbered(text: &str, number: &str, date: &str, first_case: Option<String>) -> String {
    let mut value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).unwrap();
    let map = value.as_mapping_mut().unwrap();
    map.insert("number".into(), number.into());
    map.insert("date".into(), date.into());
    map.remove("previous_meeting");
    map.remove("order_note");
    let agenda = map
        .get_mut("agenda")
        .and_then(|a| a.as_sequence_mut())
        .unwrap();
    let mut first = first_case;
    for row in agenda.iter_mut() {
        let row = row.as_mapping_mut().unwrap();
        if row.contains_key("case") {
            let case = first.take().unwrap_or_else(|| "auto".into());
            row.insert("case".into(), case.into());
        }
    }
    serde_yaml_ng::to_string(&value).unwrap()
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The meeting with the most pages of pack, by a quick build of all examples.
fn largest_meeting(project: &Path) -> (String, PathBuf) {
    timed_build(project, None, &[]);
    let mut best: Option<(u64, String, PathBuf)> = None;
    for body in sorted_dirs(&project.join("output")) {
        for meeting in sorted_dirs(&body) {
            let size = fs::metadata(meeting.join("motepakke.pdf"))
                .map(|m| m.len())
                .unwrap_or(0);
            let name = format!(
                "{}/{}",
                body.file_name().unwrap().to_string_lossy(),
                meeting.file_name().unwrap().to_string_lossy()
            );
            if best.as_ref().is_none_or(|(s, _, _)| size > *s) {
                best = Some((size, name, meeting));
            }
        }
    }
    let (_, name, out) = best.expect("examples built");
    (name, out)
}

struct Watcher {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watcher {
    fn start(project: &Path, filter: &str) -> Watcher {
        let mut child = Command::new(BIN)
            .current_dir(project)
            .args(["watch", filter])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("motebok watch runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let w = Watcher { child, lines };
        w.wait_for("initial build");
        w
    }

    fn wait_for(&self, needle: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(300))
                .expect("watch answered");
            if line.contains(needle) {
                return line;
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn main() {
    // `cargo bench -- --bench` passes flags; `cargo test --benches` runs with none: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with `cargo bench` to measure");
        return;
    }
    let threads = thread::available_parallelism().map_or(1, |n| n.get());
    let edits = env_number("MOTEBOK_BENCH_EDITS", 200);
    let archive_size = env_number("MOTEBOK_BENCH_MEETINGS", 200);
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("examples");
    copy_tree(&root().join("templates"), &project.join("templates"));
    copy_tree(&root().join("content"), &project.join("content"));

    println!(
        "motebok benchmark: {threads} threads available, {edits} edits, archive of {archive_size} meetings"
    );
    let largest = bench_cold_builds(&project, threads);
    let archive = work.path().join("archive");
    bench_archive(&archive, archive_size, threads);
    bench_incremental(&archive);
    bench_watch(&project, &largest, edits);
}

/// Cold builds of the largest example meeting, with 1 thread and all; returns that meeting.
fn bench_cold_builds(project: &Path, threads: usize) -> String {
    let (largest, out_dir) = largest_meeting(project);
    let pack_pages = lopdf::Document::load(out_dir.join("motepakke.pdf"))
        .map(|d| d.get_pages().len())
        .unwrap_or(0);
    println!("largest example meeting: {largest} (pack of {pack_pages} pages)");

    for jobs in [1, threads] {
        let runs: Vec<f64> = (0..3)
            .map(|_| {
                timed_build(project, Some(jobs), &[&largest])
                    .0
                    .as_secs_f64()
            })
            .collect();
        let best = runs.iter().cloned().fold(f64::MAX, f64::min);
        println!(
            "cold build of {largest}, {jobs} thread(s): {:.0} ms (best of 3)",
            best * 1000.0
        );
    }
    largest
}

/// Cold builds of a generated archive of `size` meetings in `archive`, with 1 thread and all.
fn bench_archive(archive: &Path, size: usize, threads: usize) {
    copy_tree(&root().join("templates"), &archive.join("templates"));
    generate_archive(&root().join("content"), &archive.join("content"), size);
    for jobs in [1, threads] {
        let (time, peak) = timed_build(archive, Some(jobs), &[]);
        let archive_docs = count_files(&archive.join("output"), "pdf");
        println!(
            "cold build of the archive ({size} meetings, {archive_docs} PDFs), {jobs} thread(s): {:.1} s, peak memory {peak:.0} MiB",
            time.as_secs_f64()
        );
    }
}

/// Incremental: one case paper edited in one meeting of the archive; only
/// that meeting's paper and pack are compiled again.
fn bench_incremental(archive: &Path) {
    let edited_meeting = sorted_dirs(&archive.join("content"))
        .into_iter()
        .flat_map(|body| sorted_dirs(&body))
        .find(|m| first_paper(m).is_some())
        .expect("a meeting with a case paper");
    let paper = first_paper(&edited_meeting).unwrap();
    let text = fs::read_to_string(&paper).unwrap();
    fs::write(&paper, format!("{text}\nEn endring i ett saksfremlegg.\n")).unwrap();
    let started = Instant::now();
    let status = Command::new(BIN)
        .current_dir(archive)
        .args(["build", "--quiet"])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    println!(
        "rebuild of the archive after editing one case paper (incremental): {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
}

/// Watch latency on the `largest` example meeting over `edits` edits, and the watcher's memory.
fn bench_watch(project: &Path, largest: &str, edits: usize) {
    let watcher = Watcher::start(project, largest);
    let meeting_dir = project.join("content").join(largest);
    let paper = first_paper(&meeting_dir).expect("the largest meeting has a case paper");
    let pack = project.join("output").join(largest).join("motepakke.pdf");
    let original = fs::read_to_string(&paper).unwrap();
    let mut latencies = Vec::new();
    let mut rss_first = 0.0;
    for i in 0..edits {
        let edited = format!("{original}\nRedigering nummer {i} av saksfremlegget.\n");
        latencies.push(save_and_wait(&paper, &edited, &pack, i));
        watcher.wait_for("rebuilt");
        if i == 0 {
            rss_first = rss_mib(watcher.child.id()).unwrap_or(0.0);
        }
    }
    let rss_last = rss_mib(watcher.child.id()).unwrap_or(0.0);
    latencies.sort_by(|a, b| a.total_cmp(b));
    println!(
        "watch latency, edit saved in {} to motepakke.pdf renamed into place, {edits} edits: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        paper.strip_prefix(project).unwrap().display(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        latencies.last().copied().unwrap_or(0.0)
    );
    println!(
        "watch memory: {rss_first:.0} MiB after the first edit, {rss_last:.0} MiB after {edits} edits ({:.2}×)",
        rss_last / rss_first.max(1.0)
    );
}

/// Saves `edited` over `paper` as editors do (a temp file beside it, renamed
/// over) and waits until `pack` changes; returns the latency in milliseconds.
fn save_and_wait(paper: &Path, edited: &str, pack: &Path, i: usize) -> f64 {
    let before = modified(pack);
    let temp = paper.with_extension("md.tmp");
    fs::write(&temp, edited).unwrap();
    let started = Instant::now();
    fs::rename(&temp, paper).unwrap();
    loop {
        if modified(pack) != before {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            panic!("no rebuild after edit {i}");
        }
        thread::sleep(Duration::from_micros(500));
    }
    started.elapsed().as_secs_f64() * 1000.0
}

fn first_paper(meeting: &Path) -> Option<PathBuf> {
    let mut papers: Vec<PathBuf> = fs::read_dir(meeting.join("saker"))
        .ok()?
        .map(|e| e.unwrap().path())
        .collect();
    papers.sort();
    papers
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "md"))
}

fn count_files(dir: &Path, ext: &str) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                count_files(&p, ext)
            } else {
                usize::from(p.extension().is_some_and(|e| e == ext))
            }
        })
        .sum()
}
