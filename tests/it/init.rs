//! `motebok init` and `motebok templates`: a new project builds with the built-in
//! templates, ejected templates give the same PDFs, nothing is ever overwritten,
//! and template errors name the file.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, base, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The PDFs under `dir`, relative to it, with their bytes.
fn pdfs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .map(|p| {
            let bytes = fs::read(dir.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

#[track_caller]
fn succeeds(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "motebok {args:?} failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

#[test]
fn a_new_project_builds_with_the_built_in_templates() {
    let parent = tempfile::tempdir().unwrap();
    let printed = succeeds(parent.path(), &["init", "styret"]);
    assert_contains(
        &printed,
        &["wrote styret", "started a project for `styret`"],
    );
    let project = parent.path().join("styret");
    let written = files(&project);
    for expected in [
        ".github/workflows/motebok.yml",
        ".gitignore",
        "README.md",
        "content/styret/body.yaml",
    ] {
        assert!(
            written.contains(&PathBuf::from(expected)),
            "{expected} not in {written:?}"
        );
    }
    assert!(!project.join("templates").exists());
    let workflow = fs::read_to_string(project.join(".github/workflows/motebok.yml")).unwrap();
    assert_contains(&workflow, &["releases/download", "motebok archive"]);
    assert!(
        !workflow.contains("cargo"),
        "the CI uses the released binary"
    );
    assert_eq!(
        fs::read_to_string(project.join(".gitignore"))
            .unwrap()
            .lines()
            .last(),
        Some("output/")
    );

    let printed = succeeds(&project, &["build"]);
    assert_contains(&printed, &["built ", "(0 warnings)"]);
    let built = pdfs(&project.join("output"));
    let names: Vec<String> = built
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for name in ["innkalling.pdf", "motepakke.pdf"] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
    let summons = built
        .iter()
        .find(|(p, _)| p.ends_with("innkalling.pdf"))
        .map(|(p, _)| project.join("output").join(p))
        .unwrap();
    assert_contains(
        &pdf_text(&summons),
        &[
            "Innkalling til møte 1/",
            "Styret",
            "Kari Leder",
            "Arbeidsplan for året",
        ],
    );
}

#[test]
fn ejected_templates_give_identical_pdfs() {
    let parent = tempfile::tempdir().unwrap();
    succeeds(
        parent.path(),
        &[
            "init",
            "utvalg",
            "--body",
            "nytt-utvalg",
            "--name",
            "Nytt utvalg",
        ],
    );
    let project = parent.path().join("utvalg");
    assert!(project.join("content/nytt-utvalg/body.yaml").is_file());
    succeeds(&project, &["build", "--output", "uten-maler"]);

    let printed = succeeds(&project, &["templates", "eject"]);
    assert_contains(
        &printed,
        &["wrote templates", "sak.typ.j2", "built-in templates copied"],
    );
    assert!(project.join("templates/sak.typ.j2").is_file());
    let listed = succeeds(&project, &["templates", "list"]);
    assert!(!listed.contains("built-in"), "all ejected:\n{listed}");

    succeeds(&project, &["build", "--output", "med-maler"]);
    let without = pdfs(&project.join("uten-maler"));
    let with = pdfs(&project.join("med-maler"));
    assert!(!without.is_empty());
    assert_eq!(
        without.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        with.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for ((path, a), (_, b)) in without.iter().zip(&with) {
        assert!(
            a == b,
            "{} differs with the ejected templates",
            path.display()
        );
    }
}

#[test]
fn init_and_eject_never_overwrite() {
    let project = tempfile::tempdir().unwrap();
    fs::write(project.path().join("README.md"), "mitt eget\n").unwrap();
    let out = run(project.path(), &["init", "--body", "styret"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &stderr(&out),
        &["README.md already exists; motebok init never overwrites, so nothing was written"],
    );
    assert_eq!(
        files(project.path()),
        [PathBuf::from("README.md")],
        "nothing written"
    );
    assert_eq!(
        fs::read_to_string(project.path().join("README.md")).unwrap(),
        "mitt eget\n"
    );

    fs::remove_file(project.path().join("README.md")).unwrap();
    succeeds(project.path(), &["init", "--body", "styret"]);
    let out = run(project.path(), &["init", "--body", "styret"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(&stderr(&out), &["content/styret/body.yaml already exists"]);

    let mine = project.path().join("templates/sak.typ.j2");
    fs::create_dir_all(mine.parent().unwrap()).unwrap();
    fs::write(&mine, "egen mal\n").unwrap();
    let printed = succeeds(project.path(), &["templates", "eject"]);
    assert_contains(
        &printed,
        &["kept templates/sak.typ.j2 (already there; never overwritten)"],
    );
    assert_eq!(fs::read_to_string(&mine).unwrap(), "egen mal\n");
    let again = succeeds(project.path(), &["templates", "eject"]);
    assert_contains(&again, &["0 built-in templates copied"]);
}

#[test]
fn a_bad_body_id_is_refused() {
    let parent = tempfile::tempdir().unwrap();
    let out = run(parent.path(), &["init", "x", "--body", "Styret"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(&stderr(&out), &["`Styret` is not a valid body id"]);
    assert!(!parent.path().join("x").exists());
}

#[test]
fn templates_given_on_the_command_line_override_file_by_file() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    fs::remove_dir_all(project.path().join("templates")).unwrap();
    // Without a templates folder: the built-in templates.
    succeeds(project.path(), &["build"]);

    let mine = project.path().join("mine");
    fs::create_dir_all(mine.join("felles")).unwrap();
    fs::write(
        mine.join("sak.typ.j2"),
        "{% import \"felles/del.typ.j2\" as d %}\n{{ d.x() }}\n",
    )
    .unwrap();
    fs::write(
        mine.join("felles/del.typ.j2"),
        "{% macro x() %}\n{{ nosuch }}\n{% endmacro %}\n",
    )
    .unwrap();
    let out = run(project.path(), &["check", "--templates", "mine"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &stderr(&out),
        &["error: mine/felles/del.typ.j2:2:1: template: undefined value"],
    );

    let out = run(project.path(), &["build", "--templates", "nosuch"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &stderr(&out),
        &[
            "error: --templates nosuch: no such folder",
            "motebok templates eject",
        ],
    );
}

#[test]
fn the_example_meeting_of_a_new_project_is_never_published() {
    // A new project's CI runs `motebok archive` on its first push: the invented
    // example meeting is built for the secretariat but kept off the site.
    let parent = tempfile::tempdir().unwrap();
    succeeds(parent.path(), &["init", "styret"]);
    let project = parent.path().join("styret");
    succeeds(&project, &["archive"]);
    assert!(
        files(&project.join("output"))
            .iter()
            .any(|p| p.ends_with("innkalling.pdf")),
        "built internally"
    );
    let published: Vec<PathBuf> = files(&project.join("site"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert!(published.is_empty(), "{published:?}");
}
