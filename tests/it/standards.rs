//! Archival and accessible PDFs: PDF/A-2a and PDF/UA-1 declared in the XMP
//! metadata, tagged structure, and the `--pdf-standard` override.

use std::path::Path;

use crate::common::*;

/// The document's XMP metadata packet, as text.
fn xmp(path: &Path) -> String {
    let pdf = lopdf::Document::load(path).unwrap();
    let catalog = pdf.catalog().unwrap();
    let id = catalog
        .get(b"Metadata")
        .and_then(|o| o.as_reference())
        .expect("an XMP metadata stream");
    let stream = pdf.get_object(id).and_then(|o| o.as_stream()).unwrap();
    let bytes = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    String::from_utf8_lossy(&bytes).into_owned()
}

fn tagged(path: &Path) -> bool {
    let pdf = lopdf::Document::load(path).unwrap();
    let catalog = pdf.catalog().unwrap();
    let marked = catalog
        .get(b"MarkInfo")
        .and_then(|o| match o {
            lopdf::Object::Reference(r) => pdf.get_object(*r),
            other => Ok(other),
        })
        .and_then(|o| o.as_dict())
        .and_then(|d| d.get(b"Marked"))
        .and_then(|o| o.as_bool())
        .unwrap_or(false);
    marked && catalog.get(b"StructTreeRoot").is_ok()
}

#[test]
fn kept_documents_are_pdf_a_2a_and_pdf_ua_1_and_drafts_stay_tagged() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = project.path().join("output/rad");
    for doc in [
        "2023-05/motepakke.pdf",
        "2023-05/innkalling.pdf",
        "2023-05/sak-21-23.pdf",
        "2023-05/referat.pdf",
    ] {
        let meta = xmp(&output.join(doc));
        assert_contains(
            &meta,
            &[
                "<pdfaid:part>2</pdfaid:part>",
                "<pdfaid:conformance>A</pdfaid:conformance>",
                "<pdfuaid:part>1</pdfuaid:part>",
                "<rdf:li>nb</rdf:li>",
            ],
        );
        assert!(tagged(&output.join(doc)), "{doc} is tagged");
    }
    for doc in ["2023-05/motepakke.pdf", "2023-05/referat.pdf"] {
        let pdf = lopdf::Document::load(output.join(doc)).unwrap();
        let catalog = pdf.catalog().unwrap();
        assert!(catalog.get(b"PageLabels").is_ok(), "{doc} has page labels");
        assert!(catalog.get(b"Outlines").is_ok(), "{doc} has bookmarks");
    }
    let final_minutes = xmp(&output.join("2023-05/referat.pdf"));
    assert_contains(
        &final_minutes,
        &[
            "Referat – Rådet for testing – møte 5/2023",
            "<rdf:li>Rådet for testing</rdf:li>",
        ],
    );

    let draft = output.join("2024-01/referat.pdf");
    let meta = xmp(&draft);
    assert!(
        !meta.contains("pdfaid:part"),
        "draft minutes are not archived as PDF/A"
    );
    assert_contains(
        &meta,
        &[
            "<pdfuaid:part>1</pdfuaid:part>",
            "Utkast referat – Rådet for testing – møte 1/2024",
        ],
    );
    assert!(tagged(&draft), "drafts stay tagged");
}

#[test]
fn pdf_standard_overrides_the_default() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    let out = run(project.path(), &["build", "--pdf-standard", "a-2b"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let meta = xmp(&project.path().join("output/rad/2024-01/referat.pdf"));
    assert_contains(&meta, &["<pdfaid:conformance>B</pdfaid:conformance>"]);
    assert!(!meta.contains("pdfuaid"));

    let bad = run(project.path(), &["build", "--pdf-standard", "a-9z"]);
    assert_eq!(bad.status.code(), Some(1));
    assert_contains(
        &stderr(&bad),
        &["error: --pdf-standard: `a-9z` is not a supported PDF standard"],
    );
}

#[test]
fn norwegian_symbols_print_in_pdf_a_and_unprintable_characters_are_content_errors() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let body = project.path().join("content/styret/body.yaml");
    let text = std::fs::read_to_string(&body).unwrap();
    std::fs::write(
        &body,
        text.replace(
            "name: Testutvalget",
            "name: \"Testutvalget æøå «» – § • ✓ € ≥\"",
        ),
    )
    .unwrap();
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summons = pdf_text(&project.path().join("output/styret/2024-01/innkalling.pdf"));
    assert_contains(&summons, &["Testutvalget æøå «» – § • ✓ € ≥"]);
    assert_contains(
        &xmp(&project.path().join("output/styret/2024-01/innkalling.pdf")),
        &["<pdfaid:part>2</pdfaid:part>"],
    );

    std::fs::write(
        &body,
        text.replace("name: Testutvalget", "name: \"Testutvalget 😀\""),
    )
    .unwrap();
    let out = run(project.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &stderr(&out),
        &[
            "error: content/styret/body.yaml:2:21: the character `😀` (U+1F600) cannot be printed: the bundled fonts cannot draw it",
        ],
    );
}

#[test]
fn control_characters_in_content_are_errors_not_typst_failures() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let paper = project.path().join("content/styret/2024-01/saker/03-24.md");
    let text = std::fs::read_to_string(&paper).unwrap();
    // Found by fuzzing: a NUL and a forced break at the end of a list item.
    std::fs::write(&paper, format!("{text}\n- P,\u{c}\u{c}\n- nul\u{0}her\n")).unwrap();
    let out = run(project.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_contains(
        &err,
        &[
            "content/styret/2024-01/saker/03-24.md:",
            "control character U+000C cannot be printed",
            "control character U+0000 cannot be printed",
        ],
    );
    assert!(
        !err.contains("typst:"),
        "reported as content, not as a Typst failure: {err}"
    );
}

#[test]
fn characters_written_as_yaml_escapes_are_checked_too() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let body = project.path().join("content/styret/body.yaml");
    let text = std::fs::read_to_string(&body).unwrap();
    std::fs::write(
        &body,
        text.replace(
            "name: Testutvalget",
            "name: \"Testutvalget \\x01 \\U0001F600\"",
        ),
    )
    .unwrap();
    let out = run(project.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_contains(
        &err,
        &[
            "content/styret/body.yaml:2:7: name: the character U+0001, written as an escape, cannot be printed",
        ],
    );
    assert!(!err.contains("typst:"), "{err}");
}
