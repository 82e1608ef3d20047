//! Compiler processes: a build of more documents than workers compiles in
//! child processes of the binary; what they make must be what one process
//! makes, byte for byte and message for message.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use motebok::compile::{CompileRequest, Compiled};
use motebok::diagnostic::Diagnostic;
use motebok::model::{FileBytes, FileMap};
use motebok::pipeline::workers::Compile;
use motebok::pipeline::workers::{Compiler, Processes, hello_frame};
use motebok::world::Typesetter;
use typst_pdf::PdfStandard;

use crate::common::{
    BIN, add_to_paper_template, children_of, copy_tree, project_with, root, run, run_polling,
    stderr,
};

const FIGURE: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80" viewBox="0 0 300 80">
  <rect x="10" y="10" width="80" height="20" fill="#1f4e79"/>
</svg>
"##;

fn compile(compiler: &Compiler, name: &str, source: &str) -> Result<Compiled, Vec<Diagnostic>> {
    let mut files = FileMap::new();
    files.insert(
        "/0123abcd/figur.svg".to_owned(),
        FileBytes::ready(FIGURE.as_bytes()),
    );
    files.insert(
        "/0123abcd/unused.svg".to_owned(),
        FileBytes::ready(&b"not read"[..]),
    );
    let request = CompileRequest {
        name,
        source: motebok::render::SplitSource::single(source.to_owned()),
        ident: name,
        date: (2020, 12, 16),
        standards: &[PdfStandard::A_2a, PdfStandard::Ua_1],
        text: true,
    };
    compiler.compile(request, files)
}

/// A PDF's bytes, pages, text and warnings.
type Made = (Vec<u8>, usize, Vec<String>, Vec<Diagnostic>);

/// The fields of a result that can be compared: what was made, or the errors.
fn outcome(result: Result<Compiled, Vec<Diagnostic>>) -> Result<Made, Vec<Diagnostic>> {
    result.map(|c| (c.pdf, c.pages, c.text, c.warnings))
}

#[test]
fn a_compiler_process_makes_what_this_process_makes() {
    let processes = Processes::start(PathBuf::from(BIN), 1).expect("a compiler process starts");
    let there = Compiler::Processes(processes);
    // A document's work spread over several threads makes the same bytes.
    let spread = Processes::start(PathBuf::from(BIN), 3).expect("a compiler process starts");
    let spread = Compiler::Processes(spread);
    let here = Compiler::InProcess(Typesetter::shared());
    let head = "#set document(title: \"Prøve\")\n#set text(font: \"Carlito\", lang: \"nb\")\n";
    let word = "abcdefghij".repeat(13);
    let cases = [
        // A figure read from the project files, asked for while compiling.
        (
            "figur.typ",
            format!(
                "{head}= Tittel\n#image(\"/0123abcd/figur.svg\", alt: \"Tidslinje\")\nTekst æøå."
            ),
        ),
        // A warning, with its place.
        ("bred.typ", format!("{head}Tekst\n\n{word}")),
        // Errors, with their places: a missing variable, a file not offered.
        ("feil.typ", format!("{head}Linje\n#nosuchfunction()")),
        ("lese.typ", format!("{head}#read(\"/etc/passwd\")")),
        // A file offered but not read is never asked for; one offered twice is.
        (
            "to.typ",
            format!(
                "{head}#image(\"/0123abcd/figur.svg\", alt: \"A\")\n#image(\"/0123abcd/figur.svg\", alt: \"B\")"
            ),
        ),
    ];
    for (name, source) in &cases {
        let a = outcome(compile(&here, name, source));
        let b = outcome(compile(&there, name, source));
        assert!(
            a == b,
            "{name}: in this process {a:?}\nin a compiler process {b:?}"
        );
        let c = outcome(compile(&spread, name, source));
        assert!(a == c, "{name}: on 3 threads {c:?}");
    }
    let figure = outcome(compile(&there, "figur.typ", &cases[0].1)).unwrap();
    assert!(figure.2[0].contains("Tekst æøå"), "{:?}", figure.2);
    let warned = outcome(compile(&there, "bred.typ", &cases[1].1)).unwrap();
    assert!(
        warned.3[0]
            .to_string()
            .contains("bred.typ:5:1: text runs off the right edge"),
        "{:?}",
        warned.3
    );
    let errors = outcome(compile(&there, "feil.typ", &cases[2].1)).unwrap_err();
    assert!(
        errors[0]
            .to_string()
            .starts_with("error: feil.typ:4:2: typst: unknown variable: nosuchfunction"),
        "{errors:?}"
    );
}

