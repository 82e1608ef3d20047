//! What the benchmark reads from the system: settings from the environment,
//! memory and CPU time from `/proc`, file times and folder listings.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::common::children_of;

/// How often a running child's peak memory is read.
const POLL: Duration = Duration::from_millis(5);

/// How often the memory of a running child and of its own children is read
/// together.
const SAMPLE: Duration = Duration::from_millis(100);

/// A number from the environment variable `name`, or `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Whether the environment variable `name` is set (to anything but empty or `0`).
pub fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Peak resident memory (VmHWM) of a running process, in MiB.
pub fn peak_mib(pid: u32) -> Option<f64> {
    status_field(pid, "VmHWM:")
}

/// Resident memory (VmRSS) of a running process, in MiB.
pub fn rss_mib(pid: u32) -> Option<f64> {
    status_field(pid, "VmRSS:")
}

/// Proportional set size (`Pss` of `/proc/<pid>/smaps_rollup`) of a running
/// process, in MiB: its private memory and its share of pages it shares with
/// other processes (the binary and its fonts, mapped by every compiler
/// process), so that a sum over processes counts shared pages once.
pub fn pss_mib(pid: u32) -> Option<f64> {
    proc_field(pid, "smaps_rollup", "Pss:")
}

fn status_field(pid: u32, field: &str) -> Option<f64> {
    proc_field(pid, "status", field)
}

fn proc_field(pid: u32, file: &str, field: &str) -> Option<f64> {
    let status = fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Clock ticks per second of `/proc` times: `getconf CLK_TCK`, 100 without getconf.
pub fn clock_ticks() -> f64 {
    let out = Command::new("getconf")
        .arg("CLK_TCK")
        .stderr(Stdio::null())
        .output();
    let ticks = out.ok().filter(|o| o.status.success()).and_then(|o| {
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse::<f64>()
            .ok()
    });
    match ticks {
        Some(t) if t > 0.0 => t,
        _ => {
            println!("getconf CLK_TCK not available: CPU times assume 100 ticks a second");
            100.0
        }
    }
}

/// CPU time (user + system) of this process's children that have been
/// waited for: `cutime` + `cstime` of `/proc/self/stat`. Zero without `/proc`.
pub fn children_cpu(ticks: f64) -> Duration {
    let Ok(stat) = fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // The fields after the command name, which is in parentheses: state is field 3.
    let Some((_, rest)) = stat.rsplit_once(") ") else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    let (Some(cutime), Some(cstime)) = (field(16), field(17)) else {
        return Duration::ZERO;
    };
    Duration::from_secs_f64((cutime + cstime) as f64 / ticks)
}

/// The load averages of the last 1, 5 and 15 minutes (`/proc/loadavg`),
/// since other work on the machine slows every figure; `unknown` without it.
pub fn load_average() -> String {
    fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// Whether CPU times can be read here (`/proc/self/stat`); says so once when not.
pub fn has_proc() -> bool {
    let ok = Path::new("/proc/self/stat").is_file();
    if !ok {
        println!("/proc is missing: CPU times and memory are not measured");
    }
    ok
}

/// One finished run of a child process.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// CPU time of the child (user + system).
    pub cpu: Duration,
    /// Peak memory in MiB: the largest sum of the proportional set sizes of
    /// the process and its children (compiler processes), read every 100 ms,
    /// and no less than the process's own peak (VmHWM).
    pub peak_mib: f64,
}

/// Runs `cmd` to completion (output discarded); its wall time, CPU time and peak memory.
/// Panics when it fails: the benchmark measures builds that succeed.
pub fn run_measured(mut cmd: Command, ticks: f64) -> Measured {
    let cpu_before = children_cpu(ticks);
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the benchmarked command runs");
    let stderr = child.stderr.take().unwrap();
    let errors = thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let mut peak: f64 = 0.0;
    let mut next_sample = Instant::now();
    let status = loop {
        peak = peak.max(peak_mib(child.id()).unwrap_or(0.0));
        // Reading every process's memory is dearer than one file, and the
        // machine measured has few cores: every SAMPLE, on the clock (a
        // sleep on a busy machine wakes late).
        if Instant::now() >= next_sample {
            let together: f64 = std::iter::once(child.id())
                .chain(children_of(child.id()))
                .filter_map(pss_mib)
                .sum();
            peak = peak.max(together);
            next_sample = Instant::now() + SAMPLE;
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        thread::sleep(POLL);
    };
    let wall = started.elapsed();
    let errors = errors.join().unwrap_or_default();
    assert!(status.success(), "{cmd:?} failed:\n{errors}");
    Measured {
        wall,
        cpu: children_cpu(ticks).saturating_sub(cpu_before),
        peak_mib: peak,
    }
}

/// The `p`th percentile of sorted values (nearest rank).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// p50, p95 and max of unsorted values, in the values' unit.
pub fn summary(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    (
        percentile(&sorted, 50.0),
        percentile(&sorted, 95.0),
        sorted.last().copied().unwrap_or(f64::NAN),
    )
}

/// Milliseconds of a duration.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A file's modification time, `None` when it is missing.
pub fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The folders in `dir`, sorted.
pub fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Every file under `dir` whose name ends in `.{ext}`, sorted.
pub fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    collect_files(dir, ext, &mut found);
    found.sort();
    found
}

fn collect_files(dir: &Path, ext: &str, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for path in entries.map(|e| e.unwrap().path()) {
        if path.is_dir() {
            collect_files(&path, ext, found);
        } else if path.extension().is_some_and(|e| e == ext) {
            found.push(path);
        }
    }
}

/// Whether `name` is a folder of files a kept source shows: 32 hex digits.
pub fn is_hash_folder(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Writes `text` to `path` as editors save: a temp file beside it, renamed over.
pub fn save_by_rename(path: &Path, text: &str) {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    fs::write(&temp, text).unwrap();
    fs::rename(&temp, path).unwrap();
}
