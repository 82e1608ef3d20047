//! `motebok watch` on the whole examples project: edits saved in one case
//! paper, timed until its PDF and the pack are renamed into place.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::common::BIN;
use crate::sys::{modified, rss_mib, save_by_rename};

/// The meeting edited: the examples' largest pack.
pub const MEETING: &str = "nuit/2022-03";
/// The case paper edited, in [`MEETING`]'s content folder.
pub const PAPER: &str = "saker/25-22.md";
/// That paper's PDF, in [`MEETING`]'s output folder.
pub const PAPER_PDF: &str = "sak-25-22.pdf";
/// The pack, in [`MEETING`]'s output folder.
pub const PACK_PDF: &str = "motepakke.pdf";

/// How long one edit may take before the benchmark gives up.
const EDIT_TIMEOUT: Duration = Duration::from_secs(60);

/// The line appended to the case paper by edit `i`.
pub fn edit_line(i: usize) -> String {
    format!("Redigering nummer {i} av saksfremlegget.")
}

/// What the watch took over all edits.
pub struct WatchRun {
    /// Milliseconds from each save until the case paper's PDF was replaced.
    pub paper_ms: Vec<f64>,
    /// Milliseconds from each save until the pack was replaced.
    pub pack_ms: Vec<f64>,
    /// Resident memory (MiB) after the first edit.
    pub rss_first: f64,
    /// Resident memory (MiB) after the last edit.
    pub rss_last: f64,
}

/// A running `motebok watch`, its stdout lines on a channel; killed when dropped.
struct Watcher {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Watcher {
    fn start(project: &Path, filter: &[&str]) -> Watcher {
        let mut child = Command::new(BIN)
            .current_dir(project)
            .arg("watch")
            .args(filter)
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

    /// Waits for a line containing `needle`, then drops lines already printed after it.
    fn wait_for(&self, needle: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(300))
                .expect("watch answered");
            if line.contains(needle) {
                thread::sleep(Duration::from_millis(2));
                while self.lines.try_recv().is_ok() {}
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

/// Runs `motebok watch` (no meeting filter) on `project` over `edits` edits
/// of [`PAPER`] in [`MEETING`].
pub fn run_watch(project: &Path, edits: usize) -> WatchRun {
    let watcher = Watcher::start(project, &[]);
    let paper = project.join("content").join(MEETING).join(PAPER);
    let out = project.join("output").join(MEETING);
    let targets = [out.join(PAPER_PDF), out.join(PACK_PDF)];
    let original = std::fs::read_to_string(&paper).unwrap();
    let mut run = WatchRun {
        paper_ms: Vec::new(),
        pack_ms: Vec::new(),
        rss_first: 0.0,
        rss_last: 0.0,
    };
    for i in 0..edits {
        let edited = format!("{original}\n{}\n", edit_line(i));
        let [paper_ms, pack_ms] = save_and_wait(&paper, &edited, &targets, i);
        run.paper_ms.push(paper_ms);
        run.pack_ms.push(pack_ms);
        let line = watcher.wait_for("rebuilt");
        if line.contains("failed") {
            println!("watch reported a failure at edit {i}: {line}");
        }
        if i == 0 {
            run.rss_first = rss_mib(watcher.child.id()).unwrap_or(f64::NAN);
        }
    }
    run.rss_last = rss_mib(watcher.child.id()).unwrap_or(f64::NAN);
    run
}

/// Saves `edited` over `paper` as editors do and waits until every target
/// is replaced; the milliseconds from the rename to each replacement.
fn save_and_wait(paper: &Path, edited: &str, targets: &[PathBuf; 2], i: usize) -> [f64; 2] {
    let before: Vec<Option<SystemTime>> = targets.iter().map(|t| modified(t)).collect();
    let mut done: [Option<f64>; 2] = [None, None];
    save_by_rename(paper, edited);
    let started = Instant::now();
    while done.iter().any(Option::is_none) {
        for (k, target) in targets.iter().enumerate() {
            if done[k].is_none() && modified(target) != before[k] {
                done[k] = Some(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        assert!(
            started.elapsed() < EDIT_TIMEOUT,
            "edit {i}: {:?} not replaced within {EDIT_TIMEOUT:?}",
            targets
                .iter()
                .zip(&done)
                .filter(|(_, d)| d.is_none())
                .map(|(t, _)| t)
                .collect::<Vec<_>>()
        );
        thread::sleep(Duration::from_micros(500));
    }
    done.map(Option::unwrap)
}
