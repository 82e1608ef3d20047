//! Real case papers: footnotes, HTML comments (and later figures, attachments
//! and branding), each as generated Typst (a snapshot) and as printed PDF text.

use std::fs;
use std::path::Path;

use crate::common::{pdf_text, project_with, root, run, source_of, stderr};

/// A copy of the mini fixture whose case paper 3/24 is `paper`.
fn mini_with_paper(paper: &str) -> tempfile::TempDir {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/saker/03-24.md");
    fs::write(file, paper).unwrap();
    project
}

const FOOTNOTES: &str = "\
## Vurdering

<!-- Merknad fra sekretariatet: sjekk tallene før utsending. -->

Kostnadene er anslått til 12 millioner kroner[^anslag] og gjelder tre år[^anslag].
Tiltaket følger nasjonal plan[^plan]. <!-- intern merknad -->

[^anslag]: Anslaget bygger på *foreløpige* tall fra 2023.
[^plan]: Nasjonal e-helseplan 2024–2030, kapittel 4.
";

#[test]
fn footnotes_become_footnotes_and_comments_vanish() {
    let project = mini_with_paper(FOOTNOTES);
    let source = source_of(project.path(), "styret/2024-01/sak-03-24.pdf");
    insta::assert_snapshot!("papers-footnotes", source);

    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_text(&project.path().join("output/styret/2024-01/sak-03-24.pdf"));
    for wanted in [
        "Anslaget bygger på foreløpige tall fra 2023.",
        "Nasjonal e-helseplan 2024–2030, kapittel 4.",
    ] {
        assert_eq!(text.matches(wanted).count(), 1, "{wanted:?} once in {text}");
    }
    for unwanted in ["[^", "Merknad", "intern merknad", "<!--"] {
        assert!(!text.contains(unwanted), "{unwanted:?} printed in {text}");
    }
}

/// A small SVG figure: three bars of a timeline.
const TIMELINE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80" viewBox="0 0 300 80">
  <rect x="10" y="10" width="80" height="20" fill="#1f4e79"/>
  <rect x="100" y="30" width="120" height="20" fill="#2e75b6"/>
  <rect x="230" y="50" width="60" height="20" fill="#9dc3e6"/>
</svg>
"##;

const FIGURES: &str = "\
## Tidslinje

Figuren viser hovedfasene.

