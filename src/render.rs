//! Model → Typst source through minijinja templates; plain text is escaped here.
//!
//! Templates are Typst source with minijinja tags. Every value printed with
//! `{{ … }}` is escaped for Typst markup by the auto-escape formatter, so text
//! from content prints literally and never runs as code. Two filters produce
//! Typst deliberately: `markdown` (formatting from Markdown, see
//! [`crate::markdown`]) and `typst_str` (a quoted string literal for code).

use std::fs;
use std::path::{Path, PathBuf};

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

use crate::diagnostic::{Diagnostic, Position};
use crate::markdown;
use crate::text::{escape_markup, quote_string};

/// Instructions one template render may execute before it is stopped, so that a
/// runaway loop in a template ends with an error instead of hanging the build.
/// The largest example pack needs well under a tenth of this.
pub const TEMPLATE_FUEL: u64 = 5_000_000;

/// The extension of templates that produce Typst.
pub const TEMPLATE_EXTENSION: &str = ".typ.j2";

/// The extension of templates that produce HTML (the archive's pages).
pub const HTML_TEMPLATE_EXTENSION: &str = ".html.j2";

/// Whether a file name is a template's.
pub fn is_template(name: &str) -> bool {
    name.ends_with(TEMPLATE_EXTENSION) || name.ends_with(HTML_TEMPLATE_EXTENSION)
}

/// The kinds of document, each with its template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// The summons with the agenda (`innkalling`).
    Summons,
    /// One case paper (`sak`).
    CasePaper,
    /// Summons and all case papers in one document (`motepakke`).
    Pack,
    /// The minutes (`referat`).
    Minutes,
}

impl DocumentKind {
    /// Every kind, in build order.
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::Summons,
        DocumentKind::CasePaper,
        DocumentKind::Pack,
        DocumentKind::Minutes,
    ];
}

impl DocumentKind {
    /// The template that renders this kind.
    pub fn template(self) -> &'static str {
        match self {
            DocumentKind::Summons => "innkalling.typ.j2",
            DocumentKind::CasePaper => "sak.typ.j2",
            DocumentKind::Pack => "motepakke.typ.j2",
            DocumentKind::Minutes => "referat.typ.j2",
        }
    }
}

/// The loaded templates.
pub struct Renderer {
    env: Environment<'static>,
    dir: PathBuf,
}

impl Renderer {
    /// Loads every `*.typ.j2` file in `dir`, reporting all syntax errors.
    pub fn load(dir: &Path) -> Result<Renderer, Vec<Diagnostic>> {
        let mut env = environment();
        let mut errors = Vec::new();
        let mut files: Vec<PathBuf> = match fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
            Err(err) => {
                return Err(vec![
                    Diagnostic::error(format!("failed to read templates folder ({err})"))
                        .in_file(dir),
                ]);
            }
        };
        files.retain(|p| is_template(&p.to_string_lossy()));
        files.sort();
        for path in files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match fs::read_to_string(&path) {
                Ok(source) => {
                    if let Err(err) = env.add_template_owned(name, source) {
                        errors.push(template_error(dir, &err));
                    }
                }
                Err(err) => errors.push(
                    Diagnostic::error(format!("failed to read template ({err})")).in_file(&path),
                ),
            }
        }
        for kind in DocumentKind::ALL {
            if env.get_template(kind.template()).is_err() && errors.is_empty() {
                errors.push(
                    Diagnostic::error(format!("template `{}` is missing", kind.template()))
                        .in_file(dir.join(kind.template())),
                );
            }
        }
        if errors.is_empty() {
            Ok(Renderer {
                env,
                dir: dir.to_path_buf(),
            })
        } else {
            Err(errors)
        }
    }

    /// Renders the template named `name` (such as `arkiv.html.j2`) with `context`.
    pub fn render_named(&self, name: &str, context: Value) -> Result<String, Diagnostic> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(&self.dir, &e))?;
        template
            .render(context)
            .map_err(|e| template_error(&self.dir, &e))
    }

    /// Renders the template of `kind` with `context`.
    pub fn render(&self, kind: DocumentKind, context: Value) -> Result<String, Diagnostic> {
        let template = self
            .env
            .get_template(kind.template())
            .map_err(|e| template_error(&self.dir, &e))?;
        template
            .render(context)
            .map_err(|e| template_error(&self.dir, &e))
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(TEMPLATE_FUEL));
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(HTML_TEMPLATE_EXTENSION) {
            AutoEscape::Html
        } else if name.ends_with(TEMPLATE_EXTENSION) {
            AutoEscape::Custom("typst")
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(typst_formatter);
    env.add_filter("markdown", |text: Option<String>| {
        Value::from_safe_string(text.map(|t| markdown::to_typst(&t)).unwrap_or_default())
    });
    env.add_filter("typst_str", |value: Value| {
        let text = if value.is_none() || value.is_undefined() {
            String::new()
        } else {
            value.to_string()
        };
        Value::from_safe_string(quote_string(&text))
    });
    env
}

/// Prints a value into Typst markup: escaped unless marked safe by a filter.
fn typst_formatter(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &Value,
) -> Result<(), Error> {
    if value.is_none() {
        return Ok(());
    }
    if state.auto_escape() == AutoEscape::Html && !value.is_safe() {
        // HTML (the archive): the five characters that matter, and nothing else,
        // so paths and dates stay readable in the page source.
        return out
            .write_str(&escape_html(&value.to_string()))
            .map_err(|_| Error::new(ErrorKind::WriteFailure, "failed to write output"));
    }
    if state.auto_escape() != AutoEscape::Custom("typst") {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = if value.is_safe() {
        value.to_string()
    } else {
        escape_markup(&value.to_string())
    };
    out.write_str(&text)
        .map_err(|_| Error::new(ErrorKind::WriteFailure, "failed to write output"))
}

/// Escapes text for HTML content and quoted attribute values.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Turns a minijinja error into a diagnostic naming the template file and line.
fn template_error(dir: &Path, err: &Error) -> Diagnostic {
    let mut message = match err.kind() {
        ErrorKind::UndefinedError => "undefined value".to_owned(),
        ErrorKind::OutOfFuel => "template ran too long (more than the allowed number of steps); is there a runaway loop?".to_owned(),
        _ => err.kind().to_string(),
    };
    if let Some(detail) = err.detail() {
        message = format!("{message}: {detail}");
    }
    let mut diag = Diagnostic::error(format!("template: {message}"));
    if let Some(name) = err.name() {
        let path = dir.join(name);
        let source = fs::read_to_string(&path).ok();
        let position = err.line().map(|line| Position { line, column: 1 });
        diag = diag.in_file(path).at(position, source.as_deref());
    } else {
        diag = diag.in_file(dir);
    }
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        diag.message.push_str(&format!(" ({inner})"));
        cause = inner.source();
    }
    diag
}
