//! Load stage, attachments: the PDF documents attached to an agenda item
//! (*vedlegg*), read through the confined, bounded reader, each page converted
//! to a drawing (SVG) for the meeting pack.
//!
//! PDF/A and PDF/UA forbid a document to carry another PDF's pages as they are
//! (they cannot vouch for them), and motebok's documents are both. So each
//! page is redrawn as vector graphics (with hayro, the PDF reader Typst itself
//! uses) and placed as a figure with alt text: it looks as the original, but
//! its text is a drawing, not text a reader can search or read aloud. The
//! attachment's title, in the contents and bookmarks, is text.

use std::path::Path;
use std::sync::Arc;

use hayro_svg::hayro_interpret::InterpreterSettings;
use hayro_svg::hayro_interpret::font::{FontData, FontQuery, StandardFont};
use hayro_svg::hayro_syntax::Pdf;
use hayro_svg::{RenderCache, SvgRenderSettings};

use super::schema::AttachmentFile;
use super::source::SourceFile;
use crate::diagnostic::{Diagnostics, counted};
use crate::fsread::{self, ReadError, Root};
use crate::model::{Attachment, DrawnSet, FileBytes, PaperFile};
use crate::text::stable_hash;

/// The largest attachment, in bytes: a report of some hundred pages fits.
pub(crate) const MAX_ATTACHMENT_BYTES: u64 = 32 * 1024 * 1024;

/// The most pages an attachment may have: each becomes a page of the pack.
pub(crate) const MAX_ATTACHMENT_PAGES: usize = 300;

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
        match read_pages(content_dir, dir, &attachment.file) {
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

/// Reads the PDF `relative` (to the meeting folder `dir`) and draws its pages.
fn read_pages(content_dir: &Path, dir: &Path, relative: &str) -> Result<Vec<PaperFile>, String> {
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
    super::pdf_work::check_syntax(&bytes)
        .map_err(|refusal| refusal.message(&format!("attachment `{relative}`")))?;
    let bytes = Arc::new(bytes);
    let pdf = Pdf::new(bytes.clone()).map_err(|err| {
        format!("attachment `{relative}` cannot be read as a PDF ({err:?}); is it damaged or password-protected?")
    })?;
    let pages = pdf.pages();
    if pages.is_empty() || pages.len() > MAX_ATTACHMENT_PAGES {
        return Err(format!(
            "attachment `{relative}` has {} pages; an attachment has 1 to {MAX_ATTACHMENT_PAGES}",
            pages.len()
        ));
    }
    // What drawing would take is bounded now, so that a page too much to
    // draw is an error here, not an abort when a document needs it.
    super::pdf_work::check_all_pages(hash, &pdf)
        .map_err(|refusal| refusal.message(&format!("attachment `{relative}`")))?;
    // Drawing takes far longer than reading: it waits until a document shows
    // the pages (a build whose documents are unchanged never draws them).
    let count = pages.len();
    let set = DrawnSet::remembered((hash, bytes), move || draw_pages(&pdf));
    Ok((0..count)
        .map(|n| PaperFile {
            path: format!("/{hash:032x}/side-{}.svg", n + 1),
            bytes: FileBytes::drawn(&set, n),
        })
        .collect())
}

/// Every page of `pdf`, drawn as an SVG.
fn draw_pages(pdf: &Pdf) -> Vec<Vec<u8>> {
    let settings = interpreter_settings();
    let cache = RenderCache::new();
    let render = SvgRenderSettings {
        bg_color: [255, 255, 255, 255],
    };
    pdf.pages()
        .iter()
        .map(|page| hayro_svg::convert(page, &cache, &settings, &render).into_bytes())
        .collect()
}

/// Draws page `page` (counted from 1) of the PDF `bytes` as an SVG, the way
/// attachment pages are drawn; `what` names the file in messages.
pub(crate) fn pdf_page_svg(bytes: Vec<u8>, page: usize, what: &str) -> Result<Vec<u8>, String> {
    super::pdf_work::check_syntax(&bytes).map_err(|refusal| refusal.message(what))?;
    let pdf = Pdf::new(bytes).map_err(|err| {
        format!("{what} cannot be read as a PDF ({err:?}); is it damaged or password-protected?")
    })?;
    let pages = pdf.pages();
    let count = pages.len();
    let Some(drawn) = page.checked_sub(1).and_then(|i| pages.get(i)) else {
        return Err(format!(
            "{what} has {}, so it has no page {page}",
            counted(count, "page")
        ));
    };
    super::pdf_work::check(&pdf, [page - 1]).map_err(|refusal| refusal.message(what))?;
    let render = SvgRenderSettings {
        bg_color: [255, 255, 255, 255],
    };
    let svg = hayro_svg::convert(drawn, &RenderCache::new(), &interpreter_settings(), &render);
    Ok(svg.into_bytes())
}

/// How hayro draws: the 14 standard PDF fonts from Typst's own set.
fn interpreter_settings() -> InterpreterSettings {
    let standard = |font: StandardFont| -> Option<(FontData, u32)> {
        let bytes: &'static [u8] = match font {
            StandardFont::Helvetica => typst_assets::pdf::SANS,
            StandardFont::HelveticaBold => typst_assets::pdf::SANS_BOLD,
            StandardFont::HelveticaOblique => typst_assets::pdf::SANS_ITALIC,
            StandardFont::HelveticaBoldOblique => typst_assets::pdf::SANS_BOLD_ITALIC,
            StandardFont::Courier => typst_assets::pdf::FIXED,
            StandardFont::CourierBold => typst_assets::pdf::FIXED_BOLD,
            StandardFont::CourierOblique => typst_assets::pdf::FIXED_ITALIC,
            StandardFont::CourierBoldOblique => typst_assets::pdf::FIXED_BOLD_ITALIC,
            StandardFont::TimesRoman => typst_assets::pdf::SERIF,
            StandardFont::TimesBold => typst_assets::pdf::SERIF_BOLD,
            StandardFont::TimesItalic => typst_assets::pdf::SERIF_ITALIC,
            StandardFont::TimesBoldItalic => typst_assets::pdf::SERIF_BOLD_ITALIC,
            StandardFont::ZapfDingBats => typst_assets::pdf::DING_BATS,
            StandardFont::Symbol => typst_assets::pdf::SYMBOL,
        };
        Some((Arc::new(bytes), 0))
    };
    InterpreterSettings {
        font_resolver: Arc::new(move |query| match query {
            FontQuery::Standard(s) => standard(*s),
            FontQuery::Fallback(f) => standard(f.pick_standard_font()),
        }),
        cmap_resolver: Arc::new(|_| None),
        warning_sink: Arc::new(|_| {}),
        render_annotations: false,
    }
}
