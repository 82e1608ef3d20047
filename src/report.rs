//! Printing a run's results: human lines, JSON lines for CI, the progress bar.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::json;

use crate::cli::MessageFormat;
use crate::diagnostic::{Diagnostic, counted};
use crate::pipeline::{BuildReport, Progress};
use crate::watch::Rebuild;

/// Builds of fewer documents than this show no progress bar: they are over
/// before a bar would say anything.
const PROGRESS_MIN_DOCUMENTS: usize = 20;

/// Watch names the documents rebuilt (and those removed, kept by errors or
/// not built) when there are at most this many in a list, and counts them
/// otherwise: the paper and the pack of an edit, or a meeting's summons and
/// pack with a few papers, are named; a template change is counted.
const WATCH_NAMED_DOCUMENTS: usize = 6;

/// A progress bar on stderr for builds of many documents, when it is a
/// terminal and results are printed for people.
pub fn progress_bar(quiet: bool, format: MessageFormat) -> Option<Progress> {
    if quiet || format == MessageFormat::Json || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40.cyan/blue} {pos}/{len} documents ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(Progress(Arc::new(move |done, total| {
        if total < PROGRESS_MIN_DOCUMENTS {
            return;
        }
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if done == total {
            bar.finish_and_clear();
        }
    })))
}

/// Prints the result of a build or archive run into `output` as `format` asks;
/// only errors, warnings and failure when `quiet`.
pub fn print_build(report: &BuildReport, output: &Path, quiet: bool, format: MessageFormat) {
    match format {
        MessageFormat::Json => print_json(report, output),
        MessageFormat::Human => print_human(report, output, quiet, "wrote"),
    }
}

/// Prints the result of `motebok check` (`output` is where a build would write).
pub fn print_check(report: &BuildReport, output: &Path) {
    print_human(report, output, true, "checked");
    if !report.failed() {
        println!(
            "checked {}: {}, {}",
            counted(report.documents.len(), "document"),
            counted(report.diagnostics.error_count(), "error"),
            counted(report.diagnostics.warning_count(), "warning")
        );
    }
}

/// Prints diagnostics, one blank line after each.
pub fn print_diagnostics<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) {
    for diag in diagnostics {
        eprintln!("{diag}\n");
    }
}

/// Prints an error that is not about a file (`error: {message}`).
pub fn print_error(message: &str) {
    eprintln!("error: {message}");
}

/// Prints one rebuild of `motebok watch`: its new diagnostics in full, one
/// line counting those printed the rebuild before, and one line saying what
/// changed, what was rebuilt and what errors held back.
pub fn print_rebuild(rebuild: &Rebuild<'_>) {
    let report = rebuild.report;
    let diagnostics = &report.diagnostics.0;
    let is_new = |i: usize| !rebuild.repeated.get(i).copied().unwrap_or(false);
    print_diagnostics(
        (0..diagnostics.len())
            .filter(|&i| is_new(i))
            .map(|i| &diagnostics[i]),
    );
    let earlier: Vec<&Diagnostic> = (0..diagnostics.len())
        .filter(|&i| !is_new(i))
        .map(|i| &diagnostics[i])
        .collect();
    if let Some(line) = unchanged_line(&earlier) {
        eprintln!("{line}");
    }
    println!(
        "{}: {} ({} ms)",
        rebuild.what,
        rebuild_outcome(rebuild),
        report.elapsed.as_millis()
    );
}

/// `1 earlier error and 2 earlier warnings unchanged`, or `None` without any.
fn unchanged_line(earlier: &[&Diagnostic]) -> Option<String> {
    let errors = earlier.iter().filter(|d| d.is_error()).count();
    let warnings = earlier.len() - errors;
    let count = |n: usize, what: &str| match n {
        0 => None,
        1 => Some(format!("1 earlier {what}")),
        n => Some(format!("{n} earlier {what}s")),
    };
    let parts: Vec<String> = [count(errors, "error"), count(warnings, "warning")]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| format!("{} unchanged", parts.join(" and ")))
}

