//! Data blocks: case papers that place tables computed from data files
//! (tests/fixtures/blokker), as Typst source and as PDF text.

use std::path::Path;

use motebok::document::DocumentKind;
use motebok::load::load_project;
use motebok::pipeline::{plan, render_job};
use motebok::render::Renderer;

use crate::common::{assert_contains, pdf_text, project_with, root, run, stderr};

fn case_paper_source() -> String {
    let (project, diags) = load_project(&root().join("tests/fixtures/blokker"));
    assert!(!diags.has_errors(), "{:#?}", diags.0);
    let required = DocumentKind::ALL.map(DocumentKind::template);
    let renderer = Renderer::load(&root().join("templates"), &required).expect("templates load");
    let job = plan(&project)
        .into_iter()
        .find(|job| job.path == Path::new("styret/2024-02/sak-07-24.pdf"))
        .expect("the case paper is planned");
    render_job(&renderer, &project, &job).expect("renders")
}

#[test]
fn data_blocks_source() {
    insta::assert_snapshot!("sak-07-24-blokker", case_paper_source());
}

#[test]
fn data_blocks_print_as_tables_in_the_pdf() {
    let dir = project_with(&root().join("tests/fixtures/blokker"));
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_text(&dir.path().join("output/styret/2024-02/sak-07-24.pdf"));
    assert_contains(
        &text,
        &[
            "Tildelt ramme",
            "Sum Drift",
            "Ikke startet",
            "Gul",
            "Rangering",
            "Beløp i tusen kr.",
            "«Avhengigheter» har ingen svar for Tiltak A, Tiltak C",
            "Risikoregister (testdata)",
            "Økt fra 8",
            "Redusert fra 6",
            "Ikke lenger i registeret: 9: Uavklart finansiering.",
            "Høy",
        ],
    );
    // Numbers in the Norwegian form: no-break spaces, decimal comma, minus sign.
    let flat = text.replace('\u{A0}', " ");
    assert_contains(&flat, &["13 850,0", "3 000,3", "−400,0"]);
}

#[test]
fn the_archive_index_carries_the_computed_values() {
    let dir = project_with(&root().join("tests/fixtures/blokker"));
    for command in ["build", "archive"] {
        let out = run(dir.path(), &[command]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let index = std::fs::read_to_string(dir.path().join("site/index.json")).unwrap();
    let index: serde_json::Value = serde_json::from_str(&index).unwrap();
    let blocks = &index["bodies"][0]["years"][0]["meetings"][0]["cases"][0]["blocks"];
    let kinds: Vec<&str> = blocks
        .as_array()
        .expect("the case lists its blocks")
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["status", "budget", "scoring", "risks"]);
    assert_eq!(
        blocks[1]["total"],
        serde_json::json!([13850.0, 3000.3, 13290.5])
    );
    assert_eq!(
        blocks[1]["rows"][2]["amounts"],
        serde_json::json!([null, -400.0, -400.0])
    );
    assert_eq!(blocks[2]["ranks"], serde_json::json!([2, 2, 1]));
    assert_eq!(blocks[3]["risks"][1]["level"], "high");
    assert_eq!(blocks[3]["risks"][3]["previous_score"], 6);
    assert_eq!(
        blocks[3]["closed"],
        serde_json::json!(["9: Uavklart finansiering"])
    );
}