![Tidslinje med tre faser: forprosjekt, utvikling og innføring](figurer/tidslinje.svg \"Faser i programmet\"){width=60%}
";

#[test]
fn figures_are_read_and_printed() {
    let project = mini_with_paper(FIGURES);
    let meeting = project.path().join("content/styret/2024-01");
    fs::create_dir_all(meeting.join("saker/figurer")).unwrap();
    fs::write(meeting.join("saker/figurer/tidslinje.svg"), TIMELINE_SVG).unwrap();
    let source = source_of(project.path(), "styret/2024-01/sak-03-24.pdf");
    insta::assert_snapshot!("papers-figures", source);

    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for document in ["sak-03-24.pdf", "motepakke.pdf"] {
        let text = pdf_text(&project.path().join("output/styret/2024-01").join(document));
        assert!(
            text.contains("Faser i programmet"),
            "caption in {document}: {text}"
        );
        assert!(
            !text.contains("figurer/"),
            "address printed in {document}: {text}"
        );
    }
}

#[test]
fn a_changed_figure_rebuilds_the_paper() {
    let project = mini_with_paper(FIGURES);
    let figure = project
        .path()
        .join("content/styret/2024-01/saker/figurer/tidslinje.svg");
    fs::create_dir_all(figure.parent().unwrap()).unwrap();
    fs::write(&figure, TIMELINE_SVG).unwrap();
    let pdf = project.path().join("output/styret/2024-01/sak-03-24.pdf");
    assert!(run(project.path(), &["build"]).status.success());
    let before = fs::read(&pdf).unwrap();
    fs::write(&figure, TIMELINE_SVG.replace("#1f4e79", "#c00000")).unwrap();
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(
        fs::read(&pdf).unwrap(),
        before,
        "the PDF shows the new figure"
    );
}

/// The mini fixture with `vedlegg/status.pdf` (the fixture's own summons, built
/// first, standing in for a real attachment) attached to case 3/24.
fn mini_with_attachment() -> tempfile::TempDir {
    let first = project_with(&root().join("tests/fixtures/mini"));
    let out = run(first.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let project = project_with(&root().join("tests/fixtures/mini"));
    let meeting = project.path().join("content/styret/2024-01");
    fs::create_dir_all(meeting.join("vedlegg")).unwrap();
    fs::copy(
        first.path().join("output/styret/2024-01/innkalling.pdf"),
        meeting.join("vedlegg/status.pdf"),
    )
    .unwrap();
    let yaml = fs::read_to_string(meeting.join("meeting.yaml")).unwrap();
    let yaml = yaml.replace(
        "    paper: saker/03-24.md\n",
        "    paper: saker/03-24.md\n    attachments:\n      - { file: vedlegg/status.pdf, title: Status program }\n",
    );
    fs::write(meeting.join("meeting.yaml"), yaml).unwrap();
    project
}

#[test]
fn attachments_are_listed_and_follow_their_case_paper_in_the_pack() {
    let project = mini_with_attachment();
    let pack = source_of(project.path(), "styret/2024-01/motepakke.pdf");
    let start = pack
        .find("heading(level: 1)[Vedlegg til sak")
        .unwrap_or_else(|| panic!("{pack}"));
    insta::assert_snapshot!("papers-attachment-pages", &pack[start - 80..]);
    let summons = source_of(project.path(), "styret/2024-01/innkalling.pdf");
    assert!(
        summons.contains("#emph[Vedlegg:] Status program]"),
        "{summons}"
    );

    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = project.path().join("output/styret/2024-01");
    assert!(pdf_text(&dir.join("innkalling.pdf")).contains("Vedlegg: Status program"));
    let paper = pdf_text(&dir.join("sak-03-24.pdf"));
    assert!(paper.contains("Vedlegg 1. Status program"), "{paper}");
    let text = pdf_text(&dir.join("motepakke.pdf"));
    // In the contents, and as the heading over the attachment's first page.
    assert_eq!(
        text.matches("Vedlegg til sak 3/24: Status program").count(),
        2,
        "{text}"
    );
    let pages = |p: &Path| lopdf::Document::load(p).unwrap().get_pages().len();
    let attachment = pages(
        &project
            .path()
            .join("content/styret/2024-01/vedlegg/status.pdf"),
    );
    let plain = mini_with_paper(
        &fs::read_to_string(project.path().join("content/styret/2024-01/saker/03-24.md")).unwrap(),
    );
    assert!(
        run(plain.path(), &["build", "styret/2024-01"])
            .status
            .success()
    );
    assert_eq!(
        pages(&dir.join("motepakke.pdf")),
        pages(&plain.path().join("output/styret/2024-01/motepakke.pdf")) + attachment,
        "each attachment page is a page of the pack"
    );
}

/// A small logo drawn for the tests.
const LOGO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
  <rect width="40" height="40" rx="6" fill="#7a1f3d"/>
  <rect x="48" y="14" width="70" height="12" fill="#7a1f3d"/>
</svg>
"##;

#[test]
fn branding_shows_on_every_document() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let styret = project.path().join("content/styret");
    fs::write(styret.join("logo.svg"), LOGO_SVG).unwrap();
    let body = fs::read_to_string(styret.join("body.yaml")).unwrap();
    fs::write(
        styret.join("body.yaml"),
        format!(
            "{body}logo: {{ file: logo.svg, alt: Logo for Testutvalget }}\n\
             colours: {{ primary: \"#7a1f3d\", accent: \"#B5523B\" }}\n\
             letterhead: [Direktoratet for testing, \"Sekretariatet, Testgata 5\"]\n"
        ),
    )
    .unwrap();
    let summons = source_of(project.path(), "styret/2024-01/innkalling.pdf");
    let head = &summons[summons.find("#let navy").unwrap()..summons.find("#set text(").unwrap()];
    let top = summons
        .find("#block(below: 0.8em, width: 100%)")
        .expect("letterhead");
    insta::assert_snapshot!(
        "papers-branding",
        format!("{head}…\n{}", &summons[top..top + 400])
    );
    let paper = source_of(project.path(), "styret/2024-01/sak-03-24.pdf");
    assert!(
        paper.contains("#box(baseline: 30%, image("),
        "logo in the header: {paper}"
    );

    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = project.path().join("output/styret/2024-01");
    for document in ["innkalling.pdf", "motepakke.pdf", "referat.pdf"] {
        let path = dir.join(document);
        if path.exists() {
            let text = pdf_text(&path);
            assert!(
                text.contains("Sekretariatet, Testgata 5"),
                "{document}: {text}"
            );
        }
    }
}

#[test]
fn proposed_decision_none_leaves_out_the_formula() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/meeting.yaml");
    let yaml = fs::read_to_string(&file).unwrap();
    let yaml = yaml.replace(
        "    paper: saker/04-24.md\n",
        "    paper: saker/04-24.md\n    proposed_decision: none\n",
    );
    fs::write(&file, yaml).unwrap();
    let plain = project_with(&root().join("tests/fixtures/mini"));
    let before = source_of(plain.path(), "styret/2024-01/sak-04-24.pdf");
    assert!(before.contains("Utvalget tar saken til orientering"));
    let paper = source_of(project.path(), "styret/2024-01/sak-04-24.pdf");
    assert!(!paper.contains("Forslag til vedtak"), "{paper}");
    assert!(!paper.contains("til orientering"), "{paper}");
}

