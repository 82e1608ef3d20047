//! The meeting pack: the standing `referat` item carries the minutes it
//! approves (issue 13), rendered from the same templates as that meeting's
//! `referat.pdf`, inside the pack's own Typst document.

use std::fs;
use std::path::Path;

use crate::common::{assert_contains, pdf_text, project_with, root, run, stderr};
use motebok::document::DocumentKind;
use motebok::load::load_project;
use motebok::pipeline::{plan, render_job};
use motebok::render::Renderer;

/// The generated Typst source of the document `name` in the project at `dir`.
pub(crate) fn source_of(dir: &Path, name: &str) -> String {
    let (project, diags) = load_project(&dir.join("content"));
    assert!(!diags.has_errors(), "{:#?}", diags.0);
    let required = DocumentKind::ALL.map(DocumentKind::template);
    let renderer = Renderer::load(&root().join("templates"), &required).expect("templates load");
    let job = plan(&project)
        .into_iter()
        .find(|job| job.path.to_string_lossy().replace('\\', "/") == name)
        .unwrap_or_else(|| panic!("no document {name}"));
    render_job(&renderer, &project, &job).expect("renders")
}

const HEADING: &str = "Vedlegg til sak 24/23: Referat fra møte 5/2023";

#[test]
fn the_referat_item_carries_the_previous_minutes_in_the_pack() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    let source = source_of(project.path(), "rad/2023-06/motepakke.pdf");
    let start = source
        .find("#heading(level: 1)[Vedlegg til sak")
        .expect("the minutes");
    insta::assert_snapshot!("pack-previous-minutes", &source[start..]);

    let out = run(project.path(), &["build", "rad/2023-06", "rad/2023-05"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = project.path().join("output/rad");
    let pack = pdf_text(&dir.join("2023-06/motepakke.pdf"));
    let minutes = pdf_text(&dir.join("2023-05/referat.pdf"));
    assert_contains(
        &pack,
        &[HEADING, "Endelig referat", "Gro Gjest", "Per Presentatør"],
    );
    assert_contains(&minutes, &["Gro Gjest", "Per Presentatør"]);
    // It comes after the referat item's paper and before the next one.
    let at = pack.find(HEADING).unwrap();
    assert!(pack[..at].contains("Godkjenning av referat"), "{pack}");
    // The first meeting has no referat item: its pack carries no minutes.
    let first = pdf_text(&dir.join("2023-05/motepakke.pdf"));
    assert!(!first.contains("Vedlegg til sak"), "{first}");
}

#[test]
fn a_draft_is_carried_as_a_draft_and_no_minutes_means_nothing_carried() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    let pack = source_of(project.path(), "rad/2024-01/motepakke.pdf");
    // 6/2023's minutes are final; make them a draft.
    let file = project.path().join("content/rad/2023-06/minutes.yaml");
    let yaml = fs::read_to_string(&file).unwrap();
    assert!(pack.contains(r"Referat fra møte 6\/2023"), "{pack}");
    let draft = yaml.replace(
        "status: final\napproved: { date: 2024-01-18, meeting: 1/2024 }\n",
        "status: draft\nsent: 2023-11-20\ncomments_by: 2023-11-27\n",
    );
    assert_ne!(draft, yaml);
    fs::write(&file, draft).unwrap();
    let pack = source_of(project.path(), "rad/2024-01/motepakke.pdf");
    assert_contains(
        &pack,
        &[r"Utkast referat fra møte 6\/2023", "UTKAST REFERAT"],
    );

    fs::remove_file(&file).unwrap();
    let pack = source_of(project.path(), "rad/2024-01/motepakke.pdf");
    assert!(!pack.contains("Vedlegg til sak"), "{pack}");
}
