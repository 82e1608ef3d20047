//! The synthetic archive: meetings cycled from the examples, built cold with
//! motebok, and its generated sources compiled by the typst CLI.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::common::{BIN, copy_tree, root};
use crate::sys::{Measured, files_with, ms, run_measured, sorted_dirs};

/// A synthetic archive: `count` meetings cycled from the examples, ten a year,
/// every case numbered `auto` so numbering runs through each year.
pub fn generate_archive(examples: &Path, target: &Path, count: usize) {
    let mut sources: Vec<(PathBuf, PathBuf)> = Vec::new();
    for body in sorted_dirs(examples) {
        for meeting in sorted_dirs(&body) {
            if meeting.join("meeting.yaml").is_file() {
                sources.push((body.clone(), meeting));
            }
        }
    }
    assert!(
        !sources.is_empty(),
        "no example meetings in {}",
        examples.display()
    );
    let mut bodies: Vec<PathBuf> = sources.iter().map(|(b, _)| b.clone()).collect();
    bodies.dedup();
    for body in &bodies {
        copy_body_files(body, &target.join(body.file_name().unwrap()));
    }
    let per_body = count.div_ceil(bodies.len());
    let mut made = 0;
    for (b, body) in bodies.iter().enumerate() {
        let meetings: Vec<&PathBuf> = sources
            .iter()
            .filter(|(x, _)| x == body)
            .map(|(_, m)| m)
            .collect();
        let format = first_case_format(body);
        for i in 0..per_body.min(count - made) {
            let dir = target.join(body.file_name().unwrap()).join(format!(
                "{}-{:02}",
                2001 + i / 10,
                i % 10 + 1
            ));
            copy_meeting(meetings[i % meetings.len()], &dir, (i, b), &format);
            made += 1;
        }
    }
}