/// A stand-in for the binary: a shell script, in `dir`, that does `before`,
/// says it is a compiler process of this build (the hello of the real one)
/// and does `then`; each start is logged to `dir/started`.
#[cfg(unix)]
fn stand_in(dir: &Path, before: &str, then: &str) -> PathBuf {
    fs::write(dir.join("hello"), hello_frame()).unwrap();
    let d = dir.display();
    script(
        dir,
        &format!("echo $$ >> {d}/started\n{before}\ncat {d}/hello\n{then}"),
    )
}

/// An executable shell script `dir/motebok` running `body`.
#[cfg(unix)]
fn script(dir: &Path, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("motebok");
    fs::write(&script, format!("#!/bin/sh\n{body}\n")).unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[cfg(unix)]
fn starts(dir: &Path) -> Vec<u32> {
    let log = fs::read_to_string(dir.join("started")).unwrap_or_default();
    log.lines().map(|l| l.parse().unwrap()).collect()
}

#[cfg(unix)]
#[test]
fn a_compiler_process_that_dies_fails_its_document_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // It reads the length of the request, and ends.
    let exe = stand_in(dir.path(), "", "head -c 8 > /dev/null\nexit 3");
    let compiler = Compiler::Processes(Processes::start(exe, 1).expect("it says hello"));
    assert_eq!(starts(dir.path()).len(), 1);
    let errors = compile(&compiler, "nehs/2020-07/innkalling.typ", "Tekst").unwrap_err();
    let text = errors[0].to_string();
    assert!(
        text.starts_with(
            "error: nehs/2020-07/innkalling.typ: the process compiling this document failed ("
        ),
        "{text}"
    );
    assert!(text.contains("it ended with exit status: 3"), "{text}");
    assert!(text.contains("ran out of memory"), "{text}");
    // The next document starts a new process (which fails the same way).
    assert!(compile(&compiler, "b.typ", "Tekst").is_err());
    assert_eq!(starts(dir.path()).len(), 2);
}

#[cfg(target_os = "linux")]
#[test]
fn a_compiler_process_that_died_while_idle_is_replaced_not_blamed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    // The first start says hello and ends; the next ones are the binary.
    let before = format!("[ -e {d}/again ] && exec {BIN} compile-worker\ntouch {d}/again");
    let exe = stand_in(dir.path(), &before, "exit 0");
    let compiler = Compiler::Processes(Processes::start(exe, 1).expect("it says hello"));
    let first = starts(dir.path())[0];
    for _ in 0..500 {
        if ended(first) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(ended(first), "the first stand-in ended");
    let compiled = compile(&compiler, "a.typ", "#set document(title: \"A\")\nTekst").unwrap();
    assert!(compiled.pdf.starts_with(b"%PDF-"));
    assert_eq!(starts(dir.path()).len(), 2);
}

#[test]
fn a_binary_that_is_not_this_motebok_means_compiling_here() {
    assert!(Processes::start(PathBuf::from("/no/such/motebok"), 1).is_none());
    // `sh compile-worker` finds no such script and says no hello.
    #[cfg(unix)]
    assert!(Processes::start(PathBuf::from("/bin/sh"), 1).is_none());
}

