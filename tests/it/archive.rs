//! `motebok archive`: the static index over a multi-body, multi-year fixture,
//! written to the site folder, drafts left out of it, links that resolve, and
//! incremental rebuilds.

use std::fs;
use std::path::Path;

use crate::common::*;

/// Two bodies (`rad` over 2023–2024 with minutes, `styret` 2024) in one project.
fn two_bodies() -> tempfile::TempDir {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    copy_tree(
        &root().join("tests/fixtures/mini/styret"),
        &project.path().join("content/styret"),
    );
    project
}

/// Every `href` of an HTML page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn archive_indexes_bodies_years_meetings_and_decisions() {
    let project = two_bodies();
    let out = run(project.path(), &["archive"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = project.path().join("site");
    let html = fs::read_to_string(output.join("index.html")).unwrap();

    // Well-formed: the page parses as XML (the template writes XHTML-compatible HTML).
    let mut reader = quick_xml::Reader::from_str(html.trim_start_matches("<!DOCTYPE html>"));
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(err) => panic!(
                "index.html does not parse at {}: {err}",
                reader.buffer_position()
            ),
        }
    }
    assert_contains(
        &html,
        &[
            "<html lang=\"nb\">",
            "Rådet for testing",
            "Testutvalget",
            "<h3 id=\"rad-2023\">2023</h3>",
            "<h3 id=\"rad-2024\">2024</h3>",
            "Møte 5/2023",
            "Rådet vedtar budsjettet for 2024 med de endringene som kom fram i møtet.",
            "Godkjent 16. november 2023",
        ],
    );
    // Text from content is HTML-escaped, never markup.
    assert_contains(&html, &["&lt;viktig&gt;"]);
    assert!(!html.contains("<viktig>"), "hostile text must be escaped");

    let mut checked = 0;
    for link in links(&html).iter().filter(|l| !l.starts_with('#')) {
        assert!(output.join(link).is_file(), "{link} does not exist");
        checked += 1;
    }
    assert!(
        checked >= 20,
        "links to summons, packs, papers and minutes ({checked})"
    );
    assert!(
        !html.contains("2024-01/referat.pdf"),
        "draft minutes are not published"
    );
    assert!(
        !output.join("rad/2024-01/referat.pdf").exists(),
        "and not in the site"
    );
    assert!(
        project
            .path()
            .join("output/rad/2024-01/referat.pdf")
            .is_file(),
        "while the internal set in output/ is complete"
    );

    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(output.join("index.json")).unwrap()).unwrap();
    assert_eq!(json["format"], 1);
    let bodies: Vec<&str> = json["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["rad", "styret"]);
    let rad_2023 = &json["bodies"][0]["years"][1];
    assert_eq!(rad_2023["year"], 2023);
    assert_eq!(
        rad_2023["meetings"][1]["minutes"]["path"],
        "rad/2023-05/referat.pdf"
    );
    assert_eq!(rad_2023["meetings"][1]["minutes"]["status"], "final");

    let with_drafts = run(project.path(), &["archive", "--include-drafts"]);
    assert!(with_drafts.status.success(), "{}", stderr(&with_drafts));
    let html = fs::read_to_string(output.join("index.html")).unwrap();
    assert_contains(&html, &["rad/2024-01/referat.pdf", "Utkast"]);
}

