//! Typst source → PDF bytes, or diagnostics pointing into the generated source.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Datetime, Smart};
use typst::layout::{Abs, Frame, FrameItem, Point, Size, Transform};
use typst::syntax::Span;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::diagnostic::{Diagnostic, Position};
use crate::model::FileMap;
use crate::world::{DocumentWorld, Typesetter};

/// What to compile.
pub struct CompileRequest<'a> {
    /// Virtual name of the generated source, for diagnostics (`nehs/2020-07/innkalling.typ`).
    pub name: &'a str,
    /// The generated Typst source.
    pub source: String,
    /// A stable identifier of the document (the PDF's id is derived from it).
    pub ident: &'a str,
    /// The document's date, from content (PDF creation date).
    pub date: (i32, u8, u8),
    /// PDF standards to enforce.
    pub standards: &'a [PdfStandard],
    /// Whether to also give the text of each page (checks and tests; a
    /// build does not need it).
    pub text: bool,
}

/// A compiled document.
#[derive(Debug)]
pub struct Compiled {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// The document's text, page by page, when asked for (for tests and checks).
    pub text: Vec<String>,
    /// Warnings from Typst.
    pub warnings: Vec<Diagnostic>,
}

/// Compiles a generated source to PDF.
pub fn compile_pdf(
    typesetter: Arc<Typesetter>,
    request: CompileRequest<'_>,
) -> Result<Compiled, Vec<Diagnostic>> {
    compile_pdf_with_files(typesetter, request, FileMap::new())
}

