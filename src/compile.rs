//! Typst source → PDF bytes, or diagnostics pointing into the generated source.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Datetime, Smart};
use typst::layout::{Abs, Frame, FrameItem, Point, Size, Transform};
use typst::syntax::{DiagSpan, Lines, Span};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::diagnostic::{Diagnostic, Position};
use crate::model::FileMap;
use crate::render::SplitSource;
use crate::world::{DocumentWorld, Typesetter};

/// What to compile.
pub struct CompileRequest<'a> {
    /// Virtual name of the generated source, for diagnostics (`nehs/2020-07/innkalling.typ`).
    pub name: &'a str,
    /// The generated Typst source, with its shared parts.
    pub source: SplitSource,
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
    let world = DocumentWorld::split(typesetter, request.name, &request.source).with_files(files);
    let places = Places {
        world: &world,
        name: request.name,
        source: &request.source,
        plain: OnceLock::new(),
    };
    let result = typst::compile::<PagedDocument>(&world);
    let warnings: Vec<Diagnostic> = result.warnings.iter().map(|d| places.convert(d)).collect();
    let document = result
        .output
        .map_err(|errors| places.convert_all(&errors, &warnings))?;

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
        .map_err(|errors| places.convert_all(&errors, &warnings))?;
    let mut warnings = warnings;
    let overflows = find_overflows(&document);
    let more = overflows.len().saturating_sub(MAX_OVERFLOW_WARNINGS);
    warnings.extend(
        overflows
            .into_iter()
            .take(MAX_OVERFLOW_WARNINGS)
            .map(|overflow| places.overflow_warning(overflow)),
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

/// Places in the files compiled, as places in the document as one source
/// (see [`crate::render::split`]), where diagnostics point.
struct Places<'a> {
    world: &'a DocumentWorld,
    /// The virtual name of the document's source.
    name: &'a str,
    /// The source compiled.
    source: &'a SplitSource,
    /// The document as one source, made when a place is first asked for.
    plain: OnceLock<Lines<String>>,
}

impl<'a> Places<'a> {
    fn plain(&self) -> &Lines<String> {
        self.plain.get_or_init(|| Lines::new(self.source.plain()))
    }

    /// Where `span` starts in the document as one source, when it is in one
    /// of its files.
    fn position(&self, span: impl Into<DiagSpan>) -> Option<Position> {
        let span = span.into();
        let which = self.world.which(span.id()?)?;
        let range = self.world.range(span)?;
        let offset = self.source.plain_offset(which, range.start);
        let (line, column) = self.plain().byte_to_line_column(offset)?;
        Some(Position {
            line: line + 1,
            column: column + 1,
        })
    }

    fn convert_all(&self, errors: &[SourceDiagnostic], warnings: &[Diagnostic]) -> Vec<Diagnostic> {
        errors
            .iter()
            .map(|d| self.convert(d))
            .chain(warnings.iter().cloned())
            .collect()
    }

    /// Turns a Typst diagnostic into ours, pointing into the generated source.
    fn convert(&self, diag: &SourceDiagnostic) -> Diagnostic {
        let base = match diag.severity {
            TypstSeverity::Error => Diagnostic::error(format!("typst: {}", diag.message)),
            TypstSeverity::Warning => Diagnostic::warning(format!("typst: {}", diag.message)),
        };
        let mut out = self.at(base, diag.span);
        let hints: Vec<&str> = diag.hints.iter().map(|h| h.v.as_str()).collect();
        if !hints.is_empty() {
            out = out.hint(hints.join("; "));
        }
        out
    }

    /// `diag` in the document's source, at `span` when it is there.
    fn at(&self, diag: Diagnostic, span: impl Into<DiagSpan>) -> Diagnostic {
        let diag = diag.in_file(Path::new(self.name));
        match self.position(span) {
            Some(position) => diag.at(Some(position), Some(self.plain().text())),
            None => diag,
        }
    }

    /// The warning for text that runs off a page, at its place in the generated source.
    fn overflow_warning(&self, overflow: Overflow) -> Diagnostic {
        let quoted: String = overflow.text.chars().take(OVERFLOW_QUOTED_CHARS).collect();
        let more = if overflow.text.chars().nth(OVERFLOW_QUOTED_CHARS).is_some() {
            "…"
        } else {
            ""
        };
        let diag = Diagnostic::warning(format!(
            "text runs off the {} edge of page {} and is lost: \"{quoted}{more}\"",
            overflow.edge, overflow.page
        ));
        self.at(diag, overflow.span)
            .hint("break up the long word or address, or split the table row or text that is taller than a page")
    }
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
                source: SplitSource::single(source.to_owned()),
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

    /// A source with shared parts, as a template marks them.
    fn compile_split(rendered: &str) -> Result<Compiled, Vec<Diagnostic>> {
        let split = crate::render::Split::of(rendered, "styret/2024-01");
        assert!(!split.source.parts.is_empty(), "{rendered:?}");
        compile_pdf(
            Typesetter::shared(),
            CompileRequest {
                name: "test.typ",
                source: split.source,
                ident: "test",
                date: (2020, 12, 16),
                standards: &[],
                text: true,
            },
        )
    }

    #[test]
    fn shared_parts_compile_as_the_document_in_one_source() {
        let module = crate::render::split::mark_part("m", "#let farge = blue\n", true);
        let part = crate::render::split::mark_part("sak", "#text(fill: farge)[Saken]\n", false);
        let compiled = compile_split(&format!("{module}Før\n{part}Etter\n")).expect("compiles");
        let text = compiled.text.concat();
        let words: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(words, ["Før", "Saken", "Etter"]);
    }

    #[test]
    fn errors_in_and_after_shared_parts_point_into_the_document_in_one_source() {
        let module = crate::render::split::mark_part("m", "#let farge = blue\n", true);
        let bad =
            crate::render::split::mark_part("sak", "Første linje\n#nosuchfunction()\n", false);
        let errors = compile_split(&format!("{module}Før\n{bad}Etter\n")).unwrap_err();
        let text = errors[0].to_string();
        assert!(
            text.starts_with("error: test.typ:4:2: typst: unknown variable: nosuchfunction"),
            "{text}"
        );
        assert!(text.contains("#nosuchfunction()"), "the snippet: {text}");
        // In the second of two parts, the first used twice, and in a module.
        let first = crate::render::split::mark_part("a", "A\n", false);
        let errors = compile_split(&format!("{module}{first}{first}{bad}")).unwrap_err();
        let text = errors[0].to_string();
        assert!(
            text.starts_with("error: test.typ:5:2: typst: unknown variable: nosuchfunction"),
            "{text}"
        );
        let bad_module = crate::render::split::mark_part("m2", "#let y = nosuch\n", true);
        let errors = compile_split(&format!("{module}Før\n{bad_module}{first}")).unwrap_err();
        let text = errors[0].to_string();
        assert!(
            text.starts_with("error: test.typ:3:10: typst: unknown variable: nosuch"),
            "{text}"
        );
        // After a part, in the main file: the part's lines count.
        let good = crate::render::split::mark_part("sak", "Første linje\nAndre linje\n", false);
        let errors = compile_split(&format!("{module}Før\n{good}#alsonot()\n")).unwrap_err();
        let text = errors[0].to_string();
        assert!(
            text.starts_with("error: test.typ:5:2: typst: unknown variable: alsonot"),
            "{text}"
        );
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
