//! docs/templates.md against the real template contexts: every variable the
//! document lists exists in a context, and every variable of a context is listed.
//!
//! The contexts are those of every document of the example content (`content/`)
//! and of every fixture (`tests/fixtures/*`), plus the archive page's. A
//! variable is its key path, lists written `[]`: `meeting.agenda[].start`. The
//! document lists them in tables whose first column is headed `variable` and
//! holds the backticked path.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use motebok::archive::index;
use motebok::load::load_project;
use motebok::pipeline::{BuildConfig, job_context, plan};
use serde_json::Value;

use crate::common::root;

/// The content folders whose documents give the contexts.
fn content_folders() -> Vec<PathBuf> {
    let mut folders = vec![root().join("content")];
    let mut fixtures: Vec<PathBuf> = fs::read_dir(root().join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    fixtures.sort();
    folders.extend(fixtures);
    folders
}

/// Adds the key path of every value under `value` (written at `path`) to `paths`.
fn walk(value: &Value, path: &str, paths: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(value, &path, paths);
                paths.insert(path);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, &format!("{path}[]"), paths);
            }
        }
        _ => {}
    }
}

/// Every variable of every context: each document's, and the archive page's
/// (with every document in place, so that every link is set).
fn context_paths() -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let labels = motebok::view::Labels::builtin();
    for folder in content_folders() {
        let (project, diagnostics) = load_project(&folder);
        assert!(
            !diagnostics.has_errors(),
            "{}: {:#?}",
            folder.display(),
            diagnostics.0
        );
        let output = tempfile::tempdir().unwrap();
        for job in plan(&project) {
            let mut context = serde_json::to_value(job_context(&project, &labels, &job)).unwrap();
            // The previous minutes are a meeting as `meeting` is: documented once.
            if let Some(previous) = context
                .as_object_mut()
                .and_then(|c| c.remove("previous_minutes"))
            {
                paths.insert("previous_minutes".to_owned());
                walk(&previous, "meeting", &mut paths);
            }
            walk(&context, "", &mut paths);
            let pdf = output.path().join(&job.path);
            fs::create_dir_all(pdf.parent().unwrap()).unwrap();
            fs::write(pdf, b"").unwrap();
        }
        let mut config = BuildConfig::in_project(output.path());
        config.output = output.path().to_path_buf();
        config.include_drafts = true;
        let archive = serde_json::to_value(index(&config, &project, &labels)).unwrap();
        walk(&archive, "", &mut paths);
    }
    paths
}

/// The variables listed in `doc`: the backticked first cell of every row of a
/// table whose first column is headed `variable`.
fn documented_paths(doc: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut in_table = false;
    for line in doc.lines() {
        let cells: Vec<&str> = line.trim().split('|').map(str::trim).collect();
        if cells.len() < 3 || !cells[0].is_empty() {
            in_table = false;
        } else if cells[1] == "variable" {
            in_table = true;
        } else if in_table && !cells[1].starts_with("---") {
            let path = cells[1].strip_prefix('`').and_then(|c| c.split_once('`'));
            match path {
                Some((path, _)) => paths.push(path.to_owned()),
                None => panic!("a row without a backticked variable: {line}"),
            }
        }
    }
    paths
}

#[test]
fn every_context_variable_is_documented_and_every_documented_one_exists() {
    let doc_path = Path::new("docs/templates.md");
    let doc = fs::read_to_string(root().join(doc_path)).unwrap();
    let listed = documented_paths(&doc);
    let documented: BTreeSet<String> = listed.iter().cloned().collect();
    assert!(
        documented.len() > 50,
        "the tables were not found in {}",
        doc_path.display()
    );
    let twice: Vec<&String> = listed
        .iter()
        .filter(|p| listed.iter().filter(|q| q == p).count() > 1)
        .collect();
    assert!(
        twice.is_empty(),
        "listed more than once in {}: {twice:?}",
        doc_path.display()
    );

    let actual = context_paths();
    let undocumented: Vec<&String> = actual.difference(&documented).collect();
    let gone: Vec<&String> = documented.difference(&actual).collect();
    assert!(
        undocumented.is_empty() && gone.is_empty(),
        "{} is out of date.\nvariables the templates receive but it does not list:\n  {}\n\
         variables it lists that no template receives:\n  {}",
        doc_path.display(),
        join(&undocumented),
        join(&gone),
    );
}

fn join(paths: &[&String]) -> String {
    match paths {
        [] => "(none)".to_owned(),
        _ => paths
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
    }
}

#[test]
fn documented_paths_are_read_from_variable_tables_only() {
    let doc = "\
| filter | meaning |
|---|---|
| `markdown` | x |

| variable | type | meaning | example |
|---|---|---|---|
| `meeting.agenda[].start` | tekst | start | `09:00` |
| `body` | objekt | organet | |

Tekst.

| variable | type |
|---|---|
| `format` | tall |
";
    assert_eq!(
        documented_paths(doc),
        ["meeting.agenda[].start", "body", "format"]
    );
}
