//! Confined reads: files and folders that lead out of the project, or are not
//! regular files, are refused with a message naming them, never read, never
//! skipped in silence, and never waited on (issue 11, "Reads outside the project").
//!
//! Each test builds a copy of the small fixture with one file or folder replaced
//! by a link, a named pipe or a folder, runs the real binary, and checks what it
//! prints. The cases that need no links are in `tests/bad-input/`.

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{BIN, project_with, root};

/// How long a build of the small fixture may take before the test calls it
/// hung: far beyond what it needs, so only a hang trips it.
const HANG: Duration = Duration::from_secs(120);

/// A text that must never appear in what motebok prints.
const SECRET: &str = "hemmelig-verdi-8f3a91";

/// A project with the small fixture: (temporary folder, meeting folder).
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = project_with(&root().join("tests/fixtures/mini"));
    let meeting = dir.path().join("content/styret/2024-01");
    assert!(meeting.join("meeting.yaml").is_file());
    (dir, meeting)
}

/// Runs `motebok build` in `dir` with the secret in its environment, killing it
/// (and failing) if it does not end.
#[track_caller]
fn build(dir: &Path) -> Output {
    let mut child = Command::new(BIN)
        .arg("build")
        .current_dir(dir)
        .env("MOTEBOK_TEST_SECRET", SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("motebok runs");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > HANG {
            child.kill().unwrap();
            panic!("motebok build hung");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// What the build printed, both streams.
fn printed(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts the build failed with every one of `needles` in its output, printed
/// no secret, and wrote no PDF.
#[track_caller]
fn assert_refused(dir: &Path, out: &Output, needles: &[&str]) {
    let text = printed(out);
    assert!(!out.status.success(), "the build succeeded:\n{text}");
    for needle in needles {
        assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
    }
    assert!(!text.contains(SECRET), "the secret was printed:\n{text}");
    let output = dir.join("output");
    let pdfs = walk(&output)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .count();
    assert_eq!(pdfs, 0, "the failed build wrote PDFs:\n{text}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Replaces `path` with a symbolic link to `target`.
fn link(target: &Path, path: &Path) {
    if path.is_dir() {
        fs::remove_dir_all(path).unwrap();
    } else {
        fs::remove_file(path).unwrap();
    }
    symlink(target, path).unwrap();
}

/// A file outside the content folder holding the secret.
fn secret_file(dir: &Path) -> PathBuf {
    let path = dir.join("hemmelig.yaml");
    fs::write(&path, format!("number: {SECRET}\nroot:x:0:0:{SECRET}\n")).unwrap();
    path
}

#[test]
fn a_meeting_file_linked_outside_the_content_folder_is_refused_unread() {
    let (dir, meeting) = project();
    link(&secret_file(dir.path()), &meeting.join("meeting.yaml"));
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &[
            "content/styret/2024-01/meeting.yaml",
            "outside the content folder",
        ],
    );
}

#[test]
fn a_meeting_file_linked_to_etc_passwd_prints_none_of_it() {
    let passwd = Path::new("/etc/passwd");
    if !passwd.is_file() {
        return;
    }
    let (dir, meeting) = project();
    link(passwd, &meeting.join("meeting.yaml"));
    let out = build(dir.path());
    assert_refused(dir.path(), &out, &["outside the content folder"]);
    let text = printed(&out);
    assert!(!text.contains("root:"), "/etc/passwd was printed:\n{text}");
    assert!(!text.contains("/bin/"), "/etc/passwd was printed:\n{text}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_body_file_linked_to_the_environment_never_shows_it() {
    let (dir, _) = project();
    link(
        Path::new("/proc/self/environ"),
        &dir.path().join("content/styret/body.yaml"),
    );
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &["content/styret/body.yaml", "outside the content folder"],
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_meeting_file_linked_to_pagemap_ends_at_once() {
    // /proc/self/pagemap reports 0 bytes and reads for gigabytes.
    let (dir, meeting) = project();
    link(
        Path::new("/proc/self/pagemap"),
        &meeting.join("meeting.yaml"),
    );
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &["meeting.yaml", "outside the content folder"],
    );
}

#[test]
fn a_body_folder_linked_outside_the_content_folder_is_not_followed() {
    let (dir, _) = project();
    let outside = dir.path().join("elsewhere");
    fs::rename(dir.path().join("content/styret"), &outside).unwrap();
    symlink(&outside, dir.path().join("content/styret")).unwrap();
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &[
            "content/styret",
            "is a link to",
            "outside the content folder; it is not followed",
        ],
    );
}

#[test]
fn a_meeting_folder_linked_outside_the_content_folder_is_not_followed() {
    let (dir, meeting) = project();
    let outside = dir.path().join("elsewhere");
    fs::rename(&meeting, &outside).unwrap();
    symlink(&outside, &meeting).unwrap();
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &["content/styret/2024-01", "it is not followed"],
    );
}

#[test]
fn links_inside_the_content_folder_are_followed() {
    let (dir, meeting) = project();
    // The body file and the meeting folder live elsewhere in content/.
    let store = dir.path().join("content/arkiv/filer");
    fs::create_dir_all(&store).unwrap();
    fs::rename(
        dir.path().join("content/styret/body.yaml"),
        store.join("body.yaml"),
    )
    .unwrap();
    symlink(
        store.join("body.yaml"),
        dir.path().join("content/styret/body.yaml"),
    )
    .unwrap();
    fs::rename(&meeting, store.join("2024-01")).unwrap();
    symlink(store.join("2024-01"), &meeting).unwrap();
    let out = build(dir.path());
    assert!(out.status.success(), "{}", printed(&out));
    assert!(
        dir.path()
            .join("output/styret/2024-01/innkalling.pdf")
            .is_file()
    );
}

#[test]
fn a_named_pipe_as_meeting_file_is_refused_without_waiting() {
    let (dir, meeting) = project();
    let path = meeting.join("meeting.yaml");
    fs::remove_file(&path).unwrap();
    let made = Command::new("mkfifo").arg(&path).status();
    if !made.is_ok_and(|s| s.success()) {
        // No mkfifo on this system: nothing to test.
        return;
    }
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &["content/styret/2024-01/meeting.yaml", "named pipe"],
    );
}

#[test]
fn a_symbolic_link_loop_as_meeting_file_is_an_error() {
    let (dir, meeting) = project();
    let path = meeting.join("meeting.yaml");
    link(&meeting.join("loop.yaml"), &path);
    symlink(&path, meeting.join("loop.yaml")).unwrap();
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &[
            "content/styret/2024-01/meeting.yaml",
            "symbolic link that cannot be followed",
        ],
    );
}

#[test]
fn a_minutes_file_that_is_a_folder_is_an_error_not_skipped() {
    let (dir, meeting) = project();
    fs::create_dir(meeting.join("minutes.yaml")).unwrap();
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &[
            "content/styret/2024-01/minutes.yaml",
            "it is a folder, not a regular file",
        ],
    );
}

#[test]
fn a_case_paper_linked_outside_the_content_folder_is_refused() {
    let (dir, meeting) = project();
    let papers: Vec<PathBuf> = walk(&meeting.join("saker"));
    let paper = papers.first().expect("the fixture has a case paper");
    link(&secret_file(dir.path()), paper);
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &["cannot read case paper", "outside the content folder"],
    );
}

