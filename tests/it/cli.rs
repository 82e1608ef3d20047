//! Runs the real binary on the examples and on fixtures: exit codes, files, PDF text, errors.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

#[test]
fn builds_the_fixture_and_reports_each_document() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    assert_contains(
        &printed,
        &[
            "wrote output/styret/2024-01/innkalling.pdf (1 page,",
            "built 6 documents,",
        ],
    );
    let meeting = project.path().join("output/styret/2024-01");
    for name in [
        "innkalling.pdf",
        "sak-01-24.pdf",
        "sak-02-24.pdf",
        "sak-03-24.pdf",
        "sak-04-24.pdf",
        "motepakke.pdf",
    ] {
        assert!(meeting.join(name).is_file(), "{name} missing");
    }
    assert!(
        !meeting.join("sak-05-24.pdf").exists(),
        "a postponed item without paper gets no case paper"
    );
    assert!(
        !meeting.join("innkalling.typ").exists(),
        "Typst source only with --keep-typst"
    );
}

#[test]
fn summons_shows_times_roster_and_agenda() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    assert!(run(project.path(), &["build"]).status.success());
    let text = pdf_text(&project.path().join("output/styret/2024-01/innkalling.pdf"));
    assert_contains(
        &text,
        &[
            "Innkalling til møte 1/2024 i Testutvalget",
            "Onsdag 14. februar 2024",
            "Kl. 09:00–10:10",
            "Cato Vikar",
            "Stedfortreder for Cecilie Medlem",
            "Dag Observatør",
            "Observatør",
            "09:00–09:05",
            "Godkjenning av referat fra møte i Testutvalget 6. desember 2023",
            "Pause",
            "09:30–09:40",
            "Saken er utsatt til møtet 10. april",
            "Endret rekkefølge på sak 3/24 og 4/24",
            "Slutt 10:10",
        ],
    );
}

#[test]
fn hostile_text_prints_literally() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    assert!(run(project.path(), &["build"]).status.success());
    let text = pdf_text(&project.path().join("output/styret/2024-01/sak-04-24.pdf"));
    assert_contains(
        &text,
        &[
            "Budsjett #27 for $2024 @ 50 % *foreløpig* _utkast_ <viktig> \\ // ikke kommentar",
            "Tekst med #hashtag, $dollar$, @referanse og",
            "post@test.no",
            "75 069 028",
        ],
    );
}

#[test]
fn case_papers_end_in_the_proposed_decision() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    assert!(run(project.path(), &["build"]).status.success());
    let dir = project.path().join("output/styret/2024-01");
    let text = pdf_text(&dir.join("sak-03-24.pdf"));
    assert_contains(
        &text,
        &[
            "Sak 3/24: Prioritering av tiltak",
            "Forslag til vedtak",
            "1. Utvalget slutter seg til prioriteringen.",
            "2. Utvalget ber sekretariatet følge opp tiltak 1 og 2.",
        ],
    );
    // Derived standing and information decisions.
    assert_contains(
        &pdf_text(&dir.join("sak-01-24.pdf")),
        &["Utvalget godkjenner innkalling og dagsorden."],
    );
    assert_contains(
        &pdf_text(&dir.join("sak-02-24.pdf")),
        &["Utvalget godkjenner referatet fra møtet 6. desember 2023."],
    );
    assert_contains(
        &pdf_text(&dir.join("sak-04-24.pdf")),
        &["Utvalget tar saken til orientering."],
    );
}