#[test]
fn a_meeting_with_start_and_end_but_no_durations_prints_its_time() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/meeting.yaml");
    let yaml: String = fs::read_to_string(&file)
        .unwrap()
        .lines()
        .filter(|line| !line.trim_start().starts_with("duration:"))
        .map(|line| format!("{line}\n"))
        .collect();
    let yaml = yaml.replace("start: \"09:00\"\n", "start: \"13:00\"\nend: \"15:00\"\n");
    fs::write(&file, yaml).unwrap();
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = project.path().join("output/styret/2024-01");
    let summons = pdf_text(&dir.join("innkalling.pdf"));
    assert!(summons.contains("Tid Kl. 13:00–15:00"), "{summons}");
    assert!(
        !summons.contains("13:05"),
        "no clock times on the agenda: {summons}"
    );
    assert!(!summons.contains("Slutt"), "{summons}");
    let pack = pdf_text(&dir.join("motepakke.pdf"));
    assert!(pack.contains("· Kl. 13:00–15:00"), "{pack}");
}

#[test]
fn the_meetings_own_title_prints_and_is_in_the_pdf_title() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/meeting.yaml");
    let yaml = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        yaml.replacen("place:", "title: Ekstraordinært møte\nplace:", 1),
    )
    .unwrap();
    for (document, pdf_title) in [
        (
            "innkalling.pdf",
            "Innkalling – Testutvalget – møte 1/2024 – Ekstraordinært møte",
        ),
        (
            "motepakke.pdf",
            "Møtepakke – Testutvalget – møte 1/2024 – Ekstraordinært møte",
        ),
    ] {
        let source = source_of(project.path(), &format!("styret/2024-01/{document}"));
        assert!(
            source.contains(&format!("title: \"{pdf_title}\"")),
            "{document}: {source}"
        );
    }
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = project.path().join("output/styret/2024-01");
    for document in ["innkalling.pdf", "motepakke.pdf"] {
        let text = pdf_text(&dir.join(document));
        assert!(text.contains("Ekstraordinært møte"), "{document}: {text}");
    }
    let plain = project_with(&root().join("tests/fixtures/mini"));
    let summons = source_of(plain.path(), "styret/2024-01/innkalling.pdf");
    assert!(
        !summons.contains("Møte i Testutvalget"),
        "no default title printed"
    );
}