/// A data block's file in a folder linked outside: refused unread, at the
/// fence that names it (the error named only the file, with no line).
#[test]
fn a_data_file_linked_outside_the_content_folder_is_refused_at_its_fence() {
    let (dir, meeting) = project();
    let outside = dir.path().join("utenfor");
    fs::create_dir_all(&outside).unwrap();
    fs::copy(secret_file(dir.path()), outside.join("b.yaml")).unwrap();
    symlink(&outside, meeting.join("saker/ekstern")).unwrap();
    fs::write(
        meeting.join("saker/03-24.md"),
        "Tekst.\n\n```budget file=ekstern/b.yaml\n```\n",
    )
    .unwrap();
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &[
            "error: content/styret/2024-01/saker/03-24.md:3:1: cannot read data file `ekstern/b.yaml`",
            "outside the content folder",
        ],
    );
}

#[test]
fn a_template_linked_outside_the_templates_folder_is_refused() {
    let (dir, _) = project();
    let template = dir.path().join("templates/sak.typ.j2");
    link(&secret_file(dir.path()), &template);
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &["templates/sak.typ.j2", "outside the templates folder"],
    );
}

#[test]
fn a_template_folder_linked_outside_the_templates_folder_is_not_followed() {
    let (dir, _) = project();
    let outside = dir.path().join("delmaler");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("egen.typ.j2"), SECRET).unwrap();
    symlink(&outside, dir.path().join("templates/egne")).unwrap();
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &[
            "templates/egne",
            "outside the templates folder; it is not followed",
        ],
    );
}

/// A path that leaves the content folder and comes back in passes through
/// what may change outside the project (here a folder that may be removed,
/// or a link repointed) without anything in the project changing: refused,
/// as a path that ends outside is.
#[test]
fn a_figure_path_that_leaves_the_content_folder_and_comes_back_is_refused() {
    let (dir, meeting) = project();
    fs::create_dir(dir.path().join("x")).unwrap();
    fs::create_dir(meeting.join("saker/figurer")).unwrap();
    fs::copy(
        root().join("tests/fixtures/publish/styret/2024-01/saker/figurer/tidslinje.svg"),
        meeting.join("saker/figurer/tidslinje.svg"),
    )
    .unwrap();
    let paper = meeting.join("saker/03-24.md");
    let mut text = fs::read_to_string(&paper).unwrap();
    text.push_str(
        "\n![Tidslinje](../../../../x/../content/styret/2024-01/saker/figurer/tidslinje.svg)\n",
    );
    fs::write(&paper, text).unwrap();
    let out = build(dir.path());
    assert_refused(
        dir.path(),
        &out,
        &["tidslinje.svg", "outside the content folder"],
    );
}
