//! The meeting pack: the standing `referat` item carries the minutes it
//! approves (issue 13), rendered from the same templates as that meeting's
//! `referat.pdf`, inside the pack's own Typst document.

use std::fs;
use std::path::Path;

use crate::common::{assert_contains, pdf_text, project_with, root, run, source_of, stderr};

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

/// The pages of a PDF's text, each with whitespace runs collapsed.
fn pages_of(pdf: &Path) -> Vec<String> {
    let bytes = fs::read(pdf).unwrap_or_else(|e| panic!("reading {}: {e}", pdf.display()));
    pdf_extract::extract_text_from_mem_by_pages(&bytes)
        .unwrap()
        .iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The mini project with case 3/24's paper replaced by `paper`, built; its pack's pages.
fn mini_pack_with_paper(paper: &str) -> (tempfile::TempDir, Vec<String>) {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/saker/03-24.md");
    fs::write(&file, paper).unwrap();
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pages = pages_of(&project.path().join("output/styret/2024-01/motepakke.pdf"));
    (project, pages)
}

#[test]
fn the_pack_header_names_the_case_on_every_page_of_its_paper() {
    let paper: String = (1..=40)
        .map(|i| {
            format!(
                "Avsnitt {i}: {}\n\n",
                "Saken gjelder prioritering. ".repeat(8)
            )
        })
        .collect();
    let (_project, pages) = mini_pack_with_paper(&paper);
    let first = pages
        .iter()
        .position(|p| p.contains("SAKSFREMLEGG Sak 3/24: Prioritering av tiltak"))
        .expect("the paper of 3/24");
    let last = pages
        .iter()
        .position(|p| p.contains("Avsnitt 40:"))
        .unwrap();
    assert!(last > first, "the paper is one page: {pages:#?}");
    for page in &pages[first..=last] {
        assert!(page.contains("Sak 3/24 · Testutvalget"), "{page}");
    }
    // The second page has only the header to say what it belongs to.
    assert!(
        !pages[first + 1].contains("Sak 3/24: "),
        "{}",
        pages[first + 1]
    );
    // The summons pages say so; the cover names no case.
    let summons = pages.iter().position(|p| p.contains("INNKALLING")).unwrap();
    assert!(
        pages[summons].contains("Innkalling · Testutvalget"),
        "{}",
        pages[summons]
    );
    assert!(!pages[0].contains("Innkalling · ") && !pages[0].contains("Sak 1/24 · "));
}

#[test]
fn formulaic_standing_items_share_one_page_in_the_pack() {
    let (project, pages) = mini_pack_with_paper("## Vurdering\n\nTiltakene er vurdert.\n");
    let page = pages
        .iter()
        .find(|p| p.contains("SAKSFREMLEGG Sak 1/24: "))
        .expect("the paper of 1/24");
    // Both standing items, each with its heading and decision box, on one page.
    assert_contains(
        page,
        &[
            "Sak 2/24: ",
            "godkjenner innkalling og dagsorden.",
            "godkjenner referatet",
        ],
    );
    assert_eq!(page.matches("Forslag til vedtak").count(), 2, "{page}");
    // A case with a paper still starts a page of its own.
    assert!(!page.contains("Sak 4/24: "), "{page}");
    // Each is still a heading of its own in the contents and the bookmarks.
    let source = source_of(project.path(), "styret/2024-01/motepakke.pdf");
    for case in ["1/24", "2/24"] {
        let heading = format!("#heading(level: 1)[Sak {}", case.replace('/', r"\/"));
        assert_eq!(source.matches(&heading).count(), 1, "{case}: {source}");
    }
}

#[test]
fn a_table_never_starts_with_its_header_and_one_row_at_a_page_bottom() {
    // Text of growing length before the table: at some length the table's
    // header and first row fit at the bottom of the page and the second row
    // does not. The table must then start on the next page.
    let rows: String = (1..=8)
        .map(|i| format!("| Rad {i} | Tiltak nummer {i} | {i},5 |\n"))
        .collect();
    let mut moved = false;
    for n in 24..=34 {
        let text: String = (1..=n).map(|i| format!("Linje {i}.\n\n")).collect();
        let paper = format!("{text}| Nr. | Tiltak | Kostnad |\n|---|---|---|\n{rows}");
        let (_project, pages) = mini_pack_with_paper(&paper);
        let page = pages
            .iter()
            .position(|p| p.contains("Tiltak nummer 1 "))
            .expect("the table");
        assert!(
            pages[page].contains("Tiltak nummer 2 "),
            "with {n} lines the table starts with one row at the page bottom: {}",
            pages[page]
        );
        moved |= !pages[page].contains(&format!("Linje {n}."));
    }
    assert!(moved, "no length put the table near a page bottom");
}
