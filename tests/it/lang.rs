//! Languages: a body's `language` (nb, nn, en) chooses the words, dates and
//! formulas its documents print and the language its PDFs declare.

use std::fs;
use std::path::Path;

use crate::common::*;

/// A copy of the kontroll fixture (bokmål) whose body writes in `language`.
fn kontroll_in(language: &str) -> tempfile::TempDir {
    let project = project_with(&root().join("tests/fixtures/kontroll"));
    let body = project.path().join("content/kub/body.yaml");
    let text = fs::read_to_string(&body).unwrap();
    fs::write(&body, format!("{text}language: {language}\n")).unwrap();
    project
}

/// The languages a PDF's XMP metadata declares (`<rdf:li>en</rdf:li>`).
fn declares(path: &Path, code: &str) -> bool {
    let bytes = fs::read(path).unwrap();
    let pdf = lopdf::Document::load_mem(&bytes).unwrap();
    let id = pdf
        .catalog()
        .unwrap()
        .get(b"Metadata")
        .and_then(|o| o.as_reference())
        .unwrap();
    let stream = pdf.get_object(id).and_then(|o| o.as_stream()).unwrap();
    let xmp = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    String::from_utf8_lossy(&xmp)
        .contains(&format!("<dc:language><rdf:Bag><rdf:li>{code}</rdf:li>"))
        || String::from_utf8_lossy(&xmp).contains(&format!("<rdf:li>{code}</rdf:li>"))
}

#[test]
fn an_english_body_prints_english_and_declares_en() {
    let project = kontroll_in("en");
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = project.path().join("output/kub/2024-01");
    for doc in [
        "innkalling.pdf",
        "referat.pdf",
        "sak-02-24.pdf",
        "motepakke.pdf",
    ] {
        assert!(declares(&output.join(doc), "en"), "{doc} declares en");
        assert!(!declares(&output.join(doc), "nb"), "{doc} declares nb");
    }
    assert_contains(
        &pdf_text(&output.join("innkalling.pdf")),
        &[
            "Notice of meeting",
            "Tuesday 13 February 2024",
            "Participants",
            "Agenda",
            "Approval of the notice and agenda",
            "Any other business",
        ],
    );
    assert_contains(
        &pdf_text(&output.join("sak-02-24.pdf")),
        &["Proposed resolution", "Case officer", "Page 1 of 1"],
    );
    let minutes = pdf_text(&output.join("referat.pdf"));
    assert_contains(
        &minutes,
        &[
            "Final minutes",
            "Adopted unanimously.",
            "The meeting opened at 10:00.",
            "Resolution",
            "20 February 2024",
        ],
    );
    for bokmal in ["Forslag til vedtak", "Dagsorden", "Enstemmig", "februar"] {
        assert!(!minutes.contains(bokmal), "{bokmal} in the English minutes");
    }
}