/// Compiles a generated source to PDF, with the project `files` it may show.
pub fn compile_pdf_with_files(
    typesetter: Arc<Typesetter>,
    request: CompileRequest<'_>,
    files: FileMap,
) -> Result<Compiled, Vec<Diagnostic>> {
    let world = DocumentWorld::new(typesetter, request.name, request.source).with_files(files);
    let result = typst::compile::<PagedDocument>(&world);
    let warnings: Vec<Diagnostic> = result
        .warnings
        .iter()
        .map(|d| convert(&world, request.name, d))
        .collect();
    let document = result
        .output
        .map_err(|errors| convert_all(&world, request.name, &errors, &warnings))?;

    let standards = PdfStandards::new(request.standards).map_err(|e| {
        vec![Diagnostic::error(format!(
            "invalid PDF standard: {}",
            e.message()
        ))]
    })?;
    let (y, m, d) = request.date;
    let options = PdfOptions {
        ident: Smart::Custom(request.ident.to_owned()),
        creator: Smart::Custom(Some(format!("motebok {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Datetime::from_ymd(y, m, d).map(Timestamp::new_utc),
        standards,
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options)
        .map_err(|errors| convert_all(&world, request.name, &errors, &warnings))?;
    let mut warnings = warnings;
    let overflows = find_overflows(&document);
    let more = overflows.len().saturating_sub(MAX_OVERFLOW_WARNINGS);
    warnings.extend(
        overflows
            .into_iter()
            .take(MAX_OVERFLOW_WARNINGS)
            .map(|overflow| overflow_warning(&world, request.name, overflow)),
    );
    if more > 0 {
        warnings.push(
            Diagnostic::warning(format!("text runs off {more} more pages too"))
                .in_file(Path::new(request.name)),
        );
    }
    let text = match request.text {
        true => document
            .pages()
            .iter()
            .map(|page| frame_text(&page.frame))
            .collect(),
        false => Vec::new(),
    };
    Ok(Compiled {
        pdf,
        pages: document.pages().len(),
        text,
        warnings,
    })
}

fn convert_all(
    world: &DocumentWorld,
    name: &str,
    errors: &[SourceDiagnostic],
    warnings: &[Diagnostic],
) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|d| convert(world, name, d))
        .chain(warnings.iter().cloned())
        .collect()
}

/// Turns a Typst diagnostic into ours, pointing into the generated source.
fn convert(world: &DocumentWorld, name: &str, diag: &SourceDiagnostic) -> Diagnostic {
    let base = match diag.severity {
        TypstSeverity::Error => Diagnostic::error(format!("typst: {}", diag.message)),
        TypstSeverity::Warning => Diagnostic::warning(format!("typst: {}", diag.message)),
    };
    let source = world.source_text();
    let mut out = base.in_file(Path::new(name)).at(
        position_of(world, world.range(diag.span)),
        Some(source.text()),
    );
    let hints: Vec<&str> = diag.hints.iter().map(|h| h.v.as_str()).collect();
    if !hints.is_empty() {
        out = out.hint(hints.join("; "));
    }
    out
}

/// Where `range` (of a span, when it is in the generated source) starts.
fn position_of(world: &DocumentWorld, range: Option<Range<usize>>) -> Option<Position> {
    let source = world.source_text();
    let range = range?;
    let (line, column) = source.lines().byte_to_line_column(range.start)?;
    Some(Position {
        line: line + 1,
        column: column + 1,
    })
}

/// How far (in points) text may reach past the page's edge before it counts
/// as running off it: glyphs overshoot their advance a little, and an italic
/// letter at the margin is not lost.
const OVERFLOW_TOLERANCE_PT: f64 = 2.0;

/// Pages with text that runs off them warned of one by one per document; the
/// rest are counted in one more warning, so that a broken template does not
/// bury the build's output.
const MAX_OVERFLOW_WARNINGS: usize = 5;

/// How much of the text that runs off a page the warning quotes, in characters.
const OVERFLOW_QUOTED_CHARS: usize = 40;

/// Text that runs off its page: lost in print and in the PDF.
struct Overflow {
    /// The page, from 1.
    page: usize,
    /// Which edge it crosses.
    edge: &'static str,
    /// Where in the generated source the text is.
    span: Span,
    /// The start of the text.
    text: String,
}

/// Finds, per page, the first text that leaves the page (a word too long for
/// any line, a table row taller than the page); Typst lays such text out past
/// the edge without a word.
fn find_overflows(document: &PagedDocument) -> Vec<Overflow> {
    let mut found = Vec::new();
    for (index, page) in document.pages().iter().enumerate() {
        let size = page.frame.size();
        if let Some((edge, span, text)) = overflow_in(&page.frame, Transform::identity(), size) {
            found.push(Overflow {
                page: index + 1,
                edge,
                span,
                text,
            });
        }
    }
    found
}

/// The first text in `frame` (placed by `ts`) that leaves a page of `page` size.
fn overflow_in(frame: &Frame, ts: Transform, page: Size) -> Option<(&'static str, Span, String)> {
    let tolerance = Abs::pt(OVERFLOW_TOLERANCE_PT);
    for (pos, item) in frame.items() {
        let ts = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(group) => {
                let found = overflow_in(&group.frame, ts.pre_concat(group.transform), page);
                if found.is_some() {
                    return found;
                }
            }
            FrameItem::Text(text) => {
                let start = Point::zero().transform(ts);
                let end = Point::new(text.width(), Abs::zero()).transform(ts);
                let (left, right) = (start.x.min(end.x), start.x.max(end.x));
                let (top, bottom) = (start.y.min(end.y) - text.size, start.y.max(end.y));
                let edge = if bottom > page.y + tolerance {
                    "bottom"
                } else if right > page.x + tolerance {
                    "right"
                } else if left < -tolerance {
                    "left"
                } else if top < -tolerance {
                    "top"
                } else {
                    continue;
                };
                let span = text
                    .glyphs
                    .iter()
                    .map(|g| g.span.0)
                    .find(|s| !s.is_detached())
                    .unwrap_or(Span::detached());
                return Some((edge, span, text.text.to_string()));
            }
            _ => {}
        }
    }
    None
}