#[cfg(unix)]
#[test]
fn a_binary_that_says_nothing_does_not_hold_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let silent = script(dir.path(), "exec sleep 600");
    let started = std::time::Instant::now();
    assert!(Processes::start(silent, 1).is_none());
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

/// The compiler processes a running process has started (Linux; none
/// elsewhere): its children whose command line names the subcommand.
fn compilers_of(pid: u32) -> HashSet<u32> {
    children_of(pid)
        .into_iter()
        .filter(|child| {
            fs::read(format!("/proc/{child}/cmdline"))
                .is_ok_and(|cmd| String::from_utf8_lossy(&cmd).contains("compile-worker"))
        })
        .collect()
}

/// Runs `motebok` with `args` in `dir`, noting the compiler processes it
/// starts while it runs.
fn run_seeing_compilers(dir: &Path, args: &[&str]) -> (Output, HashSet<u32>) {
    let mut seen = HashSet::new();
    let output = run_polling(dir, args, Duration::from_millis(5), |pid| {
        seen.extend(compilers_of(pid));
        Ok(())
    });
    (output, seen)
}

/// Whether process `pid` has ended (gone, or a zombie not yet reaped).
fn ended(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z'))
    })
}

/// The mini fixture with its body twice (`styret` and `radet`): two
/// meetings, so that a build with 2 jobs compiles them in two compiler
/// processes (one meeting is compiled here, on both cores).
fn two_meetings() -> tempfile::TempDir {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let content = project.path().join("content");
    copy_tree(&content.join("styret"), &content.join("radet"));
    let body = content.join("radet/body.yaml");
    let text = fs::read_to_string(&body).unwrap();
    fs::write(&body, text.replacen("id: styret", "id: radet", 1)).unwrap();
    project
}

