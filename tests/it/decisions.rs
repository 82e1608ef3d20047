//! Proposed decisions: Markdown in a decision written over several lines, and
//! several decision blocks per item, each under its own heading (issue 13),
//! as generated Typst (snapshots) and as printed PDF text.

use std::fs;

use crate::common::{pdf_text, project_with, root, run, source_of, stderr};

/// A copy of the mini fixture whose item 3/24 has `decisions` (YAML lines at
/// the item's indentation) instead of its two proposed decisions.
fn mini_with_decisions(decisions: &str) -> tempfile::TempDir {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/meeting.yaml");
    let yaml = fs::read_to_string(&file).unwrap();
    let old = "    proposed_decision:\n      - Utvalget slutter seg til prioriteringen.\n      \
               - Utvalget ber sekretariatet følge opp tiltak 1 og 2.\n";
    assert!(yaml.contains(old));
    fs::write(&file, yaml.replace(old, decisions)).unwrap();
    project
}

/// The decision boxes of a case paper's source: from the first one to the end.
fn decision_part(source: &str) -> &str {
    let start = source.find("#block(above: 1.6em").expect("a decision box");
    &source[start..]
}

const MARKDOWN_DECISION: &str = "    proposed_decision: |
      Utvalget vedtar:

      - prioriteringen av tiltak 1 og 2, *med forbehold* om finansiering;
      - at sekretariatet følger opp.
";

#[test]
fn a_decision_written_over_several_lines_is_markdown() {
    let project = mini_with_decisions(MARKDOWN_DECISION);
    let source = source_of(project.path(), "styret/2024-01/sak-03-24.pdf");
    insta::assert_snapshot!("decisions-markdown", decision_part(&source));
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_text(&project.path().join("output/styret/2024-01/sak-03-24.pdf"));
    assert!(text.contains("prioriteringen av tiltak 1 og 2"), "{text}");
    assert!(!text.contains("*med forbehold*"), "{text}");
    assert!(!text.contains("- at sekretariatet"), "{text}");
}

#[test]
fn a_one_line_decision_prints_as_written() {
    let project = mini_with_decisions("    proposed_decision: \"- 1. *Ikke* en liste\"\n");
    let source = source_of(project.path(), "styret/2024-01/sak-03-24.pdf");
    assert!(
        decision_part(&source).contains(r"\- 1\. \*Ikke\* en liste"),
        "{}",
        decision_part(&source)
    );
}

const BLOCKS: &str = "    decision_blocks:
      - heading: Forslag til vedtak
        text: Utvalget slutter seg til prioriteringen.
      - heading: Justert forslag til vedtak
        text:
          - Utvalget slutter seg til prioriteringen, med tiltak 3 først.
          - |
            Utvalget ber sekretariatet om å

            1. følge opp tiltak 3;
            2. melde tilbake i neste møte.
";

#[test]
fn decision_blocks_print_each_under_its_heading_and_the_last_is_decided() {
    let project = mini_with_decisions(BLOCKS);
    let source = source_of(project.path(), "styret/2024-01/sak-03-24.pdf");
    insta::assert_snapshot!("decisions-blocks", decision_part(&source));
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_text(&project.path().join("output/styret/2024-01/sak-03-24.pdf"));
    let first = text.find("Forslag til vedtak").expect("first heading");
    let adjusted = text
        .find("Justert forslag til vedtak")
        .expect("second heading");
    assert!(first < adjusted, "{text}");
    assert!(text.contains("med tiltak 3 først"), "{text}");
    // The summons lists the item; the adjusted proposal is the one the
    // minutes adopt when they say `as_proposed`.
    let pack = source_of(project.path(), "styret/2024-01/motepakke.pdf");
    assert!(pack.contains("Justert forslag til vedtak"));
}

#[test]
fn the_meetings_written_title_is_in_the_archive_page_and_index() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/meeting.yaml");
    let yaml = fs::read_to_string(&file).unwrap();
    let yaml = yaml.replacen("place:", "title: Ekstraordinært møte & mer\nplace:", 1);
    fs::write(&file, yaml).unwrap();
    let out = run(project.path(), &["archive"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let site = project.path().join("site");
    let html = fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        html.contains("</time> · Ekstraordinært møte &amp; mer</h4>"),
        "{html}"
    );
    let index: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(site.join("index.json")).unwrap()).unwrap();
    let meeting = &index["bodies"][0]["years"][0]["meetings"][0];
    assert_eq!(meeting["title"], "Ekstraordinært møte & mer");

    // Without a written title, the index has no `title` and the page no extra text.
    let plain = project_with(&root().join("tests/fixtures/mini"));
    let out = run(plain.path(), &["archive"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let site = plain.path().join("site");
    let index = fs::read_to_string(site.join("index.json")).unwrap();
    let index: serde_json::Value = serde_json::from_str(&index).unwrap();
    let meeting = &index["bodies"][0]["years"][0]["meetings"][0];
    assert!(meeting.get("title").is_none(), "{meeting}");
}
