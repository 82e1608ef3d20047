//! `motebok schema`: the committed schemas are what the command writes; every
//! example, fixture and generated content file names its schema on its first
//! line and validates against it; and the schemas reject the mistakes an
//! editor should flag while typing.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::*;

/// The content files that have a schema, and the schema of each.
const SCHEMAS: [(&str, &str); 3] = [
    ("body.yaml", "body.schema.json"),
    ("meeting.yaml", "meeting.schema.json"),
    ("minutes.yaml", "minutes.schema.json"),
];

/// The committed schema file of the content file `name` (`meeting.yaml`).
fn schema_file(name: &str) -> &'static str {
    SCHEMAS
        .iter()
        .find(|(content, _)| *content == name)
        .map(|(_, schema)| *schema)
        .unwrap_or_else(|| panic!("no schema for {name}"))
}

/// A validator of the committed schema of the content file `name`.
fn validator(name: &str) -> jsonschema::Validator {
    let path = root().join("schema").join(schema_file(name));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What the schema of the content file `name` finds wrong in the YAML `text`.
fn problems(name: &str, text: &str) -> Vec<String> {
    let value: Value = serde_yaml_ng::from_str(text).expect("the YAML parses");
    validator(name)
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Every content file with a schema under `dir`, sorted.
fn content_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if SCHEMAS.iter().any(|(name, _)| path.ends_with(name)) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// The file's name (`meeting.yaml`).
fn name_of(path: &Path) -> &str {
    path.file_name().unwrap().to_str().unwrap()
}

/// Asserts that the content file at `path` validates against its schema.
#[track_caller]
fn assert_valid(path: &Path) {
    let text = fs::read_to_string(path).unwrap();
    let found = problems(name_of(path), &text);
    assert!(found.is_empty(), "{}: {found:#?}", path.display());
}

/// Asserts that the content file at `path` starts with the YAML language
/// server's line naming its schema, and that the path there leads to the
/// schema in the project's `schema/` (`project`).
#[track_caller]
fn assert_names_schema(path: &Path, project: &Path) {
    let text = fs::read_to_string(path).unwrap();
    let first = text.lines().next().unwrap_or_default();
    let relative = first
        .strip_prefix("# yaml-language-server: $schema=")
        .unwrap_or_else(|| panic!("{}: first line is {first:?}", path.display()));
    let target = path.parent().unwrap().join(relative);
    let expected = project.join("schema").join(schema_file(name_of(path)));
    assert_eq!(
        fs::canonicalize(&target).ok(),
        fs::canonicalize(&expected).ok(),
        "{}: {relative} does not lead to {}",
        path.display(),
        expected.display()
    );
}

#[test]
fn committed_schemas_are_what_motebok_schema_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["schema"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_contains(
        &stdout(&out),
        &[
            "wrote schema/meeting.schema.json",
            "# yaml-language-server: $schema=../../../schema/meeting.schema.json",
        ],
    );
    for (_, schema) in SCHEMAS {
        let written = fs::read_to_string(dir.path().join("schema").join(schema)).unwrap();
        let committed = fs::read_to_string(root().join("schema").join(schema)).unwrap();
        assert!(
            written == committed,
            "schema/{schema} differs from what `motebok schema` writes: run `cargo run -- schema` \
             and commit the result"
        );
    }

    let again = run(dir.path(), &["schema"]);
    assert_contains(&stdout(&again), &["schema/body.schema.json is up to date"]);
    let elsewhere = run(dir.path(), &["schema", "--out", "editor/schemas"]);
    assert!(elsewhere.status.success(), "{}", stderr(&elsewhere));
    assert!(
        dir.path()
            .join("editor/schemas/minutes.schema.json")
            .is_file()
    );

    let printed = run(dir.path(), &["schema", "--print", "minutes"]);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let committed = fs::read_to_string(root().join("schema/minutes.schema.json")).unwrap();
    assert!(
        stdout(&printed) == committed,
        "--print minutes prints the file's text"
    );
    let both = run(dir.path(), &["schema", "--print", "body", "--out", "x"]);
    assert_eq!(
        both.status.code(),
        Some(2),
        "--print and --out exclude each other"
    );
}

#[test]
fn every_example_and_fixture_file_validates() {
    let examples = content_files(&root().join("content"));
    assert!(examples.len() >= 9, "found {examples:?}");
    for path in &examples {
        assert_valid(path);
        assert_names_schema(path, &root());
    }
    let fixtures = content_files(&root().join("tests/fixtures"));
    assert!(!fixtures.is_empty());
    for path in &fixtures {
        assert_valid(path);
    }
}

#[test]
fn init_and_new_write_files_that_name_their_schema_and_validate() {
    let parent = tempfile::tempdir().unwrap();
    let out = run(parent.path(), &["init", "styret"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let project = parent.path().join("styret");
    for (_, schema) in SCHEMAS {
        let written = fs::read_to_string(project.join("schema").join(schema)).unwrap();
        let committed = fs::read_to_string(root().join("schema").join(schema)).unwrap();
        assert!(written == committed, "init wrote another schema/{schema}");
    }

    let new = run(&project, &["new", "styret", "--date", "2099-03-01"]);
    assert!(new.status.success(), "{}", stderr(&new));
    let files = content_files(&project.join("content"));
    let mut names: Vec<&str> = files.iter().map(|p| name_of(p)).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["body.yaml", "meeting.yaml", "meeting.yaml"],
        "{files:?}"
    );
    for path in &files {
        assert_valid(path);
        assert_names_schema(path, &project);
    }
}

/// A meeting that validates; the cases below each break one thing in it.
const MEETING: &str = "\
number: 1/2024
date: 2024-01-15
start: \"10:00\"
place: Møterom 1
agenda:
  - case: 1/24
    standing: innkalling
    kind: godkjenning
    presenter: kleder
    duration: 5
  - break: Pause
    duration: 10
  - case: auto
    title: Arbeidsplan
    kind: beslutning
    presenter: [kleder, { name: Kari Gjest, organisation: Etaten }]
    proposed_decision: [Styret vedtar planen.]
";

/// A body that validates.
const BODY: &str = "\
id: styret
name: Styret
organisation: Virksomheten
members:
  - id: kleder
    name: Kari Leder
    role: leader
";

/// Asserts that changing `from` to `to` in `text` (a `name` file) makes the
/// schema reject it, with an error at `at` that mentions `mentions`.
#[track_caller]
fn assert_rejected(name: &str, text: &str, from: &str, to: &str, at: &str, mentions: &str) {
    assert!(
        problems(name, text).is_empty(),
        "{:#?}",
        problems(name, text)
    );
    assert!(text.contains(from), "{from:?} not in the {name}");
    let broken = text.replacen(from, to, 1);
    let found = problems(name, &broken);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with(at) && p.contains(mentions)),
        "{to:?}: expected an error at {at} mentioning {mentions:?}, found {found:#?}"
    );
}

#[test]
fn schemas_reject_what_an_editor_should_flag() {
    let m = "meeting.yaml";
    assert_rejected(
        m,
        MEETING,
        "presenter: kleder",
        "presentr: kleder",
        "/agenda/0",
        "presentr",
    );
    assert_rejected(
        m,
        MEETING,
        "kind: beslutning",
        "kind: beslutnig",
        "/agenda/2/kind",
        "",
    );
    assert_rejected(
        m,
        MEETING,
        "standing: innkalling",
        "standing: godkjenning",
        "/agenda/0",
        "",
    );
    assert_rejected(m, MEETING, "case: 1/24", "case: 1-24", "/agenda/0/case", "");
    assert_rejected(
        m,
        MEETING,
        "date: 2024-01-15",
        "date: 15.01.2024",
        "/date",
        "",
    );
    assert_rejected(m, MEETING, "number: 1/2024", "number: 1/24", "/number", "");
    assert_rejected(m, MEETING, "\"10:00\"", "\"kl. 10\"", "/start", "");
    assert_rejected(
        m,
        MEETING,
        "duration: 10",
        "duration: ti",
        "/agenda/1/duration",
        "",
    );
    assert_rejected(
        m,
        MEETING,
        "organisation: Etaten",
        "organisasjon: Etaten",
        "/agenda/2",
        "",
    );
    assert_rejected(m, MEETING, "place:", "plass:", "", "plass");

    let b = "body.yaml";
    assert_rejected(
        b,
        BODY,
        "role: leader",
        "role: leder",
        "/members/0/role",
        "",
    );
    assert_rejected(
        b,
        BODY,
        "name: Kari Leder",
        "nam: Kari Leder",
        "/members/0",
        "nam",
    );
    assert_rejected(b, BODY, "id: kleder", "id: KLeder", "/members/0/id", "");

    let minutes = "status: final\napproved:\n  date: 2024-02-01\n  meeting: 2/2024\n\
                   items:\n  - case: 2/24\n    decision: as_proposed\n\
                   present_for:\n  - { name: Kari Gjest, cases: 2/24 }\n";
    let n = "minutes.yaml";
    let both = "{ member: kleder, name: Kari Gjest,";
    assert_rejected(
        n,
        minutes,
        "{ name: Kari Gjest,",
        both,
        "/present_for/0",
        "",
    );
    assert_rejected(
        n,
        minutes,
        "case: 2/24",
        "case: 2/2024",
        "/items/0/case",
        "",
    );
    assert_rejected(
        n,
        minutes,
        "status: final",
        "status: endelig",
        "/status",
        "",
    );
    assert_rejected(
        n,
        minutes,
        "meeting: 2/2024",
        "møte: 2/2024",
        "/approved",
        "møte",
    );
}
