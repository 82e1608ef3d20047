//! Helpers shared by the fuzz targets (included with `#[path]`).
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use motebok::compile::{CompileRequest, Compiled, compile_pdf};
use motebok::render::SplitSource;
use motebok::diagnostic::Diagnostic;
use motebok::render::Renderer;
use motebok::world::Typesetter;
use typst::syntax::{SyntaxKind, SyntaxNode};
use typst_pdf::PdfStandard;

/// The project root (the fuzz crate lives in `<root>/fuzz`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A per-process scratch copy of a fixture (its `content` folder), kept for the
/// whole run in `$TMPDIR/motebok-fuzz/<pid>`. libFuzzer's fork mode kills its
/// workers, so copies left by processes that are gone are removed here.
pub fn scratch_fixture(name: &str) -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::env::temp_dir().join("motebok-fuzz");
        if let Ok(entries) = fs::read_dir(&base) {
            for entry in entries.flatten() {
                let pid = entry.file_name().to_string_lossy().into_owned();
                if !Path::new("/proc").join(&pid).exists() {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = base.join(std::process::id().to_string());
        let _ = fs::remove_dir_all(&dir);
        let content = dir.join("content");
        copy_tree(&fixture(name), &content);
        content
    })
}

/// The project's real templates, loaded once.
pub fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| {
        let required: Vec<&str> = motebok::document::DocumentKind::templates().collect();
        Renderer::load(&root().join("templates"), &required)
            .unwrap_or_else(|e| panic!("templates: {e:?}"))
    })
}

/// Known findings to look past, from the environment variable
/// `MOTEBOK_FUZZ_IGNORE`: `|`-separated substrings; a check whose failure message
/// contains one of them passes (the input is not looked at further). The token
/// `gate:nodisplay` makes the loading targets skip formatting diagnostics.
pub fn ignored() -> &'static [String] {
    static IGNORED: OnceLock<Vec<String>> = OnceLock::new();
    IGNORED.get_or_init(|| {
        std::env::var("MOTEBOK_FUZZ_IGNORE")
            .map(|v| v.split('|').filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default()
    })
}

fn is_ignored(message: &str) -> bool {
    ignored()
        .iter()
        .any(|i| !i.starts_with("gate:") && message.contains(i.as_str()))
}

/// A failed check: panics unless the message matches `MOTEBOK_FUZZ_IGNORE`.
/// Returns normally (so the caller can stop looking) when ignored.
pub fn fail(message: String) {
    if !is_ignored(&message) {
        panic!("{message}");
    }
}

/// Function and argument names the Markdown converter is allowed to emit.
const ALLOWED_IDENTS: &[&str] = &[
    "heading", "depth", "quote", "block", "raw", "enum", "start", "list", "table", "columns",
    "align", "left", "center", "right", "header", "emph", "strong", "strike", "link", "line",
    "length",
];

/// Checks that `typst` (output of `markdown::to_typst`) parses without syntax
/// errors and contains only the constructs the converter emits on purpose: text,
/// escapes, breaks, and calls of fixed functions. Anything else (a `#set`, an
/// equation, a label, a markup list, a smart quote, an unknown identifier …)
/// means Markdown text ran as Typst markup or code.
pub fn check_converted_markup(markdown: &str, typst: &str) {
    let root = typst::syntax::parse(typst);
    let errors = syntax_errors(typst);
    if !errors.is_empty() {
        return fail(format!(
            "generated Typst has syntax errors: {errors:?}\nmarkdown: {markdown:?}\ntypst: {typst:?}"
        ));
    }
    let _ = walk(&root, markdown, typst);
}

fn walk(node: &SyntaxNode, markdown: &str, typst: &str) -> Result<(), ()> {
    use SyntaxKind::*;
    let ok = match node.kind() {
        Markup | Text | Space | Linebreak | Parbreak | Escape | Hash | LeftBracket
        | RightBracket | LeftParen | RightParen | Comma | Colon | Dot | Bool | Int | Numeric
        | Str | ContentBlock | Array | Named | FieldAccess | FuncCall | Args | End => true,
        Ident => ALLOWED_IDENTS.contains(&node.leaf_text().as_str()),
        _ => false,
    };
    if !ok {
        fail(format!(
            "markdown text became Typst syntax {:?} ({:?})\nmarkdown: {markdown:?}\ntypst: {typst:?}",
            node.kind(),
            node.full_text()
        ));
        return Err(());
    }
    if node.kind() == FuncCall {
        check_call(node, markdown, typst)?;
    }
    for child in node.children() {
        walk(child, markdown, typst)?;
    }
    Ok(())
}

