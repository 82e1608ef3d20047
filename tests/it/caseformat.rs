//! Case number formats (`case_format` in `body.yaml`): zero-padded numbers and
//! series numbered on their own (`PS 003/24`, `RS 002/24`), through the agenda,
//! file names, minutes, the index and `motebok new`.

use std::fs;
use std::path::Path;

use crate::common::{assert_contains, project_with, root, run, stderr, stdout};
use motebok::document::DocumentKind;
use motebok::load::load_project;
use motebok::pipeline::{plan, render_job};
use motebok::render::Renderer;

const FIXTURE: &str = "tests/fixtures/caseformat";

/// The case numbers of each meeting of the fixture, in agenda order.
fn case_numbers() -> Vec<Vec<String>> {
    let (project, diags) = load_project(&root().join(FIXTURE));
    assert!(diags.0.is_empty(), "{:#?}", diags.0);
    project.bodies[0]
        .meetings
        .iter()
        .map(|m| m.cases().map(|c| c.case.to_string()).collect())
        .collect()
}

#[test]
fn series_are_numbered_on_their_own_and_padded_as_the_format_says() {
    assert_eq!(
        case_numbers(),
        [
            vec![
                "PS 001/24",
                "PS 002/24",
                "PS 003/24",
                "RS 001/24",
                "RS 002/24",
                "PS 004/24"
            ],
            vec!["PS 005/24", "PS 006/24", "RS 003/24", "PS 007/24"],
        ]
    );
}

#[test]
fn file_names_carry_the_series_and_the_padding() {
    let (project, _) = load_project(&root().join(FIXTURE));
    let names: Vec<String> = plan(&project)
        .iter()
        .map(|job| job.path.to_string_lossy().replace('\\', "/"))
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n == "kontroll/2024-01/sak-PS-003-24.pdf"),
        "{names:#?}"
    );
}

#[test]
fn summons_with_series_source() {
    let root = root();
    let (project, diags) = load_project(&root.join(FIXTURE));
    assert!(!diags.has_errors(), "{:#?}", diags.0);
    let required = DocumentKind::ALL.map(DocumentKind::template);
    let renderer = Renderer::load(&root.join("templates"), &required).expect("templates load");
    let job = plan(&project)
        .into_iter()
        .find(|job| job.path == Path::new("kontroll/2024-01/innkalling.pdf"))
        .expect("the summons is planned");
    let source = render_job(&renderer, &project, &job).expect("renders");
    insta::assert_snapshot!("innkalling-saksserier", source);
}

#[test]
fn the_index_and_new_meetings_follow_the_format() {
    let project = project_with(&root().join(FIXTURE));
    let out = run(project.path(), &["archive"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let index = fs::read_to_string(project.path().join("site/index.json")).unwrap();
    let index: serde_json::Value = serde_json::from_str(&index).unwrap();
    let parts: Vec<(String, String)> = index["bodies"][0]["years"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|y| y["meetings"].as_array().unwrap())
        .flat_map(|m| m["cases"].as_array().unwrap())
        .map(|c| (c["case"].to_string(), c["case_parts"].to_string()))
        .collect();
    assert!(
        parts.contains(&(
            r#""PS 003/24""#.to_owned(),
            r#"{"number":3,"series":"PS","year":2024}"#.to_owned()
        )),
        "{parts:#?}"
    );
    assert!(
        parts.contains(&(
            r#""RS 003/24""#.to_owned(),
            r#"{"number":3,"series":"RS","year":2024}"#.to_owned()
        )),
        "{parts:#?}"
    );

    let out = run(project.path(), &["new", "kontroll", "--date", "2024-04-17"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_contains(&stdout(&out), &["standing items PS 008/24, PS 009/24"]);
    let written =
        fs::read_to_string(project.path().join("content/kontroll/2024-03/meeting.yaml")).unwrap();
    assert_contains(
        &written,
        &[
            "case: PS 008/24",
            "case: PS 009/24",
            "Neste ledige i serien RS: RS 004/24",
        ],
    );
    let check = run(project.path(), &["check"]);
    assert!(
        check.status.success(),
        "the skeleton loads: {}",
        stderr(&check)
    );
}
