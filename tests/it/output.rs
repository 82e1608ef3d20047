//! The output folder tells the truth: it holds only what the last build made
//! (and the user's own files), no temporary file outlives a run, a failed run
//! changes nothing, a damaged PDF is rebuilt, the lock names its holder, a
//! filter that matches nothing is an error, and `new` never overwrites.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::*;

/// Generous bound on waiting for another process, so a stuck one fails the test.
const PATIENCE: Duration = Duration::from_secs(120);

/// Every file under `dir` with its bytes, skipping motebok's state folder.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_name() == ".motebok" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                dirs.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_path_buf();
                all.push((rel, fs::read(&path).unwrap()));
            }
        }
    }
    all.sort();
    all
}

/// The names of the files in `dir` ending in `.tmp` or `.old`.
fn temporaries(dir: &Path) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".tmp") || name.ends_with(".old")
        })
        .collect()
}

/// Replaces `from` with `to` in the file at `path`.
#[track_caller]
fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[track_caller]
fn build(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = run(dir, args);
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

#[test]
fn a_withdrawn_paper_is_removed_and_the_users_files_stay() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    build(dir, &["build", "--keep-typst"]);
    let meeting = dir.join("output/styret/2024-01");
    assert!(meeting.join("sak-04-24.pdf").is_file() && meeting.join("sak-04-24.typ").is_file());
    fs::write(meeting.join("notater.txt"), "mine").unwrap();
    fs::write(dir.join("output/sak-04-24.pdf"), "also mine").unwrap();

    // Case 4/24 is withdrawn (postponed): it has no case paper any more.
    edit(
        &dir.join("content/styret/2024-01/meeting.yaml"),
        "    paper: saker/04-24.md\n",
        "    postponed: Saken er trukket\n",
    );
    let out = build(dir, &["build", "--keep-typst"]);
    assert_contains(
        &stdout(&out),
        &[
            "removed output/styret/2024-01/sak-04-24.pdf (no longer built)",
            "removed output/styret/2024-01/sak-04-24.typ (no longer built)",
        ],
    );
    assert!(!meeting.join("sak-04-24.pdf").exists());
    assert!(!meeting.join("sak-04-24.typ").exists());
    assert!(meeting.join("sak-03-24.pdf").is_file() && meeting.join("sak-03-24.typ").is_file());
    assert_eq!(
        fs::read_to_string(meeting.join("notater.txt")).unwrap(),
        "mine"
    );
    assert!(
        dir.join("output/sak-04-24.pdf").is_file(),
        "not motebok's file"
    );

    // Typst sources no longer kept go too; the PDFs stay.
    build(dir, &["build"]);
    let left: Vec<PathBuf> = files(&meeting).into_iter().map(|(p, _)| p).collect();
    let names: Vec<String> = left.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(
        names,
        [
            "innkalling.pdf",
            "motepakke.pdf",
            "notater.txt",
            "sak-01-24.pdf",
            "sak-02-24.pdf",
            "sak-03-24.pdf"
        ]
    );
}

#[test]
fn a_removed_meeting_is_removed_but_a_filtered_build_removes_nothing() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    let dir = project.path();
    build(dir, &["build"]);
    assert!(dir.join("output/rad/2024-01/innkalling.pdf").is_file());

    fs::remove_dir_all(dir.join("content/rad/2024-01")).unwrap();
    build(dir, &["build", "rad/2023-06"]);
    assert!(
        dir.join("output/rad/2024-01/innkalling.pdf").is_file(),
        "a filtered build removes nothing"
    );
    let out = build(dir, &["build"]);
    assert_contains(
        &stdout(&out),
        &["removed output/rad/2024-01/innkalling.pdf"],
    );
    assert!(
        !dir.join("output/rad/2024-01").exists(),
        "the meeting's folder is gone"
    );
    assert!(dir.join("output/rad/2023-06/innkalling.pdf").is_file());
}

/// A hidden copy of a meeting folder (a sync tool's or a script's, being
/// written before it is renamed into place) is not a meeting: before, it
/// was loaded as one, and its number clashed with the meeting it copies.
#[test]
fn a_hidden_folder_is_not_a_body_or_a_meeting() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    let content = dir.join("content");
    copy_tree(
        &content.join("styret/2024-01"),
        &content.join("styret/.2024-01.kopi"),
    );
    copy_tree(&content.join("styret"), &content.join(".styret-kopi"));
    let out = build(dir, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("output/styret/2024-01/innkalling.pdf").is_file());
    assert!(!dir.join("output/styret/.2024-01.kopi").exists());
    assert!(!dir.join("output/.styret-kopi").exists());
}

