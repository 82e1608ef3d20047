//! Typst source → PDF bytes, or diagnostics pointing into the generated source.

use std::path::Path;
use std::sync::Arc;

use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Datetime, Smart};
use typst::layout::{Frame, FrameItem};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::diagnostic::{Diagnostic, Position};
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
}

/// A compiled document.
#[derive(Debug)]
pub struct Compiled {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// The document's text, page by page (for tests and checks).
    pub text: Vec<String>,
    /// Warnings from Typst.
    pub warnings: Vec<Diagnostic>,
}

/// Compiles a generated source to PDF.
pub fn compile_pdf(
    typesetter: Arc<Typesetter>,
    request: CompileRequest<'_>,
) -> Result<Compiled, Vec<Diagnostic>> {
    let world = DocumentWorld::new(typesetter, request.name, request.source);
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
    let text = document
        .pages()
        .iter()
        .map(|page| frame_text(&page.frame))
        .collect();
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
    let position = world.range(diag.span).and_then(|range| {
        let (line, column) = source.lines().byte_to_line_column(range.start)?;
        Some(Position {
            line: line + 1,
            column: column + 1,
        })
    });
    let mut out = base
        .in_file(Path::new(name))
        .at(position, Some(source.text()));
    let hints: Vec<&str> = diag.hints.iter().map(|h| h.v.as_str()).collect();
    if !hints.is_empty() {
        out = out.hint(hints.join("; "));
    }
    out
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
    fn same_source_gives_same_bytes() {
        let a = compile("= Tittel\nTekst").unwrap().pdf;
        let b = compile("= Tittel\nTekst").unwrap().pdf;
        assert_eq!(a, b);
    }
}
