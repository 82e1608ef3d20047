//! The bad-input corpus: every folder under `tests/bad-input/` is a small project
//! (`content/`, and `templates/` files that replace the real ones) with the
//! diagnostics it must produce in `expected.txt`.
//!
//! `expected.txt` lists one diagnostic per line, as the first line motebok prints
//! for it (`error: content/…/meeting.yaml:12:16: agenda[1].presenter: unknown …`;
//! the line may stop early, the rest of the message is not compared), optionally
//! followed by `  = help: …` (text the hint must contain). Lines starting with `#`
//! describe the case. Every expected diagnostic must appear, and nothing else may:
//! an unexpected error or warning fails the case too. When content or templates
//! have errors, the build must not have written any file; a Typst error must
//! leave its document unwritten.
//!
//! All cases run, and every failure is reported at the end. To write the
//! expected files from what motebok says now (then read every one of them before
//! committing): `MOTEBOK_BLESS=1 cargo test --test it bad_input`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{copy_tree, root};
use motebok::diagnostic::Diagnostic;
use motebok::pipeline::{BuildConfig, build};

/// One expected diagnostic.
#[derive(Debug)]
struct Expected {
    header: String,
    help: Vec<String>,
}

fn parse_expected(text: &str) -> (Vec<String>, Vec<Expected>) {
    let mut comments = Vec::new();
    let mut expected: Vec<Expected> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            comments.push(line.to_owned());
        } else if let Some(help) = line.trim_start().strip_prefix("= help: ") {
            expected
                .last_mut()
                .expect("a help line follows a diagnostic")
                .help
                .push(help.to_owned());
        } else if !line.trim().is_empty() {
            expected.push(Expected {
                header: line.to_owned(),
                help: Vec::new(),
            });
        }
    }
    (comments, expected)
}

/// The first line motebok prints for a diagnostic, with the project folder left out.
fn header(diag: &Diagnostic, project: &Path) -> String {
    let text = diag.to_string();
    relative(text.lines().next().unwrap_or_default(), project)
}

/// `text` with the project folder left out of the paths it names.
fn relative(text: &str, project: &Path) -> String {
    text.replace(&format!("{}/", project.display()), "")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// Runs one case; returns what went wrong, if anything.
fn run_case(case: &Path, bless: bool) -> Option<String> {
    let project = tempfile::tempdir().unwrap();
    let templates = project.path().join("templates");
    copy_tree(&root().join("templates"), &templates);
    if case.join("templates").is_dir() {
        copy_tree(&case.join("templates"), &templates);
    }
    copy_tree(&case.join("content"), &project.path().join("content"));
    let output = project.path().join("output");
    let config = BuildConfig {
        force: true,
        ..BuildConfig::in_project(project.path())
    };
    let report = build(&config, &[]);
    let actual: Vec<(String, Option<String>)> = report
        .diagnostics
        .0
        .iter()
        .map(|d| {
            let hint = d.hint.as_ref().map(|h| relative(h, project.path()));
            (header(d, project.path()), hint)
        })
        .collect();

    let expected_path = case.join("expected.txt");
    let text = fs::read_to_string(&expected_path).unwrap_or_default();
    let (comments, expected) = parse_expected(&text);
    if bless {
        let mut out = comments.join("\n");
        out.push('\n');
        for (header, hint) in &actual {
            out.push_str(header);
            out.push('\n');
            if let Some(hint) = hint {
                out.push_str(&format!("  = help: {hint}\n"));
            }
        }
        fs::write(&expected_path, out).unwrap();
        return None;
    }

    let mut problems = Vec::new();
    if comments.is_empty() {
        problems.push("expected.txt does not say what the case is about (a `#` line)".to_owned());
    }
    if expected.is_empty() {
        problems.push("expected.txt lists no diagnostic".to_owned());
    }
    let mut used = vec![false; actual.len()];
    for want in &expected {
        let found = actual.iter().enumerate().position(|(i, (header, hint))| {
            !used[i]
                && header.starts_with(&want.header)
                && want.help.iter().all(|h| {
                    hint.as_deref()
                        .is_some_and(|hint| hint.contains(h.as_str()))
                })
        });
        match found {
            Some(i) => used[i] = true,
            None => problems.push(format!(
                "missing:    {}{}",
                want.header,
                want.help
                    .iter()
                    .map(|h| format!("\n              = help: {h}"))
                    .collect::<String>()
            )),
        }
    }
    for (i, (header, hint)) in actual.iter().enumerate() {
        if !used[i] {
            problems.push(format!(
                "unexpected: {header}{}",
                hint.as_ref()
                    .map(|h| format!("\n              = help: {h}"))
                    .unwrap_or_default()
            ));
        }
    }
    // Content and template errors stop the build before anything is written;
    // a Typst error stops only the document it is in.
    let typst_errors: Vec<&Diagnostic> = report
        .diagnostics
        .0
        .iter()
        .filter(|d| d.is_error() && d.message.starts_with("typst:"))
        .collect();
    let only_typst = report.diagnostics.error_count() == typst_errors.len();
    for diag in &typst_errors {
        let generated = diag
            .hint
            .as_deref()
            .and_then(|h| h.strip_prefix("in the generated source "))
            .and_then(|h| h.split_once(".typ:"))
            .map(|(path, _)| output.join(format!("{path}.pdf")));
        match generated {
            Some(pdf) if pdf.exists() => problems.push(format!(
                "the document with the Typst error was written: {}",
                pdf.display()
            )),
            Some(_) => {}
            None => problems.push(format!(
                "a Typst error does not name its generated source: {}",
                header(diag, project.path())
            )),
        }
    }
    if report.failed() && !only_typst {
        let written = files_under(&output)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pdf" || e == "typ"))
            .collect::<Vec<_>>();
        if !written.is_empty() {
            problems.push(format!(
                "the build failed but wrote {} file(s), such as {}",
                written.len(),
                written[0].display()
            ));
        }
    }
    (!problems.is_empty()).then(|| problems.join("\n  "))
}

#[test]
fn every_bad_input_gives_its_message() {
    let bless = std::env::var_os("MOTEBOK_BLESS").is_some();
    let corpus = root().join("tests/bad-input");
    let mut cases: Vec<PathBuf> = fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 30,
        "the corpus has {} cases, fewer than 30",
        cases.len()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run_case(case, bless).map(|problem| {
                format!(
                    "{}:\n  {problem}",
                    case.file_name().unwrap().to_string_lossy()
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