#[cfg(target_os = "linux")]
#[test]
fn compiler_processes_end_soon_after_a_killed_build() {
    let project = two_meetings();
    // Each case paper takes seconds to compile (144 million empty turns of
    // a loop): a compiler process is busy with one when the build is killed.
    add_to_paper_template(
        project.path(),
        "#for a in range(12000) { for b in range(12000) { } }",
    );
    let mut build = Command::new(BIN)
        .args(["build", "--jobs", "2", "--quiet"])
        .current_dir(project.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut compilers = HashSet::new();
    for _ in 0..6000 {
        compilers = compilers_of(build.id());
        if compilers.len() == 2 || build.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        compilers.len(),
        2,
        "the build started two compiler processes"
    );
    // Both are at a meeting's pack or case paper.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        build.try_wait().unwrap().is_none(),
        "the build is still going"
    );
    // SIGKILL: the build can do nothing about it.
    build.kill().unwrap();
    build.wait().unwrap();
    // Within 2 s, where a paper takes seconds more.
    for _ in 0..200 {
        if compilers.iter().all(|&pid| ended(pid)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let left: Vec<_> = compilers.iter().filter(|&&pid| !ended(pid)).collect();
    assert!(
        left.is_empty(),
        "compiler processes outlived the build: {left:?}"
    );
}

/// Every PDF under `dir`, by path relative to it.
fn pdfs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "pdf") {
                let rel = path.strip_prefix(dir).unwrap().to_path_buf();
                found.push((rel, fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

/// The lines of a build's messages, less the timings (`(1 page, 6 ms)`, `in 1.2 s`).
fn messages(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with("wrote ") && !l.starts_with("built "))
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

#[test]
fn a_build_in_compiler_processes_writes_what_one_process_writes() {
    let project = tempfile::tempdir().unwrap();
    copy_tree(&root().join("content"), &project.path().join("content"));
    let (one, none) =
        run_seeing_compilers(project.path(), &["build", "--jobs", "1", "--output", "one"]);
    let (two, seen) =
        run_seeing_compilers(project.path(), &["build", "--jobs", "2", "--output", "two"]);
    if cfg!(target_os = "linux") {
        assert!(
            none.is_empty(),
            "one job compiles in its own process: {none:?}"
        );
        assert!(
            (1..=2).contains(&seen.len()),
            "one process per job at most: {seen:?}"
        );
    }
    assert!(one.status.success(), "{}", stderr(&one));
    assert!(two.status.success(), "{}", stderr(&two));
    let (one_pdfs, two_pdfs) = (
        pdfs(&project.path().join("one")),
        pdfs(&project.path().join("two")),
    );
    assert!(one_pdfs.len() > 40, "{} PDFs", one_pdfs.len());
    assert_eq!(one_pdfs.len(), two_pdfs.len());
    for ((name, a), (other, b)) in one_pdfs.iter().zip(&two_pdfs) {
        assert_eq!(name, other);
        assert!(a == b, "{} differs", name.display());
    }
    assert_eq!(messages(&stderr(&one)), messages(&stderr(&two)));
}

/// A meeting's documents share their layouts: a build of one meeting with
/// 2 jobs compiles them one after the other in this process, on both cores,
/// not side by side in two compiler processes; the PDFs are the same.
#[test]
fn one_meeting_is_compiled_as_one_whatever_the_jobs() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let (one, _) =
        run_seeing_compilers(project.path(), &["build", "--jobs", "1", "--output", "one"]);
    let (two, seen) =
        run_seeing_compilers(project.path(), &["build", "--jobs", "2", "--output", "two"]);
    assert!(one.status.success(), "{}", stderr(&one));
    assert!(two.status.success(), "{}", stderr(&two));
    if cfg!(target_os = "linux") {
        assert!(seen.is_empty(), "no compiler process: {seen:?}");
    }
    let (one_pdfs, two_pdfs) = (
        pdfs(&project.path().join("one")),
        pdfs(&project.path().join("two")),
    );
    assert_eq!(one_pdfs.len(), 6);
    assert!(one_pdfs == two_pdfs, "the same PDFs");
}

#[test]
fn a_typst_error_in_compiler_processes_reads_as_in_one_process() {
    let project = two_meetings();
    add_to_paper_template(project.path(), "#nosuchfunction()");
    let one = run(project.path(), &["build", "--jobs", "1"]);
    let (two, seen) = run_seeing_compilers(project.path(), &["build", "--jobs", "2"]);
    if cfg!(target_os = "linux") {
        // Two, unless one meeting's child was idle again before the other
        // meeting's first document (every document fails at once).
        assert!(
            (1..=2).contains(&seen.len()),
            "compiled in compiler processes: {seen:?}"
        );
    }
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(two.status.code(), Some(1));
    let err = stderr(&two);
    assert!(
        err.contains("templates/sak.typ.j2:6:2: typst: unknown variable: nosuchfunction"),
        "{err}"
    );
    assert_eq!(messages(&stderr(&one)), messages(&err));
    let output = project.path().join("output");
    assert!(
        !output.exists() || pdfs(&output).is_empty(),
        "no PDF is written"
    );
}

/// motebok's processes do without transparent huge pages: with them,
/// mimalloc's arenas made each worker thread and each compiler process hold
/// 2 MiB where it touched a little (16 jobs held 1127 MiB instead of 675).
#[cfg(target_os = "linux")]
#[test]
fn motebok_runs_without_transparent_huge_pages() {
    let mut child = Command::new(BIN)
        .arg("compile-worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The hello comes once main has begun: the flag is set by then.
    let mut len = [0u8; 8];
    let said = std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut len);
    let status = fs::read_to_string(format!("/proc/{}/status", child.id()));
    let _ = child.kill();
    child.wait().unwrap();
    said.expect("the compiler process says hello");
    let status = status.unwrap();
    let Some(line) = status.lines().find(|l| l.starts_with("THP_enabled:")) else {
        eprintln!("this kernel does not report THP_enabled (Linux 5.0 and later): not checked");
        return;
    };
    assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
}
