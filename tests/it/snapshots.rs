//! Snapshot tests of the generated Typst source, one per document kind.

use std::path::Path;

use motebok::document::DocumentKind;
use motebok::load::load_project;
use motebok::pipeline::{plan, render_job};
use motebok::render::Renderer;

fn render_all(fixture: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (project, diags) = load_project(&root.join(fixture));
    assert!(!diags.has_errors(), "{:#?}", diags.0);
    let required = DocumentKind::ALL.map(DocumentKind::template);
    let renderer = Renderer::load(&root.join("templates"), &required).expect("templates load");
    plan(&project)
        .iter()
        .map(|job| {
            let name = job.path.to_string_lossy().replace('\\', "/");
            (name, render_job(&renderer, &project, job).expect("renders"))
        })
        .collect()
}

fn source_of<'a>(all: &'a [(String, String)], name: &str) -> &'a str {
    &all.iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no document {name}"))
        .1
}

#[test]
fn summons_source() {
    let all = render_all("tests/fixtures/mini");
    insta::assert_snapshot!(
        "innkalling",
        source_of(&all, "styret/2024-01/innkalling.pdf")
    );
}

#[test]
fn case_paper_source() {
    let all = render_all("tests/fixtures/mini");
    insta::assert_snapshot!("sak-03-24", source_of(&all, "styret/2024-01/sak-03-24.pdf"));
    insta::assert_snapshot!(
        "sak-04-24-hostile",
        source_of(&all, "styret/2024-01/sak-04-24.pdf")
    );
}

#[test]
fn pack_source() {
    let all = render_all("tests/fixtures/mini");
    insta::assert_snapshot!("motepakke", source_of(&all, "styret/2024-01/motepakke.pdf"));
}

#[test]
fn plan_lists_every_document_kind_in_order() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (project, _) = load_project(&root.join("tests/fixtures/mini"));
    let jobs: Vec<(DocumentKind, String)> = plan(&project)
        .into_iter()
        .map(|j| (j.kind, j.path.to_string_lossy().into_owned()))
        .collect();
    let names: Vec<&str> = jobs.iter().map(|(_, p)| p.as_str()).collect();
    // Postponed 5/24 has no paper and no decision; Eventuelt has no decision.
    assert_eq!(
        names,
        [
            "styret/2024-01/innkalling.pdf",
            "styret/2024-01/sak-01-24.pdf",
            "styret/2024-01/sak-02-24.pdf",
            "styret/2024-01/sak-04-24.pdf",
            "styret/2024-01/sak-03-24.pdf",
            "styret/2024-01/motepakke.pdf",
        ]
    );
}

#[test]
fn minutes_source() {
    let all = render_all("tests/fixtures/cycle");
    insta::assert_snapshot!("referat-final", source_of(&all, "rad/2023-05/referat.pdf"));
    insta::assert_snapshot!("referat-draft", source_of(&all, "rad/2024-01/referat.pdf"));
}

#[test]
fn summons_with_action_status_source() {
    let all = render_all("tests/fixtures/cycle");
    insta::assert_snapshot!(
        "innkalling-aksjonspunkter",
        source_of(&all, "rad/2024-01/innkalling.pdf")
    );
}
