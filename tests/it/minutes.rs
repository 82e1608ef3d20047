//! Minutes as the formal record (issue 15): disqualification, proposals,
//! votes, dissent and protocol remarks per item, opening and closing times,
//! approval and signatures, on the invented kontrollutvalg in
//! `tests/fixtures/kontroll`.

use std::path::Path;

use motebok::document::DocumentKind;
use motebok::load::load_project;
use motebok::pipeline::{plan, render_job};
use motebok::render::Renderer;

use crate::common::{assert_contains, pdf_text, project_with, root, run};

const FIXTURE: &str = "tests/fixtures/kontroll";

/// The Typst source of document `name` of `meeting` in the fixture.
fn source(meeting: &str, name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (project, diags) = load_project(&root.join(FIXTURE));
    assert!(diags.0.is_empty(), "{:#?}", diags.0);
    let required = DocumentKind::ALL.map(DocumentKind::template);
    let renderer = Renderer::load(&root.join("templates"), &required).expect("templates load");
    let name = format!("kub/{meeting}/{name}");
    let job = plan(&project)
        .into_iter()
        .find(|job| job.path.to_string_lossy().replace('\\', "/") == name)
        .unwrap_or_else(|| panic!("no document {name}"));
    render_job(&renderer, &project, &job).expect("renders")
}

/// The Typst source of the minutes of `meeting` in the fixture.
fn minutes_source(meeting: &str) -> String {
    source(meeting, "referat.pdf")
}

#[test]
fn final_minutes_with_votes_dissent_and_approval_source() {
    insta::assert_snapshot!("protokoll-final", minutes_source("2024-01"));
}

#[test]
fn draft_minutes_with_a_seat_taken_for_a_disqualified_chair_source() {
    insta::assert_snapshot!("protokoll-draft", minutes_source("2024-02"));
}

#[test]
fn minutes_print_the_formal_record() {
    let project = project_with(&root().join(FIXTURE));
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    let text = pdf_text(&project.path().join("output/kub/2024-01/referat.pdf"));
    assert_contains(
        &text,
        &[
            "Møtet satt kl. 10:00. Møtet hevet kl. 12:40.",
            "Didrik Haug ble erklært inhabil, jf. fvl. § 6 første ledd bokstav a, og fratrådte",
            "4 medlemmer med stemmerett til stede under behandlingen av saken.",
            "Forslag B fra Cathrine Dal:",
            "Forslag B: Forslaget fikk 1 stemme (Cathrine Dal) og falt.",
            "Forslag A: Vedtatt mot 1 stemme (Cathrine Dal).",
            "Enstemmig vedtatt.",
            "Vedtatt med 3 mot 1 stemme (Hans Vara). 1 avsto fra å stemme.",
            "Dissens Cathrine Dal: Rapporten burde følges opp med en frist.",
            "Protokolltilførsel Bjarne Lid og Didrik Haug:",
            "Protokollen er godkjent elektronisk av Astrid Fjellheim og Bjarne Lid 20. februar 2024.",
            "Varamedlem for Eli Brekke",
            "Bjarne Lid Fjellvik kommune Nestleder",
        ],
    );
    assert!(
        !text.contains("Ida Vara"),
        "a deputy not sitting in is not present"
    );
    let summons = pdf_text(&project.path().join("output/kub/2024-01/innkalling.pdf"));
    assert_contains(&summons, &["Varamedlem for Eli Brekke"]);
    assert!(
        !summons.contains("Ida Vara"),
        "deputies are not participants"
    );
    let draft = pdf_text(&project.path().join("output/kub/2024-02/referat.pdf"));
    assert_contains(
        &draft,
        &[
            "Astrid Fjellheim ble erklært inhabil, jf. fvl. § 6 andre ledd",
            "Jon Vara tiltrådte.",
            "Ingrid Moe, kommunedirektør, Fjellvik kommune",
            "Per Presentatør, rådgiver,",
            "4 medlemmer med stemmerett til stede under behandlingen av saken.",
        ],
    );
}

#[test]
fn minutes_without_a_record_print_none_of_it() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    assert!(run(project.path(), &["build"]).status.success());
    let text = pdf_text(&project.path().join("output/rad/2023-05/referat.pdf"));
    for absent in [
        "Møtet satt",
        "Votering",
        "Forslag A",
        "Dissens",
        "Protokollen er godkjent",
    ] {
        assert!(!text.contains(absent), "{absent:?} in {text}");
    }
}

#[test]
fn case_paper_names_case_officer_and_archive_reference() {
    insta::assert_snapshot!("saksfremlegg-arkivsak", source("2024-01", "sak-02-24.pdf"));
    let project = project_with(&root().join(FIXTURE));
    let out = run(project.path(), &["archive"]);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    let index = std::fs::read_to_string(project.path().join("site/index.json")).unwrap();
    let index: serde_json::Value = serde_json::from_str(&index).unwrap();
    let cases: Vec<&serde_json::Value> = index["bodies"][0]["years"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|y| y["meetings"].as_array().unwrap())
        .flat_map(|m| m["cases"].as_array().unwrap())
        .collect();
    let case = |number: &str| *cases.iter().find(|c| c["case"] == number).unwrap();
    assert_eq!(case("2/24")["case_officer"], "Gunn Sekretær");
    assert_eq!(case("2/24")["archive_ref"], "24/01234-5");
    assert!(
        case("3/24").get("archive_ref").is_none(),
        "left out when not written"
    );
    let paper = pdf_text(&project.path().join("output/kub/2024-01/sak-02-24.pdf"));
    assert_contains(
        &paper,
        &["Saksbehandler Gunn Sekretær", "Arkivsak 24/01234-5"],
    );
}
