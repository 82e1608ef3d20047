//! Tracing (pipeline stage): Typst's errors in generated source, pointed back at
//! the template line that produced the place and the content that wrote it.

use std::path::{Path, PathBuf};

use super::context::{job_context, render_job};
use super::plan::Job;
use crate::diagnostic::{Diagnostic, Position, Severity};
use crate::model::Project;
use crate::render::{Origin, Renderer};

/// Characters of a traced value quoted in the hint.
const QUOTED_CHARS: usize = 60;

/// Points Typst's diagnostics in the generated source `name` at the template
/// line that produced the place instead, naming the generated position and,
/// when the place is text printed from content, where that text is written.
pub(crate) fn trace_to_templates(
    renderer: &Renderer,
    project: &Project,
    job: &Job,
    name: &str,
    diags: &mut [Diagnostic],
) {
    let in_generated =
        |d: &Diagnostic| d.file.as_deref() == Some(Path::new(name)) && d.position.is_some();
    if !diags.iter().any(in_generated) {
        return;
    }
    // Rendered again rather than kept: this runs only when a document fails.
    // Diagnostics point into the document as one source.
    let Ok(source) = render_job(renderer, project, job) else {
        return;
    };
    let Some(map) = renderer.origins(
        job.kind.template(),
        job_context(project, renderer.labels(), job),
        &source,
    ) else {
        return;
    };
    for diag in diags.iter_mut().filter(|d| in_generated(d)) {
        let Some(position) = diag.position else {
            continue;
        };
        if let Some(origin) = map.at(position.line, position.column) {
            retarget(diag, origin, name, position, |value| {
                find_in_content(project, job, value)
            });
        }
    }
}

/// Moves `diag` from `position` in the generated source `name` to the template
/// line of `origin`, with notes on where the place came from.
fn retarget(
    diag: &mut Diagnostic,
    origin: Origin,
    name: &str,
    position: Position,
    find: impl FnOnce(&str) -> Option<(PathBuf, Position)>,
) {
    let mut notes = vec![format!(
        "in the generated source {name}:{}:{}",
        position.line, position.column
    )];
    if let Some(value) = &origin.value {
        let shown: String = value.trim().chars().take(QUOTED_CHARS).collect();
        notes.push(match find(value) {
            Some((file, at)) => format!(
                "the place is in text from {}:{}:{} (`{shown}`){}",
                file.display(),
                at.line,
                at.column,
                // A warning (text that runs off the page) is about the text itself.
                if diag.severity == Severity::Error {
                    "; text from content prints as text and cannot be Typst code, so the template must not put it where Typst expects code"
                } else {
                    ""
                }
            ),
            None => format!("the place is in text printed by the template (`{shown}`)"),
        });
    }
    if let Some(hint) = diag.hint.take() {
        notes.push(hint);
    }
    diag.file = Some(origin.template);
    diag.position = Some(Position {
        line: origin.line,
        column: origin.column.unwrap_or(1),
    });
    diag.snippet = Some(origin.source_line);
    diag.snippet_column = None;
    diag.hint = Some(notes.join("; "));
}

/// Where in the job's meeting (or body) `value` is written: the first line
/// of a content file containing its first line.
fn find_in_content(project: &Project, job: &Job, value: &str) -> Option<(PathBuf, Position)> {
    let needle = value.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut files = Vec::new();
    collect_files(
        project.sources.meeting_dir(job.body, job.meeting),
        &mut files,
    );
    files.sort();
    files.push(
        project
            .sources
            .body_dir(job.body)
            .join(crate::load::BODY_FILE),
    );
    // Read like the load stage reads: confined, regular files only, bounded.
    let body_dir = project.sources.body_dir(job.body);
    let root = crate::fsread::Root::content(body_dir);
    files.into_iter().find_map(|file| {
        let bytes = crate::fsread::read_file(root, &file, crate::load::MAX_FILE_BYTES).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        text.lines().enumerate().find_map(|(n, line)| {
            let i = line.find(needle)?;
            let at = Position {
                line: n + 1,
                column: line[..i].chars().count() + 1,
            };
            Some((file.clone(), at))
        })
    })
}

/// The content files (YAML and Markdown) under `dir`, recursively.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // Links to folders are not followed: a link to a folder above would never end.
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            collect_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "md")
        {
            out.push(path);
        }
    }
}
