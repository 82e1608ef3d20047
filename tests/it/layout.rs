//! Layout: nothing leaves the page. A table row taller than a page breaks across
//! pages instead of being cut off, a word longer than a line breaks, and text
//! that still runs off a page is a warning naming where it comes from.

use std::fs;

use crate::common::*;

/// A word of `n` letters without any break opportunity.
fn long_word(n: usize) -> String {
    "abcdefghij".chars().cycle().take(n).collect()
}

#[test]
fn a_table_row_taller_than_a_page_breaks_across_pages() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let sentences: String = (1..=120)
        .map(|i| format!("Setning nummer {i} av hundre og tjue handler om budsjettet og om prioriteringen av tiltakene. "))
        .collect();
    let paper = format!(
        "## Tabell\n\n| Sak | Omtale |\n|---|---|\n| 1 | {} |\n| 2 | Etter raden |\n",
        sentences.trim_end()
    );
    let file = project.path().join("content/styret/2024-01/saker/03-24.md");
    fs::write(&file, paper).unwrap();
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("runs off"), "{}", stderr(&out));
    let pdf = project.path().join("output/styret/2024-01/sak-03-24.pdf");
    let text = pdf_text(&pdf);
    let lost: Vec<usize> = (1..=120)
        .filter(|i| !text.contains(&format!("nummer {i} av")))
        .collect();
    assert!(lost.is_empty(), "sentences lost: {lost:?}\n{text}");
    assert_contains(
        &text,
        &["Etter raden", "Utvalget slutter seg til prioriteringen."],
    );
    // The row is continued on the next pages rather than laid out past the
    // bottom of one (where the text is in the file but not on the page).
    let pages = pdf_extract::extract_text_from_mem_by_pages(&fs::read(&pdf).unwrap()).unwrap();
    let page_of = |needle: &str| {
        pages
            .iter()
            .position(|p| {
                p.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .contains(needle)
            })
            .unwrap_or_else(|| panic!("{needle:?} on no page"))
    };
    assert!(
        page_of("nummer 1 av") < page_of("nummer 120 av"),
        "the row is not broken across pages"
    );
}

#[test]
fn a_long_word_in_markdown_breaks_and_stays_on_the_page() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let word = long_word(128);
    let file = project.path().join("content/styret/2024-01/saker/03-24.md");
    let paper = format!(
        "Nøkkelen er {word} og står også i tabellen.\n\n| Nøkkel | Merknad |\n|---|---|\n| {word} | kort |\n"
    );
    fs::write(&file, paper).unwrap();
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("runs off"), "{}", stderr(&out));
    let text = pdf_text(&project.path().join("output/styret/2024-01/sak-03-24.pdf"));
    // Every letter is there, in order (the breaks are invisible).
    let letters: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
        .collect();
    assert_eq!(letters.matches(&word).count(), 2, "{text}");
}

#[test]
fn text_that_runs_off_the_page_is_a_warning_at_its_place() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/meeting.yaml");
    let yaml = fs::read_to_string(&file).unwrap().replace(
        "title: Prioritering av tiltak",
        &format!("title: Prioritering {}", long_word(128)),
    );
    fs::write(&file, yaml).unwrap();
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_contains(
        &err,
        &[
            "text runs off the right edge of page 1 and is lost",
            "content/styret/2024-01/meeting.yaml",
        ],
    );
}

#[test]
fn a_decision_box_in_the_pack_never_stands_alone_at_the_top_of_a_page() {
    // Papers of growing length: at some length the box no longer fits under
    // the text; the last paragraph must then go to the next page with it.
    for n in 9..=14 {
        let project = project_with(&root().join("tests/fixtures/mini"));
        let paper: String = (1..=n)
            .map(|i| {
                format!(
                    "Avsnitt {i}: {}\n\n",
                    "Dette er en setning om saken som fyller linjen. ".repeat(6)
                )
            })
            .collect();
        let file = project.path().join("content/styret/2024-01/saker/03-24.md");
        fs::write(&file, format!("## Vurdering\n\n{paper}")).unwrap();
        let out = run(project.path(), &["build", "styret/2024-01"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let pdf = project.path().join("output/styret/2024-01/motepakke.pdf");
        let pages = pdf_extract::extract_text_from_mem_by_pages(&fs::read(&pdf).unwrap()).unwrap();
        let page = pages
            .iter()
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .find(|p| p.contains("Utvalget slutter seg til prioriteringen"))
            .expect("the decision of 3/24");
        assert!(
            page.contains(&format!("Avsnitt {n}:")),
            "with {n} paragraphs the box stands without the last one: {page}"
        );
    }
}

const TABLE: &str = "\
## Tiltak

| Nr. | Tiltak | Kostnad (mill.) |
|---|---|---|
| 1 | Felles grunnmur<br>med e-resept | 12,5 |
| 2 | Pasientens legemiddelliste<br/>fase 1 | 3 |

{widths=1,6,2 align=l,l,r}

Tabellen viser tiltakene.
";

#[test]
fn a_table_attribute_line_sets_column_widths_and_alignment_and_br_breaks_a_cell() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/saker/03-24.md");
    fs::write(&file, TABLE).unwrap();
    let source = crate::common::source_of(project.path(), "styret/2024-01/sak-03-24.pdf");
    let start = source.find("#table(").expect("the table");
    let end = start + source[start..].find("Tabellen viser").unwrap();
    insta::assert_snapshot!("layout-table-attributes", &source[start..end]);
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_text(&project.path().join("output/styret/2024-01/sak-03-24.pdf"));
    assert!(!text.contains("widths"), "{text}");
    assert!(!text.contains("<br"), "{text}");
    assert_contains(
        &text,
        &["med e-resept", "fase 1", "Tabellen viser tiltakene."],
    );
}