fn summary(out: &std::process::Output) -> String {
    stdout(out)
        .lines()
        .find(|l| l.starts_with("built "))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_second_build_compiles_only_what_an_edit_touches() {
    let project = two_bodies();
    let first = run(project.path(), &["build"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        summary(&first).starts_with("built 21 documents,"),
        "{}",
        summary(&first)
    );

    let again = run(project.path(), &["build"]);
    assert!(
        summary(&again).starts_with("built 21 documents (0 compiled, 21 unchanged"),
        "{}",
        summary(&again)
    );

    let paper: &Path = &project.path().join("content/styret/2024-01/saker/03-24.md");
    let text = fs::read_to_string(paper).unwrap();
    fs::write(paper, format!("{text}\nEn ny setning.\n")).unwrap();
    let edited = run(project.path(), &["build"]);
    assert!(
        summary(&edited).starts_with("built 21 documents (2 compiled, 19 unchanged"),
        "{}",
        summary(&edited)
    );
    let printed = stdout(&edited);
    assert_contains(
        &printed,
        &[
            "wrote output/styret/2024-01/motepakke.pdf",
            "wrote output/styret/2024-01/sak-03-24.pdf",
        ],
    );
    assert!(
        pdf_text(&project.path().join("output/styret/2024-01/sak-03-24.pdf"))
            .contains("En ny setning.")
    );

    let forced = run(project.path(), &["build", "--force"]);
    assert!(
        summary(&forced).starts_with("built 21 documents,"),
        "{}",
        summary(&forced)
    );

    // A deleted PDF is rebuilt even though its source did not change.
    fs::remove_file(project.path().join("output/rad/2023-05/innkalling.pdf")).unwrap();
    let restored = run(project.path(), &["build"]);
    assert!(
        summary(&restored).starts_with("built 21 documents (1 compiled, 20 unchanged"),
        "{}",
        summary(&restored)
    );
}

/// `--site content/..` is the project folder, which holds the content: it
/// passed the check (the paths were compared as written), and clearing the
/// site deleted the attachments in the content folder and every PDF of the
/// output.
#[test]
fn a_site_folder_named_through_dots_that_holds_the_content_is_refused() {
    let project = two_bodies();
    let pdf = project.path().join("content/styret/2024-01/vedlegg.pdf");
    fs::write(&pdf, b"%PDF-1.7\n").unwrap();
    for (site, what) in [
        ("content/..", "hold the content folder"),
        ("content/styret/../..", "hold the content folder"),
        (".", "hold the content folder"),
        ("content/styret", "be inside the content folder"),
        ("templates/site", "be inside the templates folder"),
        ("output/site", "be inside the output folder"),
    ] {
        let out = run(project.path(), &["archive", "--site", site]);
        assert_eq!(out.status.code(), Some(1), "{site}: {}", stderr(&out));
        assert_contains(
            &stderr(&out),
            &[&format!("--site {site}: the site folder must not {what}")],
        );
    }
    assert!(pdf.is_file(), "the content's PDF is still there");
}

/// Files someone else put in the site stay, with a warning, whatever their
/// extension: `extra/feed.json` and a PDF beside a meeting's documents were
/// deleted as if motebok had written them. What motebok wrote and no longer
/// publishes still goes.
#[test]
fn files_motebok_did_not_write_stay_in_the_site() {
    let project = two_bodies();
    let out = run(project.path(), &["archive"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let site = project.path().join("site");
    let theirs = [
        "extra/feed.json",
        "extra/arsrapport.pdf",
        "styret/arsrapport.pdf",
        "styret/2024-01/notat.pdf",
        "styret/2024-01/saker/sak-03-24.pdf",
        "CNAME.html",
        "docs/moter.ics",
        "extra/old/sak-rapport.pdf",
    ];
    let ours = [
        "styret/2024-01/sak-99-24.pdf",
        "styret/2023-09/innkalling.pdf",
    ];
    for file in theirs.iter().chain(&ours) {
        let path = site.join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, b"ikke motebok sin").unwrap();
    }
    let again = run(project.path(), &["archive"]);
    assert!(again.status.success(), "{}", stderr(&again));
    let err = stderr(&again);
    for file in theirs {
        assert!(site.join(file).is_file(), "{file} was removed");
        assert!(
            err.contains(&format!("site/{file} is not part of the public site")),
            "{file}: {err}"
        );
    }
    for file in ours {
        assert!(!site.join(file).exists(), "{file} is still there");
    }
    // A name that is not UTF-8 is not one of motebok's, whatever follows it.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let odd = site.join(std::ffi::OsStr::from_bytes(b"\xff"));
        fs::create_dir_all(&odd).unwrap();
        fs::write(odd.join("index.html"), b"ikke motebok sin").unwrap();
        let third = run(project.path(), &["archive"]);
        assert!(third.status.success(), "{}", stderr(&third));
        assert!(odd.join("index.html").is_file(), "{}", stderr(&third));
    }
}