/// The warning for text that runs off a page, at its place in the generated source.
fn overflow_warning(world: &DocumentWorld, name: &str, overflow: Overflow) -> Diagnostic {
    let quoted: String = overflow.text.chars().take(OVERFLOW_QUOTED_CHARS).collect();
    let more = if overflow.text.chars().nth(OVERFLOW_QUOTED_CHARS).is_some() {
        "…"
    } else {
        ""
    };
    let source = world.source_text();
    let position = position_of(world, world.range(overflow.span));
    Diagnostic::warning(format!(
        "text runs off the {} edge of page {} and is lost: \"{quoted}{more}\"",
        overflow.edge, overflow.page
    ))
    .in_file(Path::new(name))
    .at(position, Some(source.text()))
    .hint("break up the long word or address, or split the table row or text that is taller than a page")
}

/// The text of a frame in reading order of layout (good enough for search and tests).
fn frame_text(frame: &Frame) -> String {
    let mut out = String::new();
    collect_text(frame, &mut out);
    out
}

fn collect_text(frame: &Frame, out: &mut String) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => collect_text(&group.frame, out),
            FrameItem::Text(text) => {
                out.push_str(&text.text);
                out.push(' ');
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(source: &str) -> Result<Compiled, Vec<Diagnostic>> {
        compile_pdf(
            Typesetter::shared(),
            CompileRequest {
                name: "test.typ",
                source: source.to_owned(),
                ident: "test",
                date: (2020, 12, 16),
                standards: &[],
                text: true,
            },
        )
    }

    #[test]
    fn compiles_to_pdf_with_text() {
        let out = compile("#set text(font: \"Carlito\", lang: \"nb\")\nHei æøå").unwrap();
        assert!(out.pdf.starts_with(b"%PDF-"));
        assert_eq!(out.pages, 1);
        assert!(out.text[0].contains("Hei æøå"), "{:?}", out.text);
    }

    #[test]
    fn errors_point_into_the_generated_source() {
        let errors = compile("Linje én\n#nosuchfunction()").unwrap_err();
        let text = errors[0].to_string();
        assert!(
            text.starts_with("error: test.typ:2:2: typst: unknown variable: nosuchfunction"),
            "{text}"
        );
    }

    #[test]
    fn files_outside_the_document_cannot_be_read() {
        let errors = compile("#read(\"/etc/passwd\")").unwrap_err();
        assert!(
            errors[0].message.contains("access denied"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn text_that_leaves_the_page_is_a_warning() {
        let word = "abcdefghij".repeat(13);
        let out = compile(&format!("Tekst\n\n{word}")).unwrap();
        let warning = out.warnings[0].to_string();
        assert!(
            warning.contains("test.typ:3:1: text runs off the right edge of page 1"),
            "{warning}"
        );
        let rows = "#table(columns: 1, table.cell(breakable: false)[#lorem(2000)])";
        let out = compile(rows).unwrap();
        assert!(
            out.warnings
                .iter()
                .any(|w| w.message.contains("runs off the bottom edge of page 1")),
            "{:?}",
            out.warnings
        );
        let many = format!("#set page(width: 5cm)\n{}", "abcdefghij".repeat(20));
        let out = compile(&format!("{many}\n#pagebreak()\n").repeat(8)).unwrap();
        assert_eq!(
            out.warnings.len(),
            MAX_OVERFLOW_WARNINGS + 1,
            "{:?}",
            out.warnings
        );
        assert!(
            out.warnings[MAX_OVERFLOW_WARNINGS]
                .message
                .contains("3 more pages")
        );
        let out = compile(&rows.replace("false", "true")).unwrap();
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        assert!(out.pages > 1);
        assert!(compile("= Tittel\nTekst").unwrap().warnings.is_empty());
    }

    #[test]
    fn same_source_gives_same_bytes() {
        let a = compile("= Tittel\nTekst").unwrap().pdf;
        let b = compile("= Tittel\nTekst").unwrap().pdf;
        assert_eq!(a, b);
    }
}
