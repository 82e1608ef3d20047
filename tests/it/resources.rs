//! Bounded resources (issue 11, "Resources"): content built to exhaust time or
//! memory ends with a located error instead. Every project is generated here
//! at run time (megabytes are not committed); each run is watched by a
//! generous watchdog, so a regression fails instead of hanging: nothing here
//! asserts a time, only that the run ends.

use std::fs;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{copy_tree, root, run, run_polling, stderr};

/// Longest a run may take before the test fails: far beyond what any of these
/// runs needs once bounded, far below what they took unbounded.
const WATCHDOG: Duration = Duration::from_secs(90);

/// A project with the real templates and the `markdown-html` case's content,
/// with `meeting.yaml` and the paper `saker/02-24.md` replaced when given.
fn project(meeting: Option<&str>, paper: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("templates"), &dir.path().join("templates"));
    let case = root().join("tests/bad-input/markdown-html/content");
    copy_tree(&case, &dir.path().join("content"));
    let meeting_dir = dir.path().join("content/styret/2024-01");
    if let Some(text) = meeting {
        fs::write(meeting_dir.join("meeting.yaml"), text).unwrap();
    }
    if let Some(text) = paper {
        fs::write(meeting_dir.join("saker/02-24.md"), text).unwrap();
    }
    dir
}

/// Runs `motebok args` in `dir`, failing the test if it outlives [`WATCHDOG`].
#[track_caller]
fn run_watched(dir: &Path, args: &[&str]) -> Output {
    let started = Instant::now();
    run_polling(dir, args, Duration::from_millis(50), |_| {
        if started.elapsed() > WATCHDOG {
            return Err(format!("motebok {args:?} ran for more than {WATCHDOG:?}"));
        }
        Ok(())
    })
}

/// Runs `motebok check` and returns its stderr, asserting that it failed.
#[track_caller]
fn check_fails(dir: &Path) -> String {
    let out = run_watched(dir, &["check"]);
    let text = stderr(&out);
    assert!(!out.status.success(), "check should fail:\n{text}");
    assert!(!text.contains("panicked"), "{text}");
    text
}

#[track_caller]
fn assert_has(text: &str, needle: &str) {
    assert!(
        text.contains(needle),
        "expected {needle:?} in:\n{}",
        &text[..text.len().min(4000)]
    );
}

/// Lines of `text` that start a diagnostic.
fn headers(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.starts_with("error:") || l.starts_with("warning:"))
        .collect()
}

const HEAD: &str = "number: 1/2024\ndate: 2024-02-14\nstart: \"09:00\"\nplace: Møterom Ø1\n";

#[test]
fn a_string_alias_bomb_is_refused_unexpanded() {
    // A 900 KB anchored text and a million aliases of it: a terabyte expanded.
    let meeting = format!(
        "{HEAD}notes: &s {}\nx: [{}]\n",
        "x".repeat(900_000),
        "*s,".repeat(1_000_000)
    );
    let dir = project(Some(&meeting), None);
    let text = check_fails(dir.path());
    assert_has(
        &text,
        "meeting.yaml:6:5: invalid YAML: aliases expand to too many values",
    );
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let meeting = format!("{HEAD}notes: {}\n", "{a: ".repeat(150_000));
    let dir = project(Some(&meeting), None);
    let text = check_fails(dir.path());
    // The 65th `{` on line 5, after `notes: ` and 64 times `{a: `.
    assert_has(
        &text,
        "meeting.yaml:5:264: invalid YAML: lists or mappings are nested more than 64 levels deep",
    );
}

#[test]
fn a_long_line_of_html_gives_a_bounded_report() {
    // 300 KB on one line, a problem every three bytes.
    let dir = project(None, Some(&"<b>".repeat(100_000)));
    let text = check_fails(dir.path());
    assert_has(&text, "02-24.md:1:1: HTML is not supported");
    assert_has(&text, "02-24.md:1:4: HTML is not supported");
    // 100 000 tags and one word too long (the line has no space).
    assert_has(&text, "02-24.md: and 99951 more problems in this file");
    assert_eq!(headers(&text).len(), 51, "{}", headers(&text).join("\n"));
    // Snippets show a window of the line, not the line.
    assert!(text.len() < 100_000, "{} bytes of output", text.len());
}

#[test]
fn many_lines_of_html_give_a_bounded_report() {
    let dir = project(None, Some(&"a <b>\n".repeat(100_000)));
    let text = check_fails(dir.path());
    assert_has(&text, "02-24.md:1:3: HTML is not supported");
    assert_has(&text, "02-24.md:50:3: HTML is not supported");
    assert_has(&text, "02-24.md: and 99950 more problems in this file");
    assert!(!text.contains("02-24.md:51:3"), "{text}");
}

