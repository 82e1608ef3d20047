//! The typst CLI as the anchor: `typst watch` on motebok's generated sources,
//! and `typst compile` over every source of an archive, J processes at a time.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::common::{copy_tree, root};
use crate::sys::{children_cpu, is_hash_folder, modified, save_by_rename};

/// The typst CLI the anchor needs; motebok embeds this Typst version.
const INSTALL: &str = "cargo install typst-cli --version 0.15.1 --locked";

/// How long a PDF's size and mtime must hold still to count as written
/// (`typst watch` writes in place: truncate, then write).
const STABLE: Duration = Duration::from_millis(5);

/// How long to wait for one `typst watch` recompile before giving up.
const WATCH_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a save may go unanswered by `typst watch` before it counts as missed.
const MISSED_AFTER: Duration = Duration::from_secs(5);

/// The typst CLI: `MOTEBOK_BENCH_TYPST`, else `typst` on PATH or in
/// `~/.cargo/bin`; `None` (and a line saying how to install it) when absent.
pub fn find_typst() -> Option<PathBuf> {
    let candidate = match std::env::var_os("MOTEBOK_BENCH_TYPST") {
        Some(named) => Some(PathBuf::from(named)).filter(|p| p.is_file()),
        None => {
            let on_path = std::env::var_os("PATH")
                .into_iter()
                .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
                .map(|dir| dir.join("typst"));
            let in_cargo =
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/typst"));
            on_path.chain(in_cargo).find(|p| p.is_file())
        }
    };
    let Some(typst) = candidate else {
        println!(
            "typst CLI not found (MOTEBOK_BENCH_TYPST, else PATH and ~/.cargo/bin): the typst anchors are skipped; install it with `{INSTALL}`"
        );
        return None;
    };
    let version = Command::new(&typst).arg("--version").output();
    match version {
        Ok(out) if out.status.success() => {
            let v = String::from_utf8_lossy(&out.stdout);
            println!("typst CLI: {} ({})", typst.display(), v.trim());
            Some(typst)
        }
        _ => {
            println!(
                "{} does not run: the typst anchors are skipped; install it with `{INSTALL}`",
                typst.display()
            );
            None
        }
    }
}

/// The `--pdf-standard` values that motebok's PDF at `pdf` declares in its
/// XMP metadata (`a-2a`, `ua-1`); the metadata is read from the bytes, or
/// decompressed with lopdf when the stream is compressed.
pub fn standards_of(pdf: &Path) -> Vec<String> {
    let bytes = fs::read(pdf).unwrap_or_default();
    let plain = String::from_utf8_lossy(&bytes);
    let xmp = if plain.contains("xmpmeta") {
        plain.into_owned()
    } else {
        metadata_stream(&bytes).unwrap_or_default()
    };
    standards_in_xmp(&xmp)
}

/// How the standards of `pdf` were found, checked both ways: from the bytes
/// and from the catalog's metadata stream read with lopdf.
pub fn check_standards(pdf: &Path) -> String {
    let bytes = fs::read(pdf).unwrap_or_default();
    let plain = String::from_utf8_lossy(&bytes);
    let from_bytes = plain.contains("xmpmeta").then(|| standards_in_xmp(&plain));
    let from_lopdf = metadata_stream(&bytes).map(|x| standards_in_xmp(&x));
    match (from_bytes, from_lopdf) {
        (Some(a), Some(b)) if a == b => {
            format!("{} (XMP plain in the bytes; lopdf agrees)", a.join(","))
        }
        (a, b) => format!("bytes say {a:?}, lopdf's /Metadata says {b:?}"),
    }
}

/// The catalog's `/Metadata` stream, decompressed.
fn metadata_stream(bytes: &[u8]) -> Option<String> {
    let doc = lopdf::Document::load_mem(bytes).ok()?;
    let id = doc
        .catalog()
        .ok()?
        .get(b"Metadata")
        .ok()?
        .as_reference()
        .ok()?;
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    let content = stream.get_plain_content().ok()?;
    Some(String::from_utf8_lossy(&content).into_owned())
}