/// What a rebuild did: the documents rebuilt, and the errors with what they held back.
fn rebuild_outcome(rebuild: &Rebuild<'_>) -> String {
    let report = rebuild.report;
    let mut names: Vec<String> = report
        .documents
        .iter()
        .filter(|d| !d.unchanged)
        .map(|d| d.path.display().to_string())
        .collect();
    names.sort();
    let removed: Vec<String> = report
        .removed
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut parts: Vec<String> = [
        named_or_counted(&names).map(|listed| match listed {
            Listed::Names(names, _) => format!("rebuilt {names}"),
            Listed::Count(n) => format!("rebuilt {n} documents"),
        }),
        named_or_counted(&removed).map(|listed| match listed {
            Listed::Names(names, _) => format!("removed {names} (no longer built)"),
            Listed::Count(n) => format!("removed {n} files no longer built"),
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        parts.push("no document changed".to_owned());
    }
    let rebuilt = parts.join("; ");
    if !report.failed() {
        return rebuilt;
    }
    let errors = counted(report.diagnostics.error_count(), "error");
    if rebuild.errors_in.is_empty() {
        return if rebuild.nothing_built {
            format!("failed with {errors}; nothing is built yet")
        } else {
            format!("failed with {errors}; the last good PDFs are kept")
        };
    }
    let mut line = format!(
        "{rebuilt}; failed with {errors} in {}",
        rebuild.errors_in.join(", ")
    );
    if !rebuild.held.is_empty() {
        line.push_str(&format!(
            "; the last good PDFs of {} are kept",
            rebuild.held.join(", ")
        ));
    }
    let kept: Vec<String> = rebuild
        .kept
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    if let Some(listed) = named_or_counted(&kept) {
        line.push_str(&match listed {
            Listed::Names(names, verb) => format!("; the last good {names} {verb} kept"),
            Listed::Count(n) => format!("; the last good PDFs of {n} documents are kept"),
        });
    }
    if let Some(listed) = named_or_counted(&rebuild.unbuilt) {
        line.push_str(&match listed {
            Listed::Names(names, verb) => format!("; {names} {verb} not built"),
            Listed::Count(n) => format!("; {n} documents or meetings are not built"),
        });
    }
    line
}

/// A list in a rebuild line: its names joined, with the verb that agrees
/// with them (`is`, `are`), or, past [`WATCH_NAMED_DOCUMENTS`], its count.
enum Listed {
    Names(String, &'static str),
    Count(usize),
}

/// How a rebuild line gives `items`; `None` when there are none.
fn named_or_counted(items: &[String]) -> Option<Listed> {
    match items.len() {
        0 => None,
        1 => Some(Listed::Names(items[0].clone(), "is")),
        n if n <= WATCH_NAMED_DOCUMENTS => Some(Listed::Names(items.join(", "), "are")),
        n => Some(Listed::Count(n)),
    }
}

/// One line per document written (unless `quiet`), the diagnostics, and a summary.
fn print_human(report: &BuildReport, output: &Path, quiet: bool, verb: &str) {
    let mut documents: Vec<_> = report.documents.iter().collect();
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    if !quiet {
        for doc in documents.iter().filter(|d| !d.unchanged) {
            println!(
                "{verb} {} ({} {}, {} ms)",
                output.join(&doc.path).display(),
                doc.pages,
                if doc.pages == 1 { "page" } else { "pages" },
                doc.elapsed.as_millis()
            );
        }
        for path in &report.removed {
            println!("removed {} (no longer built)", output.join(path).display());
        }
    }
    print_diagnostics(&report.diagnostics.0);
    if report.failed() {
        eprintln!(
            "build failed: {}, {}; {}",
            counted(report.diagnostics.error_count(), "error"),
            counted(report.diagnostics.warning_count(), "warning"),
            what_changed(report)
        );
    } else if !quiet {
        let unchanged = report.documents.len() - report.compiled();
        let skipped = if unchanged > 0 {
            format!(
                " ({} compiled, {unchanged} unchanged since the last build)",
                report.compiled()
            )
        } else {
            String::new()
        };
        println!(
            "built {}{skipped}, {} in {:.2} s ({})",
            counted(report.documents.len(), "document"),
            counted(report.pages(), "page"),
            report.elapsed.as_secs_f64(),
            counted(report.diagnostics.warning_count(), "warning")
        );
    }
}

/// What a failed build changed in the output: normally nothing, or only
/// the generated sources `--keep-typst` asked for.
fn what_changed(report: &BuildReport) -> String {
    if report.changed.is_empty() && !report.kept.is_empty() {
        return format!(
            "no PDF was changed; the generated Typst sources were written ({})",
            counted(report.kept.len(), "file")
        );
    }
    if report.changed.is_empty() {
        return "no output was changed".to_owned();
    }
    let files: Vec<String> = report
        .changed
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    format!(
        "these files were changed and could not be restored: {}",
        files.join(", ")
    )
}

/// One JSON object per line: each document, each diagnostic, then a summary.
fn print_json(report: &BuildReport, output: &Path) {
    let mut documents: Vec<_> = report.documents.iter().collect();
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    for doc in documents {
        let line = json!({
            "type": "document",
            "path": output.join(&doc.path),
            "pages": doc.pages,
            "compiled": !doc.unchanged,
            "ms": doc.elapsed.as_millis() as u64,
        });
        println!("{line}");
    }
    for path in &report.removed {
        println!("{}", json!({"type": "removed", "path": output.join(path)}));
    }
    for diag in &report.diagnostics.0 {
        println!("{}", diagnostic_json(diag));
    }
    let line = json!({
        "type": "summary",
        "success": !report.failed(),
        "documents": report.documents.len(),
        "compiled": report.compiled(),
        "pages": report.pages(),
        "errors": report.diagnostics.error_count(),
        "warnings": report.diagnostics.warning_count(),
        "ms": report.elapsed.as_millis() as u64,
    });
    println!("{line}");
}

/// A diagnostic as one JSON object.
fn diagnostic_json(diag: &Diagnostic) -> serde_json::Value {
    json!({
        "type": "diagnostic",
        "severity": if diag.is_error() { "error" } else { "warning" },
        "file": diag.file,
        "line": diag.position.map(|p| p.line),
        "column": diag.position.map(|p| p.column),
        "field": diag.field,
        "message": diag.message,
        "hint": diag.hint,
    })
}

/// The exit code of a run: failure when anything was an error.
pub fn exit_code(report: &BuildReport) -> ExitCode {
    if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
