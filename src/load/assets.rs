//! Load stage, figures: the image files a case paper shows, read through the
//! confined, bounded reader and handed to the model with the paper.
//!
//! Each image address of the paper (relative to the paper's folder) is read
//! here, checked to be a PNG, JPEG or SVG, and rewritten in the paper's text
//! to the virtual path the Typst world serves the bytes under
//! (`/<hash>/<name>`). The hash of the bytes is in the path, so the generated
//! source, and with it the build's fingerprint, changes when a figure does.

use std::ops::Range;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Diagnostics, LineIndex};
use crate::fsread::{self, ReadError, Root};
use crate::markdown;
use crate::model::{FileBytes, PaperFile};
use crate::text::stable_hash;

/// The largest figure file, in bytes: a photograph or a scanned page fits;
/// anything larger slows every build and bloats the PDF.
pub(crate) const MAX_FIGURE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads the figures of the case paper `paper` (its text `text`) and rewrites
/// their addresses; the files read are pushed to `files`.
pub(crate) fn resolve_figures(
    content_dir: &Path,
    paper: &Path,
    text: String,
    files: &mut Vec<PaperFile>,
    diags: &mut Diagnostics,
) -> String {
    let folder = paper.parent().unwrap_or(Path::new(""));
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let lines = LineIndex::new(&text);
    for image in markdown::images(&text) {
        let error = |message: String| {
            let at = lines.position(&text, image.offset);
            Diagnostic::error(message)
                .in_file(paper)
                .at_indexed(Some(at), &text, &lines)
        };
        let Some(span) = image.dest_span.clone() else {
            continue; // reported by the Markdown check
        };
        match read_image(content_dir, folder, &image.dest, "figure") {
            Ok(file) => {
                edits.push((span, format!("<{}>", file.path)));
                if !files.iter().any(|f| f.path == file.path) {
                    files.push(file);
                }
            }
            Err(message) => diags.push(error(message)),
        }
    }
    let mut text = text;
    for (span, path) in edits.into_iter().rev() {
        text.replace_range(span, &path);
    }
    text
}

/// Reads the image `dest` (as written, relative to `folder`): a figure or a
/// logo, as `noun` says in messages.
pub(crate) fn read_image(
    content_dir: &Path,
    folder: &Path,
    dest: &str,
    noun: &str,
) -> Result<PaperFile, String> {
    if dest.contains(':') || dest.starts_with('/') || dest.is_empty() {
        return Err(format!(
            "{noun} `{dest}` must be a file in the project, given relative to the file naming it, \
             such as figurer/tidslinje.png"
        ));
    }
    // `rapport.pdf#page=2`: a page of a PDF, as PDF viewers name it.
    let (dest, fragment) = match dest.split_once('#') {
        Some((file, fragment)) => (file, Some(fragment)),
        None => (dest, None),
    };
    let path = folder.join(dest);
    let bytes =
        fsread::read_file(Root::content(content_dir), &path, MAX_FIGURE_BYTES).map_err(|err| {
            match err {
                ReadError::Missing => {
                    format!("{noun} `{dest}` does not exist ({})", path.display())
                }
                err => format!("cannot read {noun} `{dest}`: {err}"),
            }
        })?;
    let Some(kind) = figure_kind(&bytes) else {
        return Err(format!(
            "{noun} `{dest}` is not a PNG, JPEG, SVG or PDF file"
        ));
    };
    // The name stands for the file's bytes: a page drawn from a PDF by its
    // source, not by this version's drawing of it (the approval digest
    // holds these names).
    let hash = stable_hash(&bytes);
    let (kind, bytes, dest) = match (kind, fragment) {
        ("pdf", _) => pdf_page((&bytes, hash), dest, fragment, noun)?,
        (_, Some(_)) => {
            return Err(format!(
                "{noun} `{dest}`: only a PDF file takes a page (`#page=2`)"
            ));
        }
        (kind, None) => (kind, bytes, dest.to_owned()),
    };
    let dest = dest.as_str();
    super::image_check::check_image(kind, &bytes, &format!("{noun} `{dest}`"))?;
    let name = Path::new(dest)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| n.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)))
        .unwrap_or_else(|| format!("{noun}.{kind}"));
    // Typst tells an image's kind by its name: a PNG named `.svg` gets its own.
    let name = if name_fits(&name, kind) {
        name
    } else {
        format!("{name}.{kind}")
    };
    Ok(PaperFile {
        path: format!("/{hash:032x}/{name}"),
        bytes: FileBytes::ready(bytes),
    })
}

/// Page `#page=N` (default 1) of the PDF `bytes` at `dest`, drawn as an SVG:
/// PDF/A and PDF/UA let a document carry no other PDF's pages, so the page is
/// drawn anew, as attachment pages are. Its kind, bytes and file name.
fn pdf_page(
    (bytes, hash): (&[u8], u128),
    dest: &str,
    fragment: Option<&str>,
    noun: &str,
) -> Result<(&'static str, Vec<u8>, String), String> {
    let page = match fragment {
        None => 1,
        Some(fragment) => fragment
            .strip_prefix("page=")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("{noun} `{dest}#{fragment}`: give the page as `#page=2`"))?,
    };
    let svg = super::drawing::draw_page(bytes, hash, page, &format!("{noun} `{dest}`"))?;
    let stem = dest.trim_end_matches(".pdf").trim_end_matches(".PDF");
    Ok(("svg", svg, format!("{stem}-side-{page}.svg")))
}

/// Whether the file name `name` ends in an extension of `kind`.
fn name_fits(name: &str, kind: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match kind {
        "jpg" => matches!(ext.as_deref(), Some("jpg" | "jpeg")),
        _ => ext.as_deref() == Some(kind),
    }
}

/// The kind of figure file `bytes` hold, by their first bytes: `png`, `jpg`,
/// `svg` or `pdf`.
fn figure_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("png");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("jpg");
    }
    if bytes.starts_with(b"%PDF-") {
        return Some("pdf");
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    (head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg")))
        .then_some("svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_kinds_are_told_by_their_first_bytes() {
        assert_eq!(figure_kind(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(figure_kind(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("jpg"));
        assert_eq!(figure_kind(b"%PDF-1.7"), Some("pdf"));
        assert_eq!(figure_kind(b"<?xml version=\"1.0\"?>\n<svg/>"), Some("svg"));
        assert_eq!(figure_kind(b"<svg xmlns=\"\"/>"), Some("svg"));
        assert_eq!(figure_kind(b"GIF89a"), None);
    }

    /// A page drawn from a PDF is named by the PDF's bytes and the page, not
    /// by the drawing (which a newer renderer would change, and with it the
    /// digest of every approved case showing it).
    #[test]
    fn a_pdf_page_is_named_by_its_source() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path();
        let pdf = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/publish/styret/2024-01/vedlegg/avtale.pdf"),
        )
        .unwrap();
        std::fs::write(content.join("avtale.pdf"), &pdf).unwrap();
        let figure = read_image(content, content, "avtale.pdf#page=1", "figure").unwrap();
        assert_eq!(
            figure.path,
            format!("/{:032x}/avtale-side-1.svg", stable_hash(&pdf))
        );
        assert!(figure.bytes.get().starts_with(b"<svg"));
    }
}