/// A call the converter emits has a trailing content block exactly when its
/// function takes a body (`#emph[…]`), never two: a second one (`#emph[x][a]`)
/// or one on a function without a body (`#raw("x")[a]`) means text or another
/// construct ran into the call's arguments.
fn check_call(call: &SyntaxNode, markdown: &str, typst: &str) -> Result<(), ()> {
    let mut children = call.children();
    let callee = children.next().expect("callee");
    let name = match callee.kind() {
        SyntaxKind::Ident => callee.leaf_text().to_string(),
        _ => callee.full_text().to_string(),
    };
    let Some(args) = children.find(|c| c.kind() == SyntaxKind::Args) else { return Ok(()) };
    let mut after_parens = !args.children().any(|c| c.kind() == SyntaxKind::LeftParen);
    let mut trailing = 0;
    for arg in args.children() {
        match arg.kind() {
            SyntaxKind::RightParen => after_parens = true,
            SyntaxKind::ContentBlock if after_parens => trailing += 1,
            _ => {}
        }
    }
    let expected = match name.as_str() {
        "heading" | "quote" | "emph" | "strong" | "strike" | "link" => 1,
        _ => 0,
    };
    if trailing != expected {
        fail(format!(
            "generated call `{name}` has {trailing} trailing content block(s), expected {expected}: {:?}\nmarkdown: {markdown:?}\ntypst: {typst:?}",
            call.full_text()
        ));
        return Err(());
    }
    Ok(())
}

/// Whether loading would accept this text's characters (mirrors what
/// `load::source::report_unprintable` and `report_symbol_fixes` report as errors: control
/// characters other than tab, line feed and carriage return, private-use
/// characters, and characters no bundled font can print).
pub fn loader_accepts_chars(text: &str) -> bool {
    let typesetter = Typesetter::shared();
    let mut base: Option<char> = None;
    text.chars().all(|c| {
        if c.is_control() {
            return matches!(c, '\t' | '\n' | '\r');
        }
        if ('\u{E000}'..='\u{F8FF}').contains(&c) || motebok::text::forbidden_in_pdf(c) {
            return false;
        }
        if motebok::text::is_combining_mark(c) {
            return match base {
                Some(b) => typesetter.can_combine(b, c),
                None => typesetter.can_print(c),
            };
        }
        base = (!c.is_whitespace()).then_some(c);
        c.is_ascii() || c.is_whitespace() || typesetter.can_print(c)
    })
}

/// Runs `f` on a thread with the pipeline's 64 MiB stack; re-raises its panic.
pub fn with_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(f)
        .unwrap();
    match handle.join() {
        Ok(v) => v,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// Compiles `source` like the pipeline does (64 MiB stack).
pub fn compile(
    name: &str,
    source: String,
    standards: Vec<PdfStandard>,
) -> Result<Compiled, Vec<Diagnostic>> {
    let name = name.to_owned();
    let result = with_big_stack(move || {
        compile_pdf(
            Typesetter::shared(),
            CompileRequest {
                name: &name,
                source: SplitSource::single(source),
                ident: &name,
                date: (2024, 2, 14),
                standards: &standards,
                text: false,
            },
        )
    });
    // Keep Typst's memoization cache from growing without bound over the run.
    typst::comemo::evict(4);
    result
}

/// The errors among `diags`, formatted, less those `MOTEBOK_FUZZ_IGNORE` names.
pub fn errors_only(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .filter(|m| !is_ignored(m))
        .collect()
}

pub fn shared_typesetter() -> Arc<Typesetter> {
    Typesetter::shared()
}

/// Syntax errors of `text` parsed as markup: each message, then the erroneous
/// text with some context.
pub fn syntax_errors(text: &str) -> Vec<String> {
    let root = typst::syntax::parse(text);
    if !root.diagnosis().errors {
        return Vec::new();
    }
    let mut out: Vec<String> = root
        .errors_and_warnings()
        .0
        .iter()
        .map(|e| e.message.to_string())
        .collect();
    fn collect(node: &typst::syntax::LinkedNode, text: &str, out: &mut Vec<String>) {
        if node.kind() == SyntaxKind::Error {
            out.push(format!("at {:?}: {:?}", node.range(), snippet(text, node.range())));
        }
        for child in node.children() {
            collect(&child, text, out);
        }
    }
    collect(&typst::syntax::LinkedNode::new(&root), text, &mut out);
    out
}

/// The text around `range`, for reports.
pub fn snippet(text: &str, range: std::ops::Range<usize>) -> String {
    let mut start = range.start.saturating_sub(60).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (range.end + 60).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    text[start..end].to_owned()
}