#[test]
fn a_page_of_a_pdf_is_a_figure() {
    // The fixture's own summons (built first) stands in for a report.
    let first = project_with(&root().join("tests/fixtures/mini"));
    let out = run(first.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let project = project_with(&root().join("tests/fixtures/mini"));
    let saker = project.path().join("content/styret/2024-01/saker");
    fs::create_dir_all(saker.join("figurer")).unwrap();
    fs::copy(
        first.path().join("output/styret/2024-01/innkalling.pdf"),
        saker.join("figurer/rapport.pdf"),
    )
    .unwrap();
    let paper = saker.join("03-24.md");
    let text = fs::read_to_string(&paper).unwrap();
    fs::write(
        &paper,
        format!("{text}\n![Første side av rapporten](figurer/rapport.pdf#page=1 \"Rapportens første side\")\n"),
    )
    .unwrap();
    let source = source_of(project.path(), "styret/2024-01/sak-03-24.pdf");
    assert!(source.contains("rapport-side-1.svg"), "{source}");
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_text(&project.path().join("output/styret/2024-01/sak-03-24.pdf"));
    assert!(text.contains("Rapportens første side"), "{text}");

    // A page the PDF does not have is an error at the figure.
    let text = fs::read_to_string(&paper).unwrap();
    fs::write(&paper, text.replace("#page=1", "#page=7")).unwrap();
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("figure `figurer/rapport.pdf` has 1 page, so it has no page 7"),
        "{}",
        stderr(&out)
    );
}

/// `mini` with `text` in place of `from` in its meeting file.
fn mini_with_meeting(from: &str, text: &str) -> tempfile::TempDir {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/meeting.yaml");
    let meeting = fs::read_to_string(&file).unwrap();
    assert!(meeting.contains(from), "{from}");
    fs::write(file, meeting.replacen(from, text, 1)).unwrap();
    project
}

/// Two items with the same description, whose note is referred to twice:
/// its label occurred twice in the summons, and Typst refused it (blaming
/// the template).
#[test]
fn the_same_footnoted_description_on_two_items_builds() {
    let description =
        "    description: |\n      Se notat[^a] og igjen[^a].\n\n      [^a]: Kilden FELLESNOTE.\n";
    let project = mini_with_meeting(
        "    kind: orientering\n",
        &format!("    kind: orientering\n{description}"),
    );
    let file = project.path().join("content/styret/2024-01/meeting.yaml");
    let meeting = fs::read_to_string(&file).unwrap();
    let meeting = meeting.replacen(
        "    description: |\n      - Vurdering av tiltak\n      - Anbefalt rekkefølge\n",
        description,
        1,
    );
    fs::write(&file, meeting).unwrap();
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summons = pdf_text(&project.path().join("output/styret/2024-01/innkalling.pdf"));
    assert_eq!(
        summons.matches("Kilden FELLESNOTE.").count(),
        2,
        "{summons}"
    );
}

/// A data block in a footnote: the note printed the text's first table,
/// with no error.
#[test]
fn a_data_block_in_a_footnote_is_an_error_at_its_line() {
    let project = mini_with_paper(
        "Tekst med note[^n].\n\n[^n]: Tabellen:\n\n    ```budget file=b.yaml\n    ```\n",
    );
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: content/styret/2024-01/saker/03-24.md:5:5: a `budget` data block cannot be placed in a footnote"),
        "{err}"
    );
    assert_eq!(
        err.matches("error: ").count(),
        1,
        "no follow-on error for its file: {err}"
    );
    assert!(
        !project
            .path()
            .join("output/styret/2024-01/sak-03-24.pdf")
            .exists()
    );
}