#[test]
fn pack_has_contents_every_paper_and_page_numbers() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    assert!(run(project.path(), &["build"]).status.success());
    let text = pdf_text(&project.path().join("output/styret/2024-01/motepakke.pdf"));
    assert_contains(
        &text,
        &[
            "Innhold",
            "Innkalling til møte 1/2024",
            "Sak 1/24:",
            "Sak 3/24: Prioritering av tiltak",
            "Side 1 av 5",
            "Side 5 av 5",
        ],
    );
    let pdf =
        lopdf::Document::load(project.path().join("output/styret/2024-01/motepakke.pdf")).unwrap();
    // 1/24 and 2/24 are formulaic standing items: they share a page.
    assert_eq!(pdf.get_pages().len(), 5);
    let catalog = pdf.catalog().unwrap();
    assert_eq!(
        catalog.get(b"Lang").unwrap().as_str().unwrap(),
        b"nb",
        "document language is Norwegian bokmål"
    );
    assert!(catalog.get(b"Outlines").is_ok(), "the pack has bookmarks");
    assert_eq!(
        info_string(&pdf, b"Title"),
        "Møtepakke – Testutvalget – møte 1/2024"
    );
    assert_eq!(info_string(&pdf, b"Author"), "Testutvalget");
    assert_eq!(
        info_string(&pdf, b"CreationDate"),
        "D:20240214000000Z",
        "dated from content, not the clock"
    );
}

/// A text entry of the PDF's document information dictionary.
fn info_string(pdf: &lopdf::Document, key: &[u8]) -> String {
    let info = pdf
        .trailer
        .get(b"Info")
        .and_then(|o| o.as_reference())
        .unwrap();
    let dict = pdf.get_object(info).and_then(|o| o.as_dict()).unwrap();
    let raw = dict.get(key).and_then(|o| o.as_str()).unwrap();
    match raw.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).unwrap()
        }
        None => String::from_utf8_lossy(raw).into_owned(),
    }
}

