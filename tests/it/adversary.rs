//! The second adversarial pass (issue 11, "Done when"): reads outside the
//! project through the newer features (figures, attachments, data files,
//! logos), text withheld after publishing, and resources that a single content
//! value could exhaust. What the pass tried is listed in `fuzz/README.md`.

use std::fs;
use std::path::Path;

use crate::common::{project_with, root, run, stderr};

/// A project with the publishing fixture (an exempt item with a paper, a
/// figure, a data block and an attachment).
fn project() -> tempfile::TempDir {
    project_with(&root().join("tests/fixtures/publish"))
}

const MEETING: &str = "content/styret/2024-01";

/// A secret file beside the project, and a link to it at `link`.
#[cfg(unix)]
fn link_out(dir: &Path, secret: &Path, link: &str) {
    let path = dir.join(link);
    let _ = fs::remove_file(&path);
    std::os::unix::fs::symlink(secret, &path).unwrap();
}

/// Every file of the new kinds linked outside `content/` is refused, naming
/// the file that names it, and never shows the linked file's text.
#[cfg(unix)]
#[test]
fn figures_attachments_data_files_and_logos_linked_outside_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("hemmelig.txt");
    fs::write(&secret, "UTENFOR-PROSJEKTET: topphemmelig\n").unwrap();
    let cases: [(&str, &str, &str); 4] = [
        (
            "saker/figurer/tidslinje.svg",
            "03-24.md:69:1: cannot read figure `figurer/tidslinje.svg`: it leads to",
            "",
        ),
        (
            "vedlegg/avtale.pdf",
            "meeting.yaml:29:17: agenda[2].attachments[0].file: cannot read attachment",
            "",
        ),
        (
            "saker/03-24-status.yaml",
            "03-24.md:71:1: cannot read data file `03-24-status.yaml`: it leads to",
            "",
        ),
        (
            "../logo.svg",
            "body.yaml:11:15: logo.file: cannot read logo `logo.svg`: it leads to",
            "logo: { file: logo.svg, alt: Logo }\n",
        ),
    ];
    for (file, expected, body_extra) in cases {
        let dir = project();
        let meeting = dir.path().join(MEETING);
        link_out(&meeting, &secret, file);
        if !body_extra.is_empty() {
            let body = dir.path().join("content/styret/body.yaml");
            let text = fs::read_to_string(&body).unwrap();
            fs::write(&body, text + body_extra).unwrap();
        }
        let out = run(dir.path(), &["check"]);
        let text = stderr(&out);
        assert!(!out.status.success(), "{file}: check should fail:\n{text}");
        assert!(
            text.contains(expected),
            "{file}: expected {expected:?} in:\n{text}"
        );
        assert!(text.contains("outside the content folder"), "{text}");
        assert!(!text.contains("UTENFOR-PROSJEKTET"), "{file}: {text}");
    }
}

/// A data file can no longer put megabytes of text into one table cell: a
/// 3 MB comment took 36 s and 2.7 GB to lay out, almost all of it cut off.
#[test]
fn a_huge_text_in_a_data_file_is_a_located_error() {
    let dir = project();
    let status = dir.path().join(MEETING).join("saker/03-24-status.yaml");
    let comment = "ab ".repeat(40_000);
    let data = format!(
        "title: Status\ndimensions:\n  - name: Leveranser\n    status: red\n    comment: \"{comment}\"\n"
    );
    fs::write(&status, data).unwrap();
    let out = run(dir.path(), &["check"]);
    let text = stderr(&out);
    assert!(
        !out.status.success(),
        "check should fail:\n{}",
        &text[..text.len().min(3000)]
    );
    assert!(
        text.contains("03-24-status.yaml:5:14: a text of more than 65536 bytes in one field"),
        "{}",
        &text[..text.len().min(3000)]
    );
}

/// A text made exempt after it was published leaves every public file: the
/// paper, the index and the calendar.
#[test]
fn text_made_exempt_after_publishing_leaves_the_site() {
    let dir = project();
    let first = run(dir.path(), &["archive"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let site = dir.path().join("site");
    let index = fs::read_to_string(site.join("index.json")).unwrap();
    assert!(index.contains("Budsjett 2024"), "{index}");
    let meeting = dir.path().join(MEETING).join("meeting.yaml");
    let text = fs::read_to_string(&meeting).unwrap().replace(
        "    title: Budsjett 2024\n",
        "    title: Budsjett 2024\n    public_title: Økonomi\n    exempt: \"Offl. § 23\"\n",
    );
    fs::write(&meeting, text).unwrap();
    let again = run(dir.path(), &["archive"]);
    assert!(again.status.success(), "{}", stderr(&again));
    for file in walk(&site) {
        let bytes = fs::read(&file).unwrap();
        let text = if file.extension().is_some_and(|e| e == "pdf") {
            crate::common::pdf_text(&file)
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        assert!(
            !text.contains("Budsjett 2024"),
            "{} still holds it",
            file.display()
        );
        let utf16: Vec<u8> = "Budsjett 2024"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert!(
            !bytes.windows(utf16.len()).any(|w| w == utf16.as_slice()),
            "{} holds it in a PDF string",
            file.display()
        );
    }
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A PNG header claiming 30 000 × 30 000 pixels (the whole file of such an
/// image is 2.6 MB; decoding it took 5.3 GB).
fn huge_png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(30_000u32.to_be_bytes());
    bytes.extend(30_000u32.to_be_bytes());
    bytes.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

/// Figures Typst would choke on or refuse are located errors at the line that
/// shows them, found at load (they were errors blamed on a template, or a
/// 5 GB decode).
#[test]
fn figures_that_typst_would_refuse_are_located_errors() {
    let deep = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">{}<rect width=\"1\" height=\"1\"/>{}</svg>",
        "<g>".repeat(100_000),
        "</g>".repeat(100_000)
    );
    let linked = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><image href=\"/etc/motebok.png\" width=\"10\" height=\"10\"/></svg>";
    let cases: [(Vec<u8>, &str); 3] = [
        (
            huge_png(),
            "is 30000 × 30000 pixels, more than the 40 megapixels",
        ),
        (deep.into_bytes(), "cannot be used: failed to parse SVG"),
        (
            linked.as_bytes().to_vec(),
            "links the file `/etc/motebok.png`",
        ),
    ];
    for (bytes, expected) in cases {
        let dir = project();
        let figure = dir.path().join(MEETING).join("saker/figurer/tidslinje.svg");
        fs::write(&figure, bytes).unwrap();
        let out = run(dir.path(), &["check"]);
        let text = stderr(&out);
        assert!(!out.status.success(), "check should fail:\n{text}");
        let at = "03-24.md:69:1: figure `figurer/tidslinje.svg` ";
        assert!(
            text.contains(&format!("{at}{expected}")),
            "expected {expected:?} in:\n{text}"
        );
    }
}

/// A figure is told by its first bytes, and Typst by its name: a PNG named
/// `.svg` prints (it failed as an SVG that does not parse).
#[test]
fn a_png_named_svg_prints() {
    let dir = project();
    let figure = dir.path().join(MEETING).join("saker/figurer/tidslinje.svg");
    fs::write(&figure, tiny_png()).unwrap();
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A valid 1 × 1 PNG.
fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8,
        0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}
