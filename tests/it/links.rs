//! Links: PDFs link only to web pages and e-mail addresses (an e-mail autolink
//! gets `mailto:`), and the archive page's links to files are percent-encoded.

use std::fs;

use crate::common::*;

/// Every `URI` of the link actions of a PDF.
fn uris(path: &std::path::Path) -> Vec<String> {
    fn collect(object: &lopdf::Object, out: &mut Vec<String>) {
        match object {
            lopdf::Object::Dictionary(dict) => {
                for (key, value) in dict.iter() {
                    match value.as_str() {
                        Ok(bytes) if key == b"URI" => {
                            out.push(String::from_utf8_lossy(bytes).into_owned())
                        }
                        _ => collect(value, out),
                    }
                }
            }
            lopdf::Object::Array(items) => items.iter().for_each(|i| collect(i, out)),
            _ => {}
        }
    }
    let pdf = lopdf::Document::load(path).unwrap();
    let mut out = Vec::new();
    pdf.objects.values().for_each(|o| collect(o, &mut out));
    out
}

#[test]
fn e_mail_autolinks_become_mailto_links() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/saker/03-24.md");
    fs::write(
        &file,
        "Skriv til <post@test.no> eller se <https://www.ehelse.no/a?b=c>.\n",
    )
    .unwrap();
    let out = run(project.path(), &["build", "styret/2024-01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut found = uris(&project.path().join("output/styret/2024-01/sak-03-24.pdf"));
    found.sort();
    assert_eq!(
        found,
        ["https://www.ehelse.no/a?b=c", "mailto:post@test.no"]
    );
}

#[test]
fn archive_links_to_files_are_percent_encoded() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let styret = project.path().join("content/styret");
    let folder = "2024-01 møte #1?";
    fs::rename(styret.join("2024-01"), styret.join(folder)).unwrap();
    let out = run(project.path(), &["archive"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = project.path().join("site");
    let html = fs::read_to_string(output.join("index.html")).unwrap();
    let encoded = "styret/2024-01%20m%C3%B8te%20%231%3F/";
    assert_contains(
        &html,
        &[
            &format!("href=\"{encoded}innkalling.pdf\""),
            &format!("href=\"{encoded}sak-03-24.pdf\""),
        ],
    );
    assert!(!html.contains(&format!("href=\"styret/{folder}")), "{html}");
    assert!(
        output
            .join("styret")
            .join(folder)
            .join("innkalling.pdf")
            .is_file()
    );
}