/// Copies the files of a body's folder (`body.yaml`, its logo), not its meetings.
fn copy_body_files(body: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(body).unwrap().map(|e| e.unwrap()) {
        if entry.file_type().unwrap().is_file() {
            fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// How the first case number of a year is written in the body's
/// `case_format`: its first series as prefix, its digits as width.
struct FirstCase {
    prefix: String,
    digits: usize,
}

fn first_case_format(body: &Path) -> FirstCase {
    let text = fs::read_to_string(body.join("body.yaml")).unwrap();
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let format = value.get("case_format");
    let digits = format
        .and_then(|f| f.get("digits"))
        .and_then(serde_yaml_ng::Value::as_u64)
        .unwrap_or(0) as usize;
    let series = format
        .and_then(|f| f.get("series"))
        .and_then(|s| s.get(0))
        .and_then(serde_yaml_ng::Value::as_str);
    FirstCase {
        prefix: series.map(|s| format!("{s} ")).unwrap_or_default(),
        digits,
    }
}

/// Copies the example meeting `source` to `dir` as the `i`th meeting of body
/// number `b`; the first meeting's first case is number 1 in `format`.
fn copy_meeting(source: &Path, dir: &Path, (i, b): (usize, usize), format: &FirstCase) {
    let year = 2001 + i / 10;
    let n = i % 10 + 1;
    copy_tree(source, dir);
    let _ = fs::remove_file(dir.join("minutes.yaml"));
    let _ = fs::remove_file(dir.join("referat-kilde.md"));
    let text = fs::read_to_string(source.join("meeting.yaml")).unwrap();
    let first_case = (n == 1 && i < 10).then(|| {
        let FirstCase { prefix, digits } = format;
        format!("{prefix}{:0digits$}/{:02}", 1, year % 100)
    });
    let date = format!("{year}-{:02}-{:02}", n + 1, 10 + b);
    let text = renumbered(&text, &format!("{n}/{year}"), &date, first_case);
    fs::write(dir.join("meeting.yaml"), text).unwrap();
}

/// A copied `meeting.yaml` as meeting `number` on `date`: no previous meeting
/// or order note, the first case numbered `first_case` (opening a year) and
/// every other `auto`, all in the body's first series.
fn renumbered(text: &str, number: &str, date: &str, first_case: Option<String>) -> String {
    let mut value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).unwrap();
    let map = value.as_mapping_mut().unwrap();
    map.insert("number".into(), number.into());
    map.insert("date".into(), date.into());
    map.remove("previous_meeting");
    map.remove("order_note");
    let agenda = map
        .get_mut("agenda")
        .and_then(|a| a.as_sequence_mut())
        .unwrap();
    let mut first = first_case;
    for row in agenda.iter_mut() {
        let row = row.as_mapping_mut().unwrap();
        if row.contains_key("case") {
            let case = first.take().unwrap_or_else(|| "auto".into());
            row.insert("case".into(), case.into());
            row.remove("series");
        }
    }
    serde_yaml_ng::to_string(&value).unwrap()
}

/// A project folder with the repository's templates and a generated archive of `size` meetings.
pub fn make_archive(dir: &Path, size: usize) {
    copy_tree(&root().join("templates"), &dir.join("templates"));
    generate_archive(&root().join("content"), &dir.join("content"), size);
}

/// `motebok build --quiet [--force] [--jobs J] [args]` in `project`, measured;
/// `fresh` removes the output first (a cold build).
pub fn build(
    project: &Path,
    jobs: Option<usize>,
    fresh: bool,
    args: &[&str],
    ticks: f64,
) -> Measured {
    if fresh {
        let _ = fs::remove_dir_all(project.join("output"));
    }
    let mut cmd = Command::new(BIN);
    cmd.current_dir(project)
        .args(["build", "--quiet"])
        .args(args);
    if fresh {
        cmd.arg("--force");
    }
    if let Some(j) = jobs {
        cmd.args(["--jobs", &j.to_string()]);
    }
    run_measured(cmd, ticks)
}

/// Builds `project` into `output` with `--keep-typst --force` (not timed) and
/// returns the number of PDFs and their pages, read from the build's lines
/// (`wrote … (N pages, M ms)`), or from the PDFs when the lines say none.
pub fn build_keeping_sources(project: &Path, output: &str) -> (usize, usize) {
    let _ = fs::remove_dir_all(project.join(output));
    let out = Command::new(BIN)
        .current_dir(project)
        .args(["build", "--force", "--keep-typst", "--output", output])
        .stderr(Stdio::null())
        .output()
        .expect("motebok runs");
    assert!(
        out.status.success(),
        "build --keep-typst failed in {}",
        project.display()
    );
    let pdfs = files_with(&project.join(output), "pdf");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let from_lines: usize = stdout.lines().filter_map(pages_in_line).sum();
    let pages = if from_lines > 0 {
        from_lines
    } else {
        pdfs.iter().map(|p| pdf_pages(p)).sum()
    };
    (pdfs.len(), pages)
}

/// `N` of a line `wrote output/x.pdf (N pages, M ms)`.
fn pages_in_line(line: &str) -> Option<usize> {
    let (_, tail) = line.rsplit_once(" (")?;
    let (n, rest) = tail.split_once(' ')?;
    rest.starts_with("page").then(|| n.parse().ok()).flatten()
}

/// The number of pages of a PDF (0 when it cannot be read).
pub fn pdf_pages(path: &Path) -> usize {
    lopdf::Document::load(path).map_or(0, |d| d.get_pages().len())
}

/// Incremental: one case paper edited in one meeting of `archive`, then
/// `motebok build --quiet`; the wall time in milliseconds.
pub fn incremental(archive: &Path, ticks: f64) -> (String, f64) {
    let edited_meeting = sorted_dirs(&archive.join("content"))
        .into_iter()
        .flat_map(|body| sorted_dirs(&body))
        .find(|m| first_paper(m).is_some())
        .expect("a meeting with a case paper");
    let paper = first_paper(&edited_meeting).unwrap();
    let text = fs::read_to_string(&paper).unwrap();
    fs::write(&paper, format!("{text}\nEn endring i ett saksfremlegg.\n")).unwrap();
    let started = Instant::now();
    build(archive, None, false, &[], ticks);
    let name = paper.strip_prefix(archive.join("content")).unwrap();
    (name.display().to_string(), ms(started.elapsed()))
}

fn first_paper(meeting: &Path) -> Option<PathBuf> {
    let mut papers: Vec<PathBuf> = fs::read_dir(meeting.join("saker"))
        .ok()?
        .map(|e| e.unwrap().path())
        .collect();
    papers.sort();
    papers
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "md"))
}

/// The meeting with the most pages of pack (`nuit/2022-03`) of a built
/// project, and its output folder.
pub fn largest_meeting(project: &Path) -> (String, PathBuf) {
    let mut best: Option<(usize, String, PathBuf)> = None;
    for body in sorted_dirs(&project.join("output")) {
        for meeting in sorted_dirs(&body) {
            let size = pdf_pages(&meeting.join("motepakke.pdf"));
            let name = format!(
                "{}/{}",
                body.file_name().unwrap().to_string_lossy(),
                meeting.file_name().unwrap().to_string_lossy()
            );
            if best.as_ref().is_none_or(|(s, _, _)| size > *s) {
                best = Some((size, name, meeting));
            }
        }
    }
    let (_, name, out) = best.expect("examples built");
    (name, out)
}