#[test]
fn the_nynorsk_example_prints_nynorsk() {
    let project = project_with(&root().join("content"));
    let out = run(project.path(), &["build", "kontrollutval-vestvik"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = project.path().join("output/kontrollutval-vestvik");
    let paper = output.join("2025-01/sak-PS-002-25.pdf");
    assert!(declares(&paper, "nn"));
    assert_contains(
        &pdf_text(&paper),
        &["Framlegg til vedtak", "Saksbehandlar", "11. februar 2025"],
    );
    assert_contains(
        &pdf_text(&output.join("2025-01/innkalling.pdf")),
        &["Tysdag 11. februar 2025", "Deltakarar", "Saksliste"],
    );
    assert_contains(
        &pdf_text(&output.join("2025-02/sak-PS-005-25.pdf")),
        &["Kontrollutvalet godkjenner protokollen frå møtet 11. februar 2025."],
    );
}

#[test]
fn bokmal_stays_the_default() {
    let project = project_with(&root().join("tests/fixtures/kontroll"));
    let out = run(project.path(), &["build", "kub/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let paper = project.path().join("output/kub/2024-01/sak-02-24.pdf");
    assert!(declares(&paper, "nb"));
    assert_contains(
        &pdf_text(&paper),
        &["Forslag til vedtak", "13. februar 2024"],
    );
}

#[test]
fn nynorsk_minutes_source() {
    let dir = root();
    insta::assert_snapshot!(
        "referat-nn",
        source_of(&dir, "kontrollutval-vestvik/2025-01/referat.pdf")
    );
    insta::assert_snapshot!(
        "sak-nn",
        source_of(&dir, "kontrollutval-vestvik/2025-02/sak-PS-005-25.pdf")
    );
}

#[test]
fn english_summons_source() {
    let project = kontroll_in("en");
    insta::assert_snapshot!(
        "innkalling-en",
        source_of(project.path(), "kub/2024-01/innkalling.pdf")
    );
}

/// Words an English body's documents and index still printed in Norwegian:
/// the summons' heading (`Notice of meeting til meeting 1/2024`) and its
/// agenda's time column (`Tid`), the minutes' time (`kl. 10:00–12:30`), a
/// partial attendance (`(sak 6/24)`), and the index's dates (`13. februar
/// 2024`).
#[test]
fn an_english_body_has_no_norwegian_words_in_headings_lists_or_index() {
    let project = kontroll_in("en");
    let out = run(project.path(), &["archive", "--include-drafts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let site = project.path().join("site/kub");
    let summons = pdf_text(&site.join("2024-01/innkalling.pdf"));
    assert_contains(
        &summons,
        &["Notice of meeting 1/2024 of Kontrollutvalget i Fjellvik kommune"],
    );
    assert!(!summons.contains(" til "), "{summons}");
    assert!(
        !summons.lines().any(|l| l == "Tid"),
        "the agenda's time column: {summons}"
    );
    assert_contains(
        &pdf_text(&site.join("2024-02/referat.pdf")),
        &["(item 6/24)"],
    );
    let minutes = pdf_text(&site.join("2024-01/referat.pdf"));
    assert_contains(&minutes, &["Tuesday 13 February 2024, 10:00–12:30"]);
    assert!(!minutes.contains("kl."), "{minutes}");
    let index = fs::read_to_string(project.path().join("site/index.json")).unwrap();
    assert_contains(
        &index,
        &[
            "\"date_text\": \"13 February 2024\"",
            "\"date_text\": \"16 April 2024\"",
            "\"approved\": \"20 February 2024\"",
        ],
    );
    assert!(!index.contains("februar"), "{index}");
    // The site's page, all in English: the page's words, the section's.
    let page = fs::read_to_string(project.path().join("site/index.html")).unwrap();
    assert_contains(
        &page,
        &[
            "<html lang=\"en\">",
            "<title>Meeting archive</title>",
            "<h1>Notices of meeting, case papers and minutes</h1>",
            "<h4>Meeting 1/2024 · <time datetime=\"2024-02-13\">13 February 2024</time>",
            "Notice of meeting (PDF)",
            "Minutes (PDF)</a> <span class=\"status\">Approved 20 February 2024</span>",
            "<span class=\"case\">Item ",
            "<p class=\"label\">Resolution:</p>",
            "<p>Made with motebok.</p>",
        ],
    );
    for norwegian in [
        "Møte",
        "Innkalling",
        "Referat",
        "Sak ",
        "Vedtak",
        "Laget med",
    ] {
        assert!(!page.contains(norwegian), "{norwegian}: {page}");
    }
}

/// The archive's page of bodies in two languages: the page in the
/// project's bokmål, the nynorsk body's section in nynorsk, marked so.
#[test]
fn each_body_of_the_site_page_speaks_its_own_language() {
    let project = project_with(&root().join("content"));
    let out = run(project.path(), &["archive"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = fs::read_to_string(project.path().join("site/index.html")).unwrap();
    assert_contains(
        &page,
        &[
            "<html lang=\"nb\">",
            "<title>Møtearkiv</title>",
            "<section id=\"kontrollutval-vestvik\" aria-labelledby=\"kontrollutval-vestvik-h\" lang=\"nn\">",
            "<section id=\"pspds\" aria-labelledby=\"pspds-h\">",
            "<p class=\"label\">Framlegg til vedtak:</p><p>Kontrollutvalet tek saka til orientering.</p>",
            "Protokoll (PDF)</a> <span class=\"status\">Godkjend 18. februar 2025</span>",
            "<p>Laget med motebok.</p>",
        ],
    );
    let nynorsk = page
        .split("<section id=\"kontrollutval-vestvik\"")
        .nth(1)
        .and_then(|rest| rest.split("\n</section>\n</section>").next())
        .unwrap();
    for bokmal in ["Forslag til vedtak", "Godkjent ", ">Referat"] {
        assert!(!nynorsk.contains(bokmal), "{bokmal}: {nynorsk}");
    }
}
