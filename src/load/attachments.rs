//! Load stage, attachments: the PDF documents attached to an agenda item
//! (*vedlegg*), read through the confined, bounded reader, each page converted
//! to a drawing (SVG) for the meeting pack.
//!
//! PDF/A and PDF/UA forbid a document to carry another PDF's pages as they are
//! (they cannot vouch for them), and motebok's documents are both. So each
//! page is redrawn as vector graphics (with hayro, the PDF reader Typst itself
//! uses) and placed as a figure with alt text: it looks as the original, but
//! its text is a drawing, not text a reader can search or read aloud. The
//! attachment's title, in the contents and bookmarks, is text. Reading and
//! drawing happen in a process of their own, limited in memory and time
//! (see [`super::drawing`]).

use std::path::Path;
use std::sync::Arc;

use super::drawing;
use super::schema::AttachmentFile;
use super::source::SourceFile;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fsread::{self, ReadError, Root};
use crate::model::{Attachment, DrawnSet, FileBytes, PaperFile};
use crate::text::stable_hash;

/// The largest attachment, in bytes: a report of some hundred pages fits.
pub(crate) const MAX_ATTACHMENT_BYTES: u64 = 32 * 1024 * 1024;

/// Resolves the attachments of the agenda row at `field` of `file`; `dir` is the
/// meeting folder their paths are relative to. Their pages are pushed to `files`.
pub(crate) fn resolve_attachments(
    file: &SourceFile,
    field: &str,
    (content_dir, dir): (&Path, &Path),
    raw: Vec<AttachmentFile>,
    files: &mut Vec<PaperFile>,
    diags: &mut Diagnostics,
) -> Vec<Attachment> {
    let mut out = Vec::new();
    for (i, attachment) in raw.into_iter().enumerate() {
        let at = format!("{field}[{i}]");
        if attachment.title.trim().is_empty() {
            diags.push(file.error(
                &format!("{at}.title"),
                "an attachment needs a title, the name it is listed under",
            ));
            continue;
        }
        let blame = file.error(&format!("{at}.file"), "");
        match read_pages(content_dir, dir, &attachment.file, blame) {
            Ok(pages) => {
                let paths = pages.iter().map(|p| p.path.clone()).collect();
                files.extend(pages);
                out.push(Attachment {
                    title: attachment.title,
                    file: attachment.file,
                    pages: paths,
                });
            }
            Err(message) => diags.push(file.error(&format!("{at}.file"), message)),
        }
    }
    out
}

/// Reads the PDF `relative` (to the meeting folder `dir`) and checks that
/// its pages can be drawn; `blame` is where a failure to draw them later is
/// reported (the attachment's `file` field).
fn read_pages(
    content_dir: &Path,
    dir: &Path,
    relative: &str,
    blame: Diagnostic,
) -> Result<Vec<PaperFile>, String> {
    let path = dir.join(relative);
    let bytes = fsread::read_file(Root::content(content_dir), &path, MAX_ATTACHMENT_BYTES)
        .map_err(|err| match err {
            ReadError::Missing => format!("attachment `{relative}` does not exist"),
            err => format!("cannot read attachment `{relative}`: {err}"),
        })?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(format!("attachment `{relative}` is not a PDF file"));
    }
    let hash = stable_hash(&bytes);
    let bytes = Arc::new(bytes);
    let what = format!("attachment `{relative}`");
    // What drawing would take is bounded now, so that a page too much to
    // draw is an error here, not when a document needs it.
    let count = drawing::survey(&bytes, hash, &what)?;
    // Drawing takes far longer than reading: it waits until a document shows
    // the pages (a build whose documents are unchanged never draws them).
    let source = (hash, bytes.clone());
    let set = DrawnSet::remembered(source, blame, move || {
        drawing::draw_all(&bytes, hash, count, &what)
    });
    Ok((0..count)
        .map(|n| PaperFile {
            path: format!("/{hash:032x}/side-{}.svg", n + 1),
            bytes: FileBytes::drawn(&set, n),
        })
        .collect())
}