fn standards_in_xmp(xmp: &str) -> Vec<String> {
    let mut standards = Vec::new();
    if let Some(part) = xmp_value(xmp, "pdfaid:part") {
        let conformance = xmp_value(xmp, "pdfaid:conformance").unwrap_or_default();
        standards.push(format!("a-{part}{}", conformance.to_lowercase()));
    }
    if let Some(part) = xmp_value(xmp, "pdfuaid:part") {
        standards.push(format!("ua-{part}"));
    }
    standards
}

/// The value of `key` as an attribute (`key="2"`) or element (`<key>2</key>`).
fn xmp_value(xmp: &str, key: &str) -> Option<String> {
    xmp.match_indices(key).find_map(|(at, _)| {
        let rest = xmp[at + key.len()..].strip_prefix(['=', '>'])?;
        let rest = rest.trim_start_matches(['"', '\'']);
        let value: String = rest
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        (!value.is_empty()).then_some(value)
    })
}

/// Arguments shared by `typst compile` and `typst watch`.
fn common_args(root_dir: &Path, standards: &[String]) -> Vec<String> {
    let mut args = vec![
        "--root".to_owned(),
        root_dir.display().to_string(),
        "--font-path".to_owned(),
        root().join("fonts").display().to_string(),
        "--ignore-system-fonts".to_owned(),
    ];
    if !standards.is_empty() {
        args.push("--pdf-standard".to_owned());
        args.push(standards.join(","));
    }
    args
}

/// The latencies (ms) of `typst watch` on a copy of the generated source
/// `typ` (with the hash folders beside it), over `k` edits: edit `i`
/// replaces `Redigering nummer {last} av` by `Redigering nummer {i} av`.
/// `None`, with a line saying why, when the CLI cannot compile it.
pub fn watch_latencies(
    typst: &Path,
    typ: &Path,
    standards: &[String],
    last: usize,
    k: usize,
) -> Option<Vec<f64>> {
    let dir = tempfile::tempdir().unwrap();
    copy_hash_folders(typ.parent().unwrap(), dir.path());
    let source = dir.path().join("doc.typ");
    let pdf = dir.path().join("doc.pdf");
    let log = dir.path().join("typst-watch.log");
    let original = fs::read_to_string(typ).unwrap();
    let needle = format!("Redigering nummer {last} av");
    if !original.contains(&needle) {
        println!(
            "{} lacks {needle:?}: typst watch anchor skipped",
            typ.display()
        );
        return None;
    }
    fs::write(&source, &original).unwrap();
    let mut args = vec!["watch".to_owned()];
    args.extend(common_args(dir.path(), standards));
    args.extend([source.display().to_string(), pdf.display().to_string()]);
    let mut child = WatchChild(
        Command::new(typst)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .expect("typst watch runs"),
    );
    let mut latencies = Vec::new();
    let mut before = None;
    let mut missed = 0;
    for i in 0..=k {
        if i > 0 {
            let text = original.replace(&needle, &format!("Redigering nummer {} av", i - 1));
            before = modified(&pdf);
            save_by_rename(&source, &text);
        }
        let mut started = Instant::now();
        let seen_log = fs::read_to_string(&log).map_or(0, |l| l.len());
        let mut done = wait_written(&pdf, before, (&mut child.0, &log, seen_log), MISSED_AFTER);
        if done.is_none() && i > 0 && child.0.try_wait().ok().flatten().is_none() {
            // typst watch now and then misses a save by rename (its watch on
            // the replaced file is gone): saved again, and counted.
            missed += 1;
            let text = original.replace(&needle, &format!("Redigering nummer {} av", i - 1));
            save_by_rename(&source, &format!("{text}\n"));
            started = Instant::now();
            done = wait_written(&pdf, before, (&mut child.0, &log, seen_log), WATCH_TIMEOUT);
        }
        let Some(done) = done else {
            println!(
                "typst watch of {} gave no PDF (edit {i}): {}",
                typ.display(),
                first_error(&log)
            );
            return None;
        };
        if i > 0 {
            latencies.push(crate::sys::ms(done.duration_since(started)));
        }
    }
    if missed > 0 {
        println!(
            "typst watch missed {missed} of {k} saves of {}; each was saved again and timed from then",
            typ.display()
        );
    }
    Some(latencies)
}

