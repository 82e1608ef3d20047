//! Helpers shared by the integration tests: run the binary, copy fixtures, read PDFs.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_motebok");

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `motebok` with `args` in `dir`.
#[track_caller]
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("motebok runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `motebok` with `args` in `dir`, draining its output, and calls
/// `poll` with its process id every `every` until it ends; an error from
/// `poll` kills it and fails the test with that message.
#[track_caller]
pub fn run_polling(
    dir: &Path,
    args: &[&str],
    every: std::time::Duration,
    mut poll: impl FnMut(u32) -> Result<(), String>,
) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("motebok runs");
    // Drain the pipes while waiting, so a chatty run cannot block on them.
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let status = loop {
        if let Err(message) = poll(child.id()) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{message}");
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(every);
    };
    Output {
        status,
        stdout: out.join().unwrap().into_bytes(),
        stderr: err.join().unwrap().into_bytes(),
    }
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A temporary project with the real templates and the given content.
pub fn project_with(content: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("templates"), &dir.path().join("templates"));
    copy_tree(content, &dir.path().join("content"));
    dir
}

/// The line of the built-in `templates/sak.typ.j2` that prints the case paper.
pub const PAPER_CALL: &str =
    "{{ f.saksfremlegg(body, meeting, item)|shared(\"sak-\" ~ item.case) }}";

/// Adds `line` after the call that prints the case paper in the project's
/// `templates/sak.typ.j2` (line 6 of the template is then `line`).
pub fn add_to_paper_template(project: &Path, line: &str) {
    let template = project.join("templates/sak.typ.j2");
    let text = fs::read_to_string(&template).unwrap();
    assert!(text.contains(PAPER_CALL), "{text}");
    fs::write(
        &template,
        text.replace(PAPER_CALL, &format!("{PAPER_CALL}\n{line}")),
    )
    .unwrap();
}

/// The children of a running process (Linux; none elsewhere): those
/// listed by every thread of it (a worker thread starts its own).
pub fn children_of(pid: u32) -> Vec<u32> {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|c| c.parse::<u32>().ok())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The text of a PDF, with whitespace runs collapsed to single spaces.
#[track_caller]
pub fn pdf_text(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let text = pdf_extract::extract_text_from_mem(&bytes)
        .unwrap_or_else(|e| panic!("extracting {}: {e}", path.display()));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[track_caller]
pub fn assert_contains(haystack: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            haystack.contains(needle),
            "expected {needle:?} in:\n{haystack}"
        );
    }
}

/// The generated Typst source of the document `name` (`styret/2024-01/sak-03-24.pdf`)
/// of the project at `dir` (its `content/`, with its `templates/` when it
/// has them, else the repository's).
pub fn source_of(dir: &Path, name: &str) -> String {
    let (project, diags) = motebok::load::load_project(&dir.join("content"));
    assert!(!diags.has_errors(), "{:#?}", diags.0);
    let required =
        motebok::document::DocumentKind::ALL.map(motebok::document::DocumentKind::template);
    let own = dir.join("templates");
    let templates = if own.is_dir() {
        own
    } else {
        root().join("templates")
    };
    let renderer = motebok::render::Renderer::load(&templates, &required).expect("templates load");
    let job = motebok::pipeline::plan(&project)
        .into_iter()
        .find(|job| job.path.to_string_lossy().replace('\\', "/") == name)
        .unwrap_or_else(|| panic!("no document {name}"));
    motebok::pipeline::render_job(&renderer, &project, &job).expect("renders")
}
