//! `motebok watch` on a temp copy of a fixture: an edit is rebuilt, broken YAML
//! is reported while the last good PDFs stay, and fixing it recovers.
//! No timing is asserted here; speed lives in the benchmark.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use crate::common::*;

/// Generous bound so a stuck watcher fails the test instead of hanging CI.
const PATIENCE: Duration = Duration::from_secs(120);

struct Watch {
    child: Child,
    lines: Receiver<String>,
    errors: Receiver<String>,
}

impl Watch {
    /// Waits for a stdout line containing `needle`, returning it.
    #[track_caller]
    fn expect_line(&self, needle: &str) -> String {
        wait_for(&self.lines, needle, "line")
    }

    /// Waits for a stderr line containing `needle` (stderr is read on its own
    /// thread, so it may arrive after the stdout line that follows it).
    #[track_caller]
    fn expect_error(&self, needle: &str) -> String {
        wait_for(&self.errors, needle, "error")
    }
}

#[track_caller]
fn wait_for(lines: &Receiver<String>, needle: &str, what: &str) -> String {
    loop {
        match lines.recv_timeout(PATIENCE) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => continue,
            Err(_) => panic!("watch printed no {what} with {needle:?}"),
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines_of(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Watch {
    /// Starts `motebok watch` in `project`.
    fn start(project: &Path) -> Watch {
        let mut child = Command::new(BIN)
            .arg("watch")
            .current_dir(project)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("motebok watch runs");
        let lines = lines_of(child.stdout.take().unwrap());
        let errors = lines_of(child.stderr.take().unwrap());
        Watch {
            child,
            lines,
            errors,
        }
    }
}

#[test]
fn watch_rebuilds_edits_reports_errors_and_recovers() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let watch = Watch::start(project.path());
    watch.expect_line("initial build: rebuilt");

    let out = project.path().join("output/styret/2024-01");
    let paper = project.path().join("content/styret/2024-01/saker/03-24.md");
    let summons_before = fs::read(out.join("innkalling.pdf")).unwrap();

    // An edit saved the way editors do: a temp file renamed over the original.
    let text = fs::read_to_string(&paper).unwrap();
    let temp = paper.with_file_name(".03-24.md.tmp");
    fs::write(
        &temp,
        format!("{text}\nEt nytt avsnitt skrevet i watch-testen.\n"),
    )
    .unwrap();
    fs::rename(&temp, &paper).unwrap();
    let line = watch.expect_line("rebuilt");
    assert!(
        line.contains("content/styret/2024-01/saker/03-24.md"),
        "names the change: {line}"
    );
    assert!(
        line.contains("sak-03-24.pdf") && line.contains("motepakke.pdf"),
        "rebuilds the paper and the pack: {line}"
    );
    assert!(
        !line.contains("innkalling.pdf"),
        "the summons does not depend on the paper: {line}"
    );
    assert!(
        pdf_text(&out.join("sak-03-24.pdf")).contains("Et nytt avsnitt skrevet i watch-testen.")
    );
    assert!(
        pdf_text(&out.join("motepakke.pdf")).contains("Et nytt avsnitt skrevet i watch-testen.")
    );
    assert_eq!(
        fs::read(out.join("innkalling.pdf")).unwrap(),
        summons_before
    );

    // Broken YAML: the error is printed with file and line, the PDFs stay.
    let meeting = project.path().join("content/styret/2024-01/meeting.yaml");
    let good = fs::read_to_string(&meeting).unwrap();
    let pack_before = fs::read(out.join("motepakke.pdf")).unwrap();
    fs::write(&meeting, good.replace("chair: aleder", "chair: [aleder")).unwrap();
    watch.expect_line("failed with 1 errors; the last good PDFs are kept");
    let err = watch.expect_error("error: content/styret/2024-01/meeting.yaml:");
    assert!(err.contains("invalid YAML"), "{err}");
    assert_eq!(
        fs::read(out.join("motepakke.pdf")).unwrap(),
        pack_before,
        "the last good pack is kept"
    );

    // Fixed, with a visible change: the watcher recovers.
    fs::write(&meeting, good.replace("place: ", "place: Nytt rom, ")).unwrap();
    let line = watch.expect_line("rebuilt");
    assert!(line.contains("innkalling.pdf"), "{line}");
    assert!(pdf_text(&out.join("innkalling.pdf")).contains("Nytt rom,"));
}

/// Without a templates folder there is no folder of templates to watch: the
/// watcher watches the content alone and keeps running.
#[test]
fn watch_runs_without_a_templates_folder() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    fs::remove_dir_all(project.path().join("templates")).unwrap();
    let mut watch = Watch::start(project.path());
    watch.expect_line("initial build:");
    assert!(
        watch.child.try_wait().unwrap().is_none(),
        "the watcher keeps running"
    );
    // It still sees the content change.
    let meeting = project.path().join("content/styret/2024-01/meeting.yaml");
    let text = fs::read_to_string(&meeting).unwrap();
    fs::write(&meeting, text.replace("place: ", "place: Nytt rom, ")).unwrap();
    watch.expect_line("content/styret/2024-01/meeting.yaml: ");
}