/// A `typst watch` process, stopped when dropped.
struct WatchChild(Child);

impl Drop for WatchChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until `pdf`'s mtime differs from `before` and its size and mtime
/// hold for [`STABLE`]; returns when that final state was first seen.
/// `None` when the watcher exits, reports an error or takes too long.
fn wait_written(
    pdf: &Path,
    before: Option<SystemTime>,
    (child, log, seen_log): (&mut Child, &Path, usize),
    timeout: Duration,
) -> Option<Instant> {
    let started = Instant::now();
    let mut seen: Option<((u64, SystemTime), Instant)> = None;
    loop {
        let now = Instant::now();
        let state = fs::metadata(pdf)
            .ok()
            .and_then(|m| Some((m.len(), m.modified().ok()?)));
        match state {
            Some(s) if Some(s.1) != before && s.0 > 0 => match seen {
                Some((old, at)) if old == s => {
                    if now.duration_since(at) >= STABLE {
                        return Some(at);
                    }
                }
                _ => seen = Some((s, now)),
            },
            _ => seen = None,
        }
        if now.duration_since(started) > timeout || child.try_wait().ok()?.is_some() {
            return None;
        }
        let new_error = fs::read_to_string(log)
            .is_ok_and(|l| l.get(seen_log..).is_some_and(|l| l.contains("error")));
        if seen.is_none() && new_error {
            return None;
        }
        thread::sleep(Duration::from_micros(500));
    }
}

/// The first line of `log` that says `error`, or its last line.
fn first_error(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let line = text
        .lines()
        .find(|l| l.contains("error"))
        .or(text.lines().last());
    line.unwrap_or("no output").trim().to_owned()
}

/// Copies the folders of files a kept source shows (`<32 hex digits>/`) from `from` to `to`.
fn copy_hash_folders(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap().map(|e| e.unwrap()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && is_hash_folder(&name) {
            copy_tree(&entry.path(), &to.join(&name));
        }
    }
}

/// One source for the batch: compiled with `--root` its meeting folder, to `<name>.cli.pdf`.
pub struct Source {
    /// The kept `.typ`.
    pub typ: PathBuf,
    /// What motebok's own PDF of it declares.
    pub standards: Vec<String>,
}

/// What compiling every source took.
pub struct Batch {
    /// Wall time of the whole batch.
    pub wall: Duration,
    /// CPU time of all the `typst compile` processes.
    pub cpu: Duration,
    /// Sources the CLI failed to compile.
    pub failed: usize,
    /// The first failure: the source and the CLI's first error line.
    pub first_error: Option<String>,
}

/// Compiles every source with `typst compile`, `jobs` processes at a time
/// (as `xargs -P jobs` does).
pub fn compile_all(typst: &Path, sources: &[Source], jobs: usize, ticks: f64) -> Batch {
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let cpu_before = children_cpu(ticks);
    let started = Instant::now();
    thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                while let Some(source) = sources.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(e) = compile_one(typst, source) {
                        failures.lock().unwrap().push(e);
                    }
                }
            });
        }
    });
    let wall = started.elapsed();
    let cpu = children_cpu(ticks).saturating_sub(cpu_before);
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    Batch {
        wall,
        cpu,
        failed: failures.len(),
        first_error: failures.into_iter().next(),
    }
}

fn compile_one(typst: &Path, source: &Source) -> Result<(), String> {
    let meeting = source.typ.parent().unwrap();
    let pdf = source.typ.with_extension("cli.pdf");
    let out = Command::new(typst)
        .arg("compile")
        .args(common_args(meeting, &source.standards))
        .arg(&source.typ)
        .arg(&pdf)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", source.typ.display()))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The message and the line that locates it (`┌─ /x.typ:12:5`).
    let mut lines = stderr.lines().skip_while(|l| !l.contains("error"));
    let message = lines.next().unwrap_or("failed").trim();
    let place = lines.find(|l| l.contains('┌')).unwrap_or("").trim();
    Err(format!("{}: {message} {place}", source.typ.display()))
}
