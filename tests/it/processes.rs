//! Compiler processes: a build of more documents than workers compiles in
//! child processes of the binary; what they make must be what one process
//! makes, byte for byte and message for message.

use std::fs;
use std::path::{Path, PathBuf};

use motebok::compile::{CompileRequest, Compiled};
use motebok::diagnostic::Diagnostic;
use motebok::model::{FileBytes, FileMap};
use motebok::pipeline::workers::{Compiler, Processes};
use motebok::world::Typesetter;
use typst_pdf::PdfStandard;

use crate::common::{BIN, add_to_paper_template, copy_tree, root, run, stderr};

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
        source: source.to_owned(),
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
    let processes = Processes::start(PathBuf::from(BIN)).expect("a compiler process starts");
    let there = Compiler::Processes(processes);
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

#[cfg(unix)]
#[test]
fn a_compiler_process_that_dies_fails_its_document_with_a_clear_error() {
    // `sh compile-worker` finds no such script and exits at once.
    let processes = Processes::start(PathBuf::from("/bin/sh")).expect("sh starts");
    let compiler = Compiler::Processes(processes);
    let errors = compile(&compiler, "nehs/2020-07/innkalling.typ", "Tekst").unwrap_err();
    let text = errors[0].to_string();
    assert!(
        text.starts_with("error: nehs/2020-07/innkalling.typ: the compiler process failed ("),
        "{text}"
    );
    assert!(text.contains("it ended with exit status"), "{text}");
    assert!(text.contains("--jobs 1"), "{text}");
    // The next document starts a new process (which fails the same way).
    assert!(compile(&compiler, "b.typ", "Tekst").is_err());
}

#[test]
fn a_binary_that_cannot_start_means_compiling_here() {
    assert!(Processes::start(PathBuf::from("/no/such/motebok")).is_none());
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
    let one = run(project.path(), &["build", "--jobs", "1", "--output", "one"]);
    let two = run(project.path(), &["build", "--jobs", "2", "--output", "two"]);
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

#[test]
fn a_typst_error_in_compiler_processes_reads_as_in_one_process() {
    let project = tempfile::tempdir().unwrap();
    copy_tree(&root().join("templates"), &project.path().join("templates"));
    copy_tree(
        &root().join("tests/fixtures/mini"),
        &project.path().join("content"),
    );
    add_to_paper_template(project.path(), "#nosuchfunction()");
    let one = run(project.path(), &["build", "--jobs", "1"]);
    let two = run(project.path(), &["build", "--jobs", "2"]);
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(two.status.code(), Some(1));
    let err = stderr(&two);
    assert!(
        err.contains("templates/sak.typ.j2:9:2: typst: unknown variable: nosuchfunction"),
        "{err}"
    );
    assert_eq!(messages(&stderr(&one)), messages(&err));
    let output = project.path().join("output");
    assert!(
        !output.exists() || pdfs(&output).is_empty(),
        "no PDF is written"
    );
}