#[test]
fn temporary_files_of_a_killed_run_are_removed_on_start() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    build(dir, &["build"]);
    let meeting = dir.join("output/styret/2024-01");
    for name in [
        ".innkalling.pdf.motebok-99999-3.tmp",
        ".sak-03-24.pdf.motebok-99999-4.old",
        ".motepakke.pdf.4242-0.tmp",
        ".notes.tmp",
    ] {
        fs::write(meeting.join(name), "left behind").unwrap();
    }
    let out = build(dir, &["build"]);
    assert_contains(
        &stderr(&out),
        &["removed 3 temporary files that an interrupted run left"],
    );
    assert_eq!(
        temporaries(&dir.join("output")),
        [PathBuf::from("styret/2024-01/.notes.tmp")]
    );
}

#[test]
fn sigterm_stops_a_build_and_leaves_no_temporary_files() {
    let project = project_with(&root().join("content"));
    let dir = project.path();
    let child = Command::new(BIN)
        .args(["build", "--jobs", "1"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it holds the lock (it is building), then ask it to stop.
    let lock = dir.join("output/.motebok/lock");
    let started = Instant::now();
    while !fs::read_to_string(&lock).is_ok_and(|t| t.contains("motebok build")) {
        assert!(
            started.elapsed() < PATIENCE,
            "the build never took the lock"
        );
        thread::sleep(Duration::from_millis(10));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(temporaries(&dir.join("output")), Vec::<PathBuf>::new());
    match out.status.code() {
        // Stopped before it put anything in place.
        Some(130) => {
            assert_contains(&stderr(&out), &["interrupted", "no output was changed"]);
            assert_eq!(files(&dir.join("output")), Vec::new());
        }
        // Or it had already finished.
        Some(0) => {}
        other => panic!("exit {other:?}: {}", stderr(&out)),
    }
}

#[test]
fn a_folder_where_a_pdf_goes_is_an_error_and_nothing_changes() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    build(dir, &["build"]);
    let meeting = dir.join("output/styret/2024-01");
    // The summons and the pack change, and are put in place before the
    // paper, where a folder is in the way.
    edit(
        &dir.join("content/styret/2024-01/meeting.yaml"),
        "Møterom Ø1",
        "Møterom Ø2",
    );
    fs::remove_file(meeting.join("sak-04-24.pdf")).unwrap();
    fs::create_dir_all(meeting.join("sak-04-24.pdf/inni")).unwrap();
    let before = files(&dir.join("output"));

    let out = run(dir, &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_contains(
        &stderr(&out),
        &[
            "failed to put output/styret/2024-01/sak-04-24.pdf in place",
            "build failed: 1 error, 0 warnings; no output was changed",
        ],
    );
    assert!(
        files(&dir.join("output")) == before,
        "every file as it was, no temporary file left"
    );
}

#[test]
fn an_archive_index_that_cannot_be_written_undoes_the_build() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    build(dir, &["archive"]);
    edit(
        &dir.join("content/styret/2024-01/meeting.yaml"),
        "Møterom Ø1",
        "Møterom Ø2",
    );
    fs::remove_file(dir.join("site/index.json")).unwrap();
    fs::create_dir_all(dir.join("site/index.json/inni")).unwrap();
    let before = files(&dir.join("output"));

    let out = run(dir, &["archive"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_contains(&stderr(&out), &["index.json", "no output was changed"]);
    assert!(
        files(&dir.join("output")) == before,
        "the new PDFs were taken back"
    );

    // The manifest went back too: the next build compiles the changed summons.
    // The site is rebuilt whole by every run: whatever the failed run left there
    // is replaced.
    let _ = fs::remove_dir_all(dir.join("site/index.json"));
    let out = build(dir, &["archive"]);
    assert_contains(
        &stdout(&out),
        &["wrote output/styret/2024-01/innkalling.pdf"],
    );
}

#[test]
fn a_truncated_or_empty_pdf_is_rebuilt() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    build(dir, &["build"]);
    let meeting = dir.join("output/styret/2024-01");
    let good = files(&meeting);
    let summons = fs::read(meeting.join("innkalling.pdf")).unwrap();
    fs::write(
        meeting.join("innkalling.pdf"),
        &summons[..summons.len() / 2],
    )
    .unwrap();
    fs::write(meeting.join("sak-03-24.pdf"), b"").unwrap();

    let out = build(dir, &["build"]);
    assert_contains(
        &stdout(&out),
        &[
            "wrote output/styret/2024-01/innkalling.pdf",
            "wrote output/styret/2024-01/sak-03-24.pdf",
            "(2 compiled, 4 unchanged since the last build)",
        ],
    );
    assert!(files(&meeting) == good, "rebuilt byte for byte");
    let out = build(dir, &["build"]);
    assert_contains(
        &stdout(&out),
        &["(0 compiled, 6 unchanged since the last build)"],
    );
}

#[test]
fn waiting_for_the_lock_names_the_holder_and_gives_up() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    let mut watch = Command::new(BIN)
        .arg("watch")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let holder = format!("motebok watch, pid {}", watch.id());
    let lock = dir.join("output/.motebok/lock");
    let started = Instant::now();
    while !fs::read_to_string(&lock).is_ok_and(|t| t.contains(&holder)) {
        assert!(started.elapsed() < PATIENCE, "watch never took the lock");
        thread::sleep(Duration::from_millis(20));
    }
    let mut build = Command::new(BIN)
        .arg("build")
        .env("MOTEBOK_LOCK_TIMEOUT", "1")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while build.try_wait().unwrap().is_none() && started.elapsed() < PATIENCE {
        thread::sleep(Duration::from_millis(50));
    }
    let gave_up = build.try_wait().unwrap().is_some();
    let _ = build.kill();
    let _ = watch.kill();
    let _ = watch.wait();
    let out = build.wait_with_output().unwrap();
    assert!(gave_up, "the build waited for the lock for ever");
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &stderr(&out),
        &[
            &format!("waiting for {holder} to finish with output (at most 1 s)"),
            &format!("error: failed to lock output (still in use by {holder} after 1 s"),
        ],
    );
}

#[test]
fn a_filter_that_matches_nothing_is_an_error() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    let out = run(dir, &["build", "styret/2024-1"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &stderr(&out),
        &[
            "error: MEETING `styret/2024-1` matches no body or meeting",
            "did you mean `styret/2024-01`? the bodies and meetings are: styret, styret/2024-01",
        ],
    );
    assert_eq!(files(&dir.join("output")), Vec::new(), "nothing built");
}

#[test]
fn two_new_meetings_at_once_never_overwrite_each_other() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    let spawn = || {
        Command::new(BIN)
            .args(["new", "styret", "--date", "2024-03-01"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(
        a.status.success() != b.status.success(),
        "exactly one wins:\n{}\n{}",
        stderr(&a),
        stderr(&b)
    );
    let (winner, loser) = if a.status.success() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    assert_contains(&stdout(winner), &["meeting 2/2024"]);
    // Depending on how the two met: the file, the folder or the meeting was there.
    let err = stderr(loser);
    assert!(
        err.contains("motebok new never overwrites")
            || err.contains("is not after the latest meeting"),
        "{err}"
    );
    let text = fs::read_to_string(dir.join("content/styret/2024-02/meeting.yaml")).unwrap();
    assert_contains(
        &text,
        &["number: 2/2024", "date: 2024-03-01", "standing: eventuelt"],
    );
}

/// Longer than the two seconds before a build in which a written file keeps
/// it from being recorded as the last full build.
const NOT_RACY: Duration = Duration::from_millis(2100);

/// The digest of the inputs the last full build recorded in the manifest.
fn last_inputs(dir: &Path) -> Option<String> {
    let manifest = fs::read(dir.join("output/.motebok/manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    manifest["last"]["inputs"].as_str().map(str::to_owned)
}

/// A full build whose inputs are unchanged loads nothing and says what the
/// last one said; a change of bytes that keeps the size and time is still
/// seen, and a build of some meetings leaves no record to trust.
#[test]
fn an_unchanged_project_is_told_by_its_bytes_and_says_the_same() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    edit(
        &dir.join("content/styret/2024-01/meeting.yaml"),
        "case: 6/24",
        "case: 9/24",
    );
    // A build is recorded only when no file was written in the two seconds before it.
    thread::sleep(NOT_RACY);
    let first = build(dir, &["build"]);
    assert_contains(&stderr(&first), &["case numbers 6/24–8/24 are missing"]);
    assert!(
        last_inputs(dir).is_some(),
        "a full build records its inputs"
    );

    let again = build(dir, &["build"]);
    assert_contains(
        &stdout(&again),
        &["(0 compiled, 6 unchanged since the last build), 10 pages"],
    );
    assert_eq!(stderr(&again), stderr(&first), "the same warning, in full");

    // The same length and modification time, other bytes.
    let paper = dir.join("content/styret/2024-01/saker/03-24.md");
    let modified = fs::metadata(&paper).unwrap().modified().unwrap();
    edit(&paper, "felles grunnmur", "felles grunnmux");
    fs::File::options()
        .write(true)
        .open(&paper)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let out = build(dir, &["build"]);
    assert_contains(
        &stdout(&out),
        &["wrote output/styret/2024-01/sak-03-24.pdf"],
    );
    let meeting = dir.join("output/styret/2024-01");
    assert!(pdf_text(&meeting.join("sak-03-24.pdf")).contains("grunnmux"));

    // One meeting built without PDF/A: no record of a full build is left,
    // so the next full build makes PDF/A again.
    build(dir, &["build", "--pdf-standard", "none", "styret/2024-01"]);
    assert_eq!(last_inputs(dir), None);
    assert!(
        !fs::read(meeting.join("innkalling.pdf"))
            .unwrap()
            .windows(11)
            .any(|w| w == b"pdfaid:part")
    );
    thread::sleep(NOT_RACY);
    let out = build(dir, &["build"]);
    assert_contains(
        &stdout(&out),
        &["wrote output/styret/2024-01/innkalling.pdf"],
    );
    assert!(
        fs::read(meeting.join("innkalling.pdf"))
            .unwrap()
            .windows(11)
            .any(|w| w == b"pdfaid:part")
    );
    assert!(last_inputs(dir).is_some());
}

/// Where a link leads may change, hop by hop, outside the project without
/// anything in it changing: a project with a link in it is loaded on every
/// build. Here a link inside content whose target text changes from a file
/// to a path through it (`real.md/`), which no longer resolves.
#[cfg(unix)]
#[test]
fn a_project_with_a_link_is_always_loaded() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    let papers = dir.join("content/styret/2024-01/saker");
    fs::rename(papers.join("03-24.md"), papers.join("ekte.md")).unwrap();
    std::os::unix::fs::symlink("ekte.md", papers.join("03-24.md")).unwrap();
    thread::sleep(NOT_RACY);
    build(dir, &["build"]);
    assert_eq!(last_inputs(dir), None);
    fs::remove_file(papers.join("03-24.md")).unwrap();
    std::os::unix::fs::symlink("ekte.md/", papers.join("03-24.md")).unwrap();
    let out = run(dir, &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_contains(&stderr(&out), &["03-24.md"]);
}

/// A record of the last full build that no build could have made (a
/// hand-edited manifest) is not trusted: one with a document the manifest
/// does not record as written, or with an error.
#[test]
fn a_forged_record_of_the_last_build_is_not_trusted() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    thread::sleep(NOT_RACY);
    build(dir, &["build"]);
    assert!(last_inputs(dir).is_some());
    let path = dir.join("output/.motebok/manifest.json");
    let original: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let forge = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut manifest = original.clone();
        change(&mut manifest);
        fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    };

    // A document that was never written.
    forge(&|m| {
        m["last"]["documents"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!(["styret/2024-01/sak-99-24.pdf", 1]));
    });
    let out = build(dir, &["build"]);
    assert_contains(
        &stdout(&out),
        &["built 6 documents (0 compiled, 6 unchanged"],
    );

    // No file recorded, and the PDFs gone.
    forge(&|m| m["files"] = serde_json::json!({}));
    fs::remove_dir_all(dir.join("output/styret")).unwrap();
    let out = build(dir, &["build"]);
    assert_contains(&stdout(&out), &["built 6 documents, 10 pages"]);
    assert!(dir.join("output/styret/2024-01/innkalling.pdf").is_file());

    // An error in a record of a build that succeeded.
    let recorded: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert!(recorded["last"]["inputs"].is_string(), "{recorded}");
    let mut manifest = recorded.clone();
    manifest["last"]["diagnostics"] = serde_json::json!([{
        "severity": "Error", "file": null, "position": null, "field": null,
        "message": "forged", "hint": null, "snippet": null, "snippet_column": null
    }]);
    fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let out = build(dir, &["build"]);
    assert!(!stderr(&out).contains("forged"), "{}", stderr(&out));
}