#[test]
fn many_distinct_accented_letters_are_not_each_probed() {
    // 64 000 distinct pairs of a letter and a combining mark.
    let bases = ('a'..='z')
        .chain('A'..='Z')
        .chain('\u{C0}'..='\u{24F}')
        .filter(|c| c.is_alphabetic());
    let marks: Vec<char> = ('\u{300}'..='\u{36F}')
        .chain('\u{1DC0}'..='\u{1DFF}')
        .collect();
    let mut paper = String::new();
    for (i, base) in bases.enumerate().take(64_000 / marks.len() + 1) {
        for mark in &marks {
            paper.push(base);
            paper.push(*mark);
            paper.push(' ');
        }
        if i % 4 == 3 {
            paper.push('\n');
        }
    }
    let dir = project(None, Some(&paper));
    let text = check_fails(dir.path());
    assert_has(&text, "02-24.md:1:");
    assert_has(
        &text,
        "different unusual characters or accented letters in one file: they cannot all be checked",
    );
}

/// The probes are counted per distinct letter and mark, not per occurrence:
/// a paper written with decomposed letters (`a` + ring, as text copied out of
/// some PDFs is) is not refused however often they occur, and the answer does
/// not depend on which papers were checked before (they are checked in parallel).
#[test]
fn the_same_decomposed_letters_again_and_again_are_fine() {
    let marks = ['\u{30A}', '\u{301}', '\u{308}', '\u{300}'];
    let mut paper = String::from("## Bakgrunn\n\n");
    for i in 0..400 {
        paper.push(['a', 'e', 'o', 'u'][i % 4]);
        paper.push(marks[i / 4 % marks.len()]);
        paper.push_str(if i % 20 == 19 { "\n" } else { " " });
    }
    let dir = project(None, Some(&paper));
    let out = run(dir.path(), &["check"]);
    let text = stderr(&out);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("cannot all be checked"), "{text}");
}

#[test]
fn long_runs_and_words_are_refused_at_load() {
    let paper = format!(
        "## Bakgrunn\n\nSe {}\n\nOrd: {}\n",
        "[".repeat(200_000),
        "abcdefghij".repeat(4_000)
    );
    let dir = project(None, Some(&paper));
    let text = check_fails(dir.path());
    assert_has(
        &text,
        "02-24.md:3:4: the character `[` is repeated more than 200 times in a row",
    );
    assert_has(
        &text,
        "02-24.md:5:6: a word of more than 4000 characters without a space cannot be typeset",
    );
}

#[test]
fn diagnostics_are_capped_per_file() {
    let mut meeting = format!("{HEAD}agenda:\n");
    for i in 1..=120 {
        meeting.push_str(&format!(
            "  - case: {i}/24\n    title: Sak\n    kind: orientering\n    presenter: ukjent{i}\n    duration: 5\n"
        ));
    }
    let dir = project(Some(&meeting), None);
    let text = check_fails(dir.path());
    let own: Vec<&str> = headers(&text)
        .into_iter()
        .filter(|l| l.contains("meeting.yaml"))
        .collect();
    assert_eq!(own.len(), 51, "{}", own.join("\n"));
    assert_has(&text, "meeting.yaml: and 70 more problems in this file");
}

#[test]
fn too_many_jobs_are_refused() {
    let dir = project(None, None);
    let out = run_watched(dir.path(), &["build", "--jobs", "100000"]);
    let text = stderr(&out);
    assert!(!out.status.success(), "{text}");
    assert_has(&text, "at most 256 documents can be compiled at once");
}

#[test]
fn action_points_never_closed_are_bounded() {
    // 1 000 meetings that each raise an action point and close none.
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("templates"), &dir.path().join("templates"));
    let body = root().join("tests/bad-input/markdown-html/content/styret/body.yaml");
    let content = dir.path().join("content/styret");
    fs::create_dir_all(&content).unwrap();
    fs::copy(body, content.join("body.yaml")).unwrap();
    for i in 0..1000 {
        let (year, month) = (2000 + i / 10, i % 10 + 1);
        let meeting = content.join(format!("{year}-{month:02}"));
        fs::create_dir_all(&meeting).unwrap();
        let case = format!("{month}/{:02}", year % 100);
        fs::write(
            meeting.join("meeting.yaml"),
            format!(
                "number: {month}/{year}\ndate: {year}-{month:02}-14\nstart: \"09:00\"\nplace: Rom\nagenda:\n  - case: {case}\n    title: Sak\n    kind: orientering\n    duration: 5\n"
            ),
        )
        .unwrap();
        fs::write(
            meeting.join("minutes.yaml"),
            format!(
                "status: final\napproved: {{ date: {year}-{month:02}-20 }}\nitems:\n  - case: {case}\n    notes: Tatt til orientering.\nactions:\n  - text: Oppfølging {i}\n    owner: aleder\n"
            ),
        )
        .unwrap();
    }
    let text = check_fails(dir.path());
    // The 201st action point, raised in the 201st meeting (2020-01).
    assert_has(
        &text,
        "content/styret/2020-01/minutes.yaml:7:5: actions[0]: 200 action points are open already",
    );
}

#[test]
fn a_paper_of_too_many_blocks_is_refused() {
    // 30 000 short table rows: thousands of pages, gigabytes to lay out.
    let paper = format!("|a|b|\n|-|-|\n{}", "|x|y|\n".repeat(30_000));
    let dir = project(None, Some(&paper));
    let text = check_fails(dir.path());
    assert_has(
        &text,
        "02-24.md:5002:1: the text has more than 5000 paragraphs, headings, list items and table rows",
    );
}
