//! Snapshot tests of the generated Typst source, one per document kind.

use std::path::Path;

use motebok::document::DocumentKind;
use motebok::load::load_project;
use motebok::pipeline::{plan, render_job_split};
use motebok::render::Renderer;

/// The generated source (the document as one source) of every document of
/// the fixture.
fn render_all(fixture: &str) -> Vec<(String, String)> {
    split_all(fixture)
        .into_iter()
        .map(|(name, split)| (name, split.plain))
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

/// The main file and the shared parts of every document of the fixture, as
/// compiled (see `motebok::render::split`).
fn split_all(fixture: &str) -> Vec<(String, motebok::render::Split)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (project, diags) = load_project(&root.join(fixture));
    assert!(!diags.has_errors(), "{:#?}", diags.0);
    let required = DocumentKind::ALL.map(DocumentKind::template);
    let renderer = Renderer::load(&root.join("templates"), &required).expect("templates load");
    plan(&project)
        .iter()
        .map(|job| {
            let name = job.path.to_string_lossy().replace('\\', "/");
            let split = render_job_split(&renderer, &project, job).expect("renders");
            (name, split)
        })
        .collect()
}

/// What makes the pack cheap: it names the very files (path and text) of
/// the summons and each case paper, and every document starts with the same
/// set-up module, so Typst lays each shared part out once per meeting. The
/// documents start with their part (nothing from the main file comes first),
/// as the pack's pages do after their page break.
#[test]
fn the_pack_shares_the_summons_and_every_case_paper() {
    let all = split_all("tests/fixtures/mini");
    let pack = &all
        .iter()
        .find(|(n, _)| n.ends_with("motepakke.pdf"))
        .expect("a pack")
        .1;
    let in_pack = |path: &str, text: &str| {
        pack.source
            .parts
            .iter()
            .any(|p| p.path == path && p.text == text)
    };
    let setup = "#import \"/felles/styret/2024-01/oppsett.typ\": *;\n#show: oppsett\n";
    for (name, split) in all.iter().filter(|(n, _)| !n.ends_with("motepakke.pdf")) {
        let parts = &split.source.parts;
        assert!(!parts.is_empty(), "{name} shares nothing");
        for part in parts {
            assert!(
                in_pack(&part.path, &part.text),
                "{name}: {} differs in the pack",
                part.path
            );
        }
        assert!(
            split.source.main.starts_with(setup),
            "{name}: {}",
            split.source.main
        );
        assert!(
            split.source.main[setup.len()..].starts_with("#include \"/felles/styret/2024-01/"),
            "{name} starts with its part: {}",
            split.source.main
        );
        // The document as one source has every part in place.
        assert_eq!(split.source.plain(), split.plain, "{name}");
        assert!(!split.plain.contains("#include"), "{name}");
    }
    let papers = all.iter().filter(|(n, _)| n.contains("/sak-")).count();
    // The module, the summons and every paper (a paper each).
    assert_eq!(
        pack.source.parts.len(),
        2 + papers,
        "{:?}",
        pack.source.parts
    );
    insta::assert_snapshot!("motepakke-main", &pack.source.main);
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