#[test]
fn keep_typst_writes_the_generated_source() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let out = run(project.path(), &["build", "--keep-typst"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let source =
        fs::read_to_string(project.path().join("output/styret/2024-01/innkalling.typ")).unwrap();
    assert!(source.contains("#set document("), "{source}");
}

#[test]
fn keep_typst_writes_the_files_the_source_shows_and_keeps_them() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let dir = project.path();
    let body = dir.join("content/styret/body.yaml");
    fs::copy(
        root().join("content/nuit/logo.svg"),
        dir.join("content/styret/logo.svg"),
    )
    .unwrap();
    let text = fs::read_to_string(&body).unwrap();
    let text = text.replace(
        "footer:",
        "logo: { file: logo.svg, alt: Eksempellogo }\nfooter:",
    );
    fs::write(&body, text).unwrap();
    let meeting = dir.join("output/styret/2024-01");
    let logos = || -> Vec<PathBuf> {
        fs::read_dir(&meeting)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .map(|p| p.join("logo.svg"))
            .filter(|p| p.is_file())
            .collect()
    };
    for round in 0..2 {
        let out = run(dir, &["build", "--keep-typst"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let found = logos();
        assert_eq!(found.len(), 1, "round {round}: {found:?}");
        assert_eq!(
            fs::read(&found[0]).unwrap(),
            fs::read(root().join("content/nuit/logo.svg")).unwrap()
        );
        // The source names the logo by the path it was written to, from the meeting's folder.
        let hash = found[0]
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let source = fs::read_to_string(meeting.join("innkalling.typ")).unwrap();
        assert!(
            source.contains(&format!("\"/{hash}/logo.svg\"")),
            "{source}"
        );
    }
    // Without --keep-typst the sources and their files go.
    let out = run(dir, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(logos().is_empty());
    assert!(!meeting.join("innkalling.typ").exists());
    let folders = fs::read_dir(&meeting)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir());
    assert_eq!(folders.count(), 0, "the emptied hash folder goes too");
}

#[test]
fn builds_are_byte_identical() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    assert!(
        run(project.path(), &["build", "--output", "a"])
            .status
            .success()
    );
    assert!(
        run(project.path(), &["build", "--output", "b"])
            .status
            .success()
    );
    for name in ["innkalling.pdf", "sak-04-24.pdf", "motepakke.pdf"] {
        let a = fs::read(project.path().join("a/styret/2024-01").join(name)).unwrap();
        let b = fs::read(project.path().join("b/styret/2024-01").join(name)).unwrap();
        assert!(a == b, "{name} differs between two builds");
    }
}

#[test]
fn bad_content_is_reported_with_file_line_and_field_and_nothing_is_written() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    assert!(run(project.path(), &["build"]).status.success());
    let pdf = project.path().join("output/styret/2024-01/innkalling.pdf");
    let before = fs::read(&pdf).unwrap();

    let meeting = project.path().join("content/styret/2024-01/meeting.yaml");
    let text = fs::read_to_string(&meeting).unwrap();
    let broken = text
        .replace("chair: aleder", "chair: aledr")
        .replace("    presenter: cmedlem\n", "    presenter: cmedlemm\n")
        .replace("kind: beslutning", "kind: beslutnig")
        .replace("paper: saker/03-24.md", "paper: saker/03-42.md")
        .replace(
            "  - break: Pause\n    duration: 10",
            "  - break: Pause\n    duration: ti",
        );
    fs::write(&meeting, broken).unwrap();

    let out = run(project.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_contains(
        &err,
        &[
            "error: content/styret/2024-01/meeting.yaml:5:8: chair: unknown member id `aledr` (not in the roster of styret)",
            "= help: did you mean `aleder`?",
            "error: content/styret/2024-01/meeting.yaml:28:15: agenda[3].duration: wrong type: found string \"ti\", expected a whole number",
            "meeting.yaml:31:11: agenda[4].kind: `beslutnig` is not a kind of item",
            "did you mean `beslutning`?",
            "meeting.yaml:35:16: agenda[4].presenter: unknown member id `cmedlemm`",
            "meeting.yaml:37:12: agenda[4].paper: case paper `saker/03-42.md` does not exist",
            "did you mean `03-24.md`?",
            "build failed:",
        ],
    );
    assert_eq!(
        fs::read(&pdf).unwrap(),
        before,
        "a failed build keeps the last good output"
    );
}

#[test]
fn a_failed_build_changes_no_output_at_all() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    assert!(run(project.path(), &["build"]).status.success());
    let output = project.path().join("output/styret/2024-01");
    let snapshot = |dir: &std::path::Path| {
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let before = snapshot(&output);

    // The summons changes, and the case paper template has a Typst error: the
    // summons compiles, but the build fails, so not even the summons is replaced.
    let meeting = project.path().join("content/styret/2024-01/meeting.yaml");
    let text = fs::read_to_string(&meeting).unwrap();
    fs::write(&meeting, text.replace("Møterom Ø1", "Møterom Ø2")).unwrap();
    let template = project.path().join("templates/sak.typ.j2");
    let text = fs::read_to_string(&template).unwrap();
    fs::write(&template, format!("{text}\n#nosuchfunction()\n")).unwrap();

    let out = run(project.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_contains(
        &err,
        &[
            "error: templates/sak.typ.j2:12:2: typst: unknown variable: nosuchfunction",
            "12 | #nosuchfunction()",
            "= help: in the generated source styret/2024-01/sak-",
            "build failed: 1 error, 0 warnings; no output was changed",
        ],
    );
    assert!(!stdout(&out).contains("wrote"), "{}", stdout(&out));
    assert!(
        snapshot(&output) == before,
        "every earlier PDF is byte for byte as it was, and no temporary file is left"
    );
}

#[test]
fn check_reports_without_writing() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let out = run(project.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_contains(
        &stdout(&out),
        &["checked 6 documents: 0 errors, 0 warnings"],
    );
    assert!(!project.path().join("output").exists());
}

/// A Typst error in a shared part (the case paper, which the paper and the
/// pack both include, see `render::split`) is traced to its template line,
/// and its place in the generated source is where the kept source has it:
/// `--keep-typst` writes the generated sources of a failed build (before, it
/// wrote nothing, so the hint to run with it led nowhere), and no PDF.
#[test]
fn a_failed_build_keeps_the_generated_sources_its_errors_point_into() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = project.path().join("output/styret/2024-01");
    let pack_before = fs::read(output.join("motepakke.pdf")).unwrap();
    // The summons compiles in the failed build too: it must not be written.
    let summons_written = fs::metadata(output.join("innkalling.pdf"))
        .unwrap()
        .modified()
        .unwrap();

    let partial = project.path().join("templates/felles/saksfremlegg.typ.j2");
    let text = fs::read_to_string(&partial).unwrap();
    // Before the end of the macro: the last line of the paper.
    let end = text.find("{% endmacro %}").expect("the macro ends");
    let line = text[..end].lines().count() + 1;
    fs::write(
        &partial,
        format!("{}#nosuchfunction()\n{}", &text[..end], &text[end..]),
    )
    .unwrap();
    let out = run(project.path(), &["build", "--keep-typst"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let expected = format!(
        "error: templates/felles/saksfremlegg.typ.j2:{line}:2: typst: unknown variable: nosuchfunction"
    );
    assert_contains(
        &err,
        &[
            &expected,
            "in the generated source styret/2024-01/",
            "no PDF was changed; the generated Typst sources were written (6 files)",
        ],
    );
    assert_eq!(fs::read(output.join("motepakke.pdf")).unwrap(), pack_before);
    let summons = fs::metadata(output.join("innkalling.pdf")).unwrap();
    assert_eq!(summons.modified().unwrap(), summons_written);
    assert!(output.join("innkalling.typ").is_file());
    // Every place named is the line of the kept source that has the call.
    let mut named = 0;
    for at in err.split("in the generated source ").skip(1) {
        let place = at.split([';', '\n', ' ']).next().unwrap();
        let mut fields = place.rsplitn(3, ':');
        let (Some(column), Some(line), Some(file)) = (fields.next(), fields.next(), fields.next())
        else {
            panic!("{place}");
        };
        let kept = fs::read_to_string(project.path().join("output").join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let text = kept
            .lines()
            .nth(line.parse::<usize>().unwrap() - 1)
            .unwrap();
        assert!(text.starts_with("#nosuchfunction()"), "{place}: {text}");
        assert_eq!(column, "2", "{place}");
        named += 1;
    }
    // The same error of the pack and of each paper is reported once.
    assert_eq!(named, 1, "{err}");

    // The kept sources are the build's own: once the template is mended, a
    // build without --keep-typst takes them away without a word.
    fs::write(&partial, &text).unwrap();
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains(".typ"), "{}", stderr(&out));
    assert!(!output.join("innkalling.typ").exists());
}

/// A project's own `felles/side.typ.j2` copied before the built-in document
/// templates called `felles_oppsett` and `dokument`: one error naming the
/// copy and the cure (before, every document failed with "value of type
/// undefined is not callable").
#[test]
fn an_outdated_copy_of_the_page_partial_is_named_with_the_cure() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let side = project.path().join("templates/felles/side.typ.j2");
    let text = fs::read_to_string(&side).unwrap();
    assert!(text.contains("macro felles_oppsett("), "{text}");
    fs::write(
        &side,
        text.replace("macro felles_oppsett(", "macro eget_oppsett("),
    )
    .unwrap();
    let out = run(project.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_contains(
        &err,
        &[
            "templates/felles/side.typ.j2: this copy of `felles/side.typ.j2` has no `felles_oppsett` macro, which `innkalling.typ.j2`, `sak.typ.j2`, `motepakke.typ.j2`, `referat.typ.j2` call",
            "run `motebok templates eject`",
        ],
    );
    assert!(!err.contains("not callable"), "{err}");
}

#[test]
fn template_errors_name_the_template_and_line() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    add_to_paper_template(project.path(), "{{ item.no_such_field }}");
    let out = run(project.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_contains(
        &err,
        &[
            "error: templates/sak.typ.j2:6:1: template: undefined value",
            "6 | {{ item.no_such_field }}",
        ],
    );
    assert_eq!(
        err.matches("template: undefined value").count(),
        1,
        "the same error is reported once:\n{err}"
    );
}

#[test]
fn missing_content_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "build",
            "--templates",
            root().join("templates").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &stderr(&out),
        &["error: content: failed to read content folder"],
    );
}

#[test]
fn example_meetings_build() {
    let project = project_with(&root().join("content"));
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = project.path().join("output");

    let nuit = pdf_text(&output.join("nuit/2022-03/innkalling.pdf"));
    assert_contains(
        &nuit,
        &[
            "Mariann Hornnes",
            "Bodil Rabben",
            "Observatør",
            "16/22",
            "08:30–08:32",
            "Lunsj",
            "30/22",
            "Saken er utsatt til møtet 14. september",
        ],
    );
    let nuit_pack = pdf_text(&output.join("nuit/2022-03/motepakke.pdf"));
    assert_contains(
        &nuit_pack,
        &[
            "NUIT godkjenner innkalling og dagsorden.",
            "Forslag til vedtak",
        ],
    );
    let nehs = pdf_text(&output.join("nehs/2020-07/innkalling.pdf"));
    assert_contains(
        &nehs,
        &[
            "Kl. 10:00–13:00",
            "Endret rekkefølge på sak 37/20 og 38/20",
            "10:00–10:03",
            "Pause",
            "11:20–11:40",
            "44/20",
            "Slutt 13:00",
        ],
    );
    let nehs_pack = pdf_text(&output.join("nehs/2020-07/motepakke.pdf"));
    assert_contains(
        &nehs_pack,
        &[
            "Nasjonalt e-helsestyre godkjenner innkalling og dagsorden.",
            "Nasjonalt e-helsestyre tilslutter seg til mandatet og Dag Jordbru anbefales som utvalgsleder.",
            "Schrems II",
        ],
    );
    let pspds = pdf_text(&output.join("pspds/2021-06/innkalling.pdf"));
    assert_contains(
        &pspds,
        &[
            "Stedfortreder for Jan Emil Kristoffersen",
            "Stedfortreder for Merete Lyngstad",
            "Status aksjonspunkt",
            "Kalle inn til ekstraordinært programstyremøte",
        ],
    );
    let final_minutes = pdf_text(&output.join("pspds/2021-05/referat.pdf"));
    assert_contains(
        &final_minutes,
        &[
            "Endelig referat",
            "Godkjent 1. oktober 2021",
            "Forfall",
            "Til stede på sak",
            "(sak 32/21)",
        ],
    );
    let draft = pdf_text(&output.join("pspds/2021-06/referat.pdf"));
    assert_contains(&draft, &["Utkast referat", "UTKAST", "Lukket"]);
}

#[test]
fn json_messages_for_ci() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let out = run(project.path(), &["build", "--message-format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.iter().filter(|l| l["type"] == "document").count(), 6);
    let summary = lines.last().unwrap();
    assert_eq!(
        (
            summary["type"].as_str(),
            summary["success"].as_bool(),
            summary["documents"].as_u64()
        ),
        (Some("summary"), Some(true), Some(6))
    );

    let meeting = project.path().join("content/styret/2024-01/meeting.yaml");
    let text = fs::read_to_string(&meeting).unwrap();
    fs::write(&meeting, text.replace("chair: aleder", "chair: aledr")).unwrap();
    let out = run(project.path(), &["build", "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let first: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert_eq!(first["type"], "diagnostic");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "content/styret/2024-01/meeting.yaml");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(5), Some(8))
    );
    assert_eq!(first["field"], "chair");
    assert_eq!(first["hint"], "did you mean `aleder`?");
}

#[test]
fn content_with_windows_line_ends_builds_the_same_pdfs() {
    let unix = project_with(&root().join("tests/fixtures/mini"));
    let windows = project_with(&root().join("tests/fixtures/mini"));
    let mut converted = 0;
    let mut stack = vec![windows.path().join("content")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = fs::read_to_string(&path).unwrap();
                fs::write(&path, text.replace('\n', "\r\n")).unwrap();
                converted += 1;
            }
        }
    }
    assert!(converted >= 3, "the meeting, body and papers are CRLF");
    for project in [&unix, &windows] {
        let out = run(project.path(), &["build"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    }
    let meeting = Path::new("output/styret/2024-01");
    for name in [
        "innkalling.pdf",
        "sak-03-24.pdf",
        "sak-04-24.pdf",
        "motepakke.pdf",
    ] {
        let a = fs::read(unix.path().join(meeting).join(name)).unwrap();
        let b = fs::read(windows.path().join(meeting).join(name)).unwrap();
        assert!(a == b, "{name} differs when the content has CRLF line ends");
    }
}