/// A heading that is only a figure has no text, which PDF/UA refuses: it
/// was reported by Typst at line 1 of the paper, blaming the template.
#[test]
fn a_figure_in_a_heading_is_an_error_at_its_line() {
    let project = mini_with_paper("Tekst.\n\n### ![Tidslinje](figurer/tidslinje.svg)\n");
    let meeting = project.path().join("content/styret/2024-01");
    fs::create_dir_all(meeting.join("saker/figurer")).unwrap();
    fs::write(meeting.join("saker/figurer/tidslinje.svg"), TIMELINE_SVG).unwrap();
    let out = run(project.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: content/styret/2024-01/saker/03-24.md:3:5: a figure cannot be in a heading"
        ),
        "{err}"
    );
    assert!(!err.contains("typst"), "{err}");
}

/// The titles of a PDF's bookmarks, in order, at every level.
fn bookmarks(path: &Path) -> Vec<String> {
    fn walk(pdf: &lopdf::Document, id: lopdf::ObjectId, out: &mut Vec<String>) {
        let mut next = Some(id);
        while let Some(id) = next {
            let item = pdf.get_dictionary(id).unwrap();
            if let Ok(title) = item.get(b"Title").and_then(|t| t.as_str()) {
                let units: Vec<u16> = (title.strip_prefix(&[0xfe, 0xff]).unwrap_or(title))
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                    .collect();
                out.push(String::from_utf16_lossy(&units));
            }
            if let Ok(first) = item.get(b"First").and_then(|f| f.as_reference()) {
                walk(pdf, first, out);
            }
            next = item.get(b"Next").and_then(|n| n.as_reference()).ok();
        }
    }
    let pdf = lopdf::Document::load(path).unwrap();
    let outlines = pdf
        .catalog()
        .unwrap()
        .get(b"Outlines")
        .unwrap()
        .as_reference()
        .unwrap();
    let first = pdf
        .get_dictionary(outlines)
        .unwrap()
        .get(b"First")
        .unwrap()
        .as_reference()
        .unwrap();
    let mut out = Vec::new();
    walk(&pdf, first, &mut out);
    out
}

/// A heading in a description (a field in the agenda's table) was a
/// top-level entry of the pack's contents and bookmarks, between the summons
/// and the first case.
#[test]
fn a_heading_in_a_description_stays_out_of_the_contents() {
    let project = project_with(&root().join("content"));
    let file = project.path().join("content/pspds/2021-06/meeting.yaml");
    let meeting = fs::read_to_string(&file).unwrap();
    let item = "    description: Denne saken er uten underlag.\n";
    assert!(meeting.contains(item));
    let described = "    description: |\n      # Overskrift i omtalen\n\n      | A | B |\n      |---|---|\n      | 1 | 2 |\n";
    fs::write(&file, meeting.replacen(item, described, 1)).unwrap();
    let out = run(project.path(), &["build", "pspds/2021-06"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = project.path().join("output/pspds/2021-06");
    let pack = bookmarks(&output.join("motepakke.pdf"));
    assert!(pack.len() > 3, "{pack:?}");
    assert!(
        !pack.iter().any(|t| t.contains("Overskrift i omtalen")),
        "{pack:?}"
    );
    let text = pdf_text(&output.join("motepakke.pdf"));
    let contents = text.split("Innhold").nth(1).unwrap();
    let contents = contents.split("Side 1").next().unwrap();
    assert!(contents.contains("Sak 34/21"), "{contents}");
    assert!(!contents.contains("Overskrift i omtalen"), "{contents}");
    let summons = pdf_text(&output.join("innkalling.pdf"));
    assert!(summons.contains("Overskrift i omtalen"), "{summons}");
}

/// A table of 1 500 columns in a case paper of 1.2 MB took more than 4.5 GB
/// before Typst gave up; now it is an error at the table.
#[test]
fn a_table_too_wide_to_lay_out_is_an_error_at_its_line() {
    let row = format!("|{}\n", " a |".repeat(1_500));
    let paper = format!(
        "Tekst.\n\n{row}|{}\n{}",
        " --- |".repeat(1_500),
        row.repeat(200)
    );
    let project = mini_with_paper(&paper);
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: content/styret/2024-01/saker/03-24.md:3:1: this table has 1500 columns; a table has at most 64"),
        "{err}"
    );
    assert_eq!(err.matches("error: ").count(), 1, "{err}");
}
