//! Model → Typst source through minijinja templates; plain text is escaped here.
//!
//! Templates are Typst source with minijinja tags. Every value printed with
//! `{{ … }}` is escaped for Typst markup by the auto-escape formatter, so text
//! from content prints literally and never runs as code. Two filters produce
//! Typst deliberately: `markdown` (formatting from Markdown, see
//! [`crate::markdown`]) and `typst_str` (a quoted string literal for code).
//! Two more mark text that the documents of a meeting share, `shared` and
//! `shared_module`: [`split`] compiles such text as a file of its own.
//!
//! [`templates`] is the template set (built-in, overridden by the project's
//! files); [`trace`] maps Typst errors in generated source back to templates.

use std::path::Path;
use std::sync::{Arc, Mutex};

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior};

use crate::diagnostic::{Diagnostic, Position};
use crate::markdown;
use crate::model::Language;
use crate::text::{escape_markup, quote_string, stable_hash};
use crate::view::Labels;

pub mod split;
pub mod templates;
pub mod trace;

pub use split::{Split, SplitSource};
pub use templates::{TemplateFile, TemplateOrigin, TemplateSet};
pub use trace::{Origin, OriginMap};

use trace::{Printed, instrument, mark_value};

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

/// The loaded templates, ready to render.
pub struct Renderer {
    env: Environment<'static>,
    set: TemplateSet,
    /// The words and phrases of the set's `labels.yaml`, carrying those of
    /// the other languages (`labels-nn.yaml`, `labels-en.yaml`).
    labels: Labels,
    /// A hash of every file of the set (see [`Renderer::fingerprint`]).
    fingerprint: u64,
}

impl Renderer {
    /// Loads the built-in templates, overridden file by file by those in
    /// `folder` (subfolders included) when it exists, and checks that every
    /// template named in `required` is there. Reports every problem: files
    /// that cannot be read, syntax errors, missing templates.
    pub fn load(folder: &Path, required: &[&str]) -> Result<Renderer, Vec<Diagnostic>> {
        Renderer::from_set(TemplateSet::load(folder)?, required)
    }

    /// Compiles the templates of `set`, checking that every template named in
    /// `required` is there.
    pub fn from_set(set: TemplateSet, required: &[&str]) -> Result<Renderer, Vec<Diagnostic>> {
        let mut env = environment(None);
        let mut errors = Vec::new();
        for file in set.templates() {
            if let Err(err) = env.add_template_owned(file.name.clone(), file.source.clone()) {
                errors.push(template_error(&set, &err));
            }
        }
        errors.extend(outdated_side(&set));
        for name in required {
            if env.get_template(name).is_err() && errors.is_empty() {
                errors.push(
                    Diagnostic::error(format!("template `{name}` is missing"))
                        .in_file(set.path_of(name)),
                );
            }
        }
        let labels = set_labels(&set).unwrap_or_else(|err| {
            errors.push(err);
            Labels::builtin()
        });
        if errors.is_empty() {
            let fingerprint = set_fingerprint(&set);
            Ok(Renderer {
                env,
                set,
                labels,
                fingerprint,
            })
        } else {
            Err(errors)
        }
    }

    /// The words and phrases documents print (`labels.yaml`).
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// A hash of the name and text of every file of the set (templates,
    /// partials, labels): what a rendered source depends on besides its
    /// context. Stable from run to run.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The template set the renderer was made from (for its other files, such
    /// as `labels.yaml`).
    pub fn templates(&self) -> &TemplateSet {
        &self.set
    }

    /// Renders the template named `name` (such as `sak.typ.j2`) with `context`.
    pub fn render(&self, name: &str, context: Value) -> Result<String, Diagnostic> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(&self.set, &e))?;
        template
            .render(context)
            .map_err(|e| template_error(&self.set, &e))
    }

    /// Renders the template named `name` (such as `arkiv.html.j2`) with
    /// `context`; the same as [`Renderer::render`].
    pub fn render_named(&self, name: &str, context: Value) -> Result<String, Diagnostic> {
        self.render(name, context)
    }

    /// Renders the template `name` again, instrumented, to find which template
    /// line produced each line of the generated source and which printed value
    /// each character came from. Only run when Typst reports a problem; `None`
    /// when the instrumented output does not match `generated`.
    pub fn origins(&self, name: &str, context: Value, generated: &str) -> Option<OriginMap> {
        let values: Printed = Arc::new(Mutex::new(Vec::new()));
        let mut env = environment(Some(values.clone()));
        for file in self.set.templates() {
            env.add_template_owned(file.name.clone(), instrument(&file.name, &file.source))
                .ok()?;
        }
        let output = env.get_template(name).ok()?.render(context).ok()?;
        let values = std::mem::take(&mut *values.lock().ok()?);
        let map = OriginMap::parse(&output, values, &self.set);
        (map.plain == generated).then_some(map)
    }
}

/// The partial whose macros the built-in document templates call to set up
/// and end a document (see `docs/templates.md`, "Shared parts").
const SIDE: &str = "felles/side.typ.j2";

/// The macros of [`SIDE`] that the built-in document templates call.
const SIDE_MACROS: [&str; 2] = ["felles_oppsett", "dokument"];

/// An error for a project's own copy of [`SIDE`] made before the macros the
/// document templates now call, when one of the set's document templates
/// calls them: every document would fail to render with "undefined is not
/// callable", and the cure is to copy the partial anew.
fn outdated_side(set: &TemplateSet) -> Option<Diagnostic> {
    let side = set.file(SIDE).filter(|file| !file.is_built_in())?;
    let missing: Vec<&str> = SIDE_MACROS
        .into_iter()
        .filter(|name| !side.source.contains(&format!("macro {name}(")))
        .collect();
    // The document templates that call one of the missing macros.
    let callers: Vec<&str> = crate::document::DocumentKind::ALL
        .iter()
        .map(|kind| kind.template())
        .filter(|name| {
            set.file(name).is_some_and(|file| {
                missing
                    .iter()
                    .any(|m| file.source.contains(&format!("f.{m}(")))
            })
        })
        .collect();
    if missing.is_empty() || callers.is_empty() {
        return None;
    }
    Some(
        Diagnostic::error(format!(
            "this copy of `{SIDE}` has no {} macro, which {} call{}",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" or "),
            callers
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if callers.len() == 1 { "s" } else { "" }
        ))
        .in_file(side.path())
        .hint(
            "it was copied from an older motebok: rename it, run `motebok templates eject` to write the built-in one beside it, and carry your changes over",
        ),
    )
}

/// The labels of `set`: `labels.yaml` (bokmål), carrying `labels-nn.yaml`
/// and `labels-en.yaml` for bodies writing in nynorsk or English, each the
/// project's when it overrides the built-in one; a bad file is an error at
/// its place.
#[allow(clippy::result_large_err)]
fn set_labels(set: &TemplateSet) -> Result<Labels, Diagnostic> {
    let load = |language: Language| match set.file(language.labels_file()) {
        Some(file) => {
            Labels::parse_in(&file.source, language).map_err(|diag| diag.in_file(file.path()))
        }
        None => Ok(Labels::builtin_in(language)),
    };
    let others = [Language::Nynorsk, Language::English]
        .into_iter()
        .map(load)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(load(Language::Bokmal)?.with_languages(others))
}

/// How many times the same Markdown text with footnotes was converted before
/// in this rendering of a document (see [`markdown::convert`]); 0 for a text
/// without any.
fn occurrence(state: &State, markdown: &str) -> usize {
    if !markdown.contains("[^") {
        return 0;
    }
    let key = format!("motebok-markdown-{:032x}", stable_hash(markdown.as_bytes()));
    let seen = (state.get_temp(&key))
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    state.set_temp(&key, Value::from(seen + 1));
    seen
}

fn environment(printed: Option<Printed>) -> Environment<'static> {
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
    let marks = printed.clone();
    env.set_formatter(move |out, state, value| match &marks {
        Some(printed)
            if state.auto_escape() == AutoEscape::Custom("typst")
                && !value.is_safe()
                && !value.is_none() =>
        {
            let raw = value.to_string();
            let typst = escape_markup(&raw);
            out.write_str(&mark_value(printed, raw, &typst))
                .map_err(|_| Error::new(ErrorKind::WriteFailure, "failed to write output"))
        }
        _ => typst_formatter(out, state, value),
    });
    let marks = printed.clone();
    env.add_filter("markdown", move |state: &State, text: Option<String>| {
        let raw = text.unwrap_or_default();
        let typst = markdown::convert(&raw, false, occurrence(state, &raw));
        Value::from_safe_string(match &marks {
            Some(printed) => mark_value(printed, raw, &typst),
            None => typst,
        })
    });
    let marks = printed.clone();
    env.add_filter(
        "markdown_keep",
        move |state: &State, text: Option<String>| {
            let raw = text.unwrap_or_default();
            let typst = markdown::convert(&raw, true, occurrence(state, &raw));
            Value::from_safe_string(match &marks {
                Some(printed) => mark_value(printed, raw, &typst),
                None => typst,
            })
        },
    );
    // Text several documents of a meeting print alike: see [`split`].
    env.add_filter("shared", |text: Value, name: String| {
        Value::from_safe_string(split::mark_part(&name, &text.to_string(), false))
    });
    env.add_filter("shared_module", |text: Value, name: String| {
        Value::from_safe_string(split::mark_part(&name, &text.to_string(), true))
    });
    env.add_filter("urlpath", |path: Option<String>| {
        url_path(&path.unwrap_or_default())
    });
    env.add_filter("typst_str", move |value: Value| {
        let text = if value.is_none() || value.is_undefined() {
            String::new()
        } else {
            value.to_string()
        };
        let typst = quote_string(&text);
        Value::from_safe_string(match &printed {
            Some(printed) => mark_value(printed, text, &typst),
            None => typst,
        })
    });
    env
}

/// The hash of [`Renderer::fingerprint`].
fn set_fingerprint(set: &TemplateSet) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = siphasher::sip::SipHasher13::new();
    for file in set.files() {
        file.name.hash(&mut hasher);
        file.source.hash(&mut hasher);
    }
    hasher.finish()
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

/// Percent-encodes a relative path for a link in HTML (`urlpath`): every byte
/// but ASCII letters, digits, `-._~` and the `/` between folders, so that a
/// file or folder named with spaces, `#`, `?`, `%` or non-ASCII letters still
/// links to itself. (minijinja's `urlencode` does much the same, but needs a
/// crate feature motebok does not build with.)
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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

/// Turns a minijinja error into a diagnostic naming the template file (its
/// path in the project, or `built-in templates/<name>`) and line.
fn template_error(set: &TemplateSet, err: &Error) -> Diagnostic {
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
        let source = set.file(name).map(|f| f.source.as_str());
        let position = err.line().map(|line| Position { line, column: 1 });
        diag = diag.in_file(set.path_of(name)).at(position, source);
    } else {
        diag = diag.in_file(set.describe());
    }
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        diag.message.push_str(&format!(" ({inner})"));
        cause = inner.source();
    }
    diag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_are_percent_encoded_but_keep_their_folders() {
        for (path, url) in [
            ("nehs/2020-07/innkalling.pdf", "nehs/2020-07/innkalling.pdf"),
            ("a b/#1?x.pdf", "a%20b/%231%3Fx.pdf"),
            ("møte/sak&1%.pdf", "m%C3%B8te/sak%261%25.pdf"),
        ] {
            assert_eq!(url_path(path), url);
        }
    }

    const DOCUMENTS: [&str; 4] = [
        "innkalling.typ.j2",
        "sak.typ.j2",
        "motepakke.typ.j2",
        "referat.typ.j2",
    ];

    #[test]
    fn generated_lines_are_traced_to_template_lines_and_content_values() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("del")).unwrap();
        std::fs::write(
            dir.path().join("del").join("felles.typ.j2"),
            "{% macro tittel(t) %}\n= {{ t }}\n#nosuch()\n{% endmacro %}\n",
        )
        .unwrap();
        for name in DOCUMENTS {
            std::fs::write(
                dir.path().join(name),
                "{% import \"del/felles.typ.j2\" as f %}\nInnledning\n{{ f.tittel(title) }}\nTekst: {{ body | markdown }} slutt\n",
            )
            .unwrap();
        }
        let renderer = Renderer::load(dir.path(), &DOCUMENTS).unwrap();
        let context = minijinja::context! { title => "Sak #1", body => "*a*\n\nb" };
        let generated = renderer
            .render("innkalling.typ.j2", context.clone())
            .unwrap();
        assert_eq!(
            generated,
            "Innledning\n= Sak \\#1\n#nosuch()\n\nTekst: #emph[a]\n\nb\n slutt\n"
        );
        let map = renderer
            .origins("innkalling.typ.j2", context, &generated)
            .expect("the instrumented output matches");
        let at = |line, column| map.at(line, column).unwrap();

        let intro = at(1, 1);
        assert_eq!((intro.line, intro.column, intro.value), (2, Some(1), None));
        assert_eq!(intro.template, dir.path().join("innkalling.typ.j2"));

        let title = at(2, 4);
        assert_eq!(title.template, dir.path().join("del").join("felles.typ.j2"));
        assert_eq!(title.line, 2);
        assert_eq!(title.value.as_deref(), Some("Sak #1"));

        let call = at(3, 2);
        assert!(call.template.ends_with("felles.typ.j2"));
        assert_eq!((call.line, call.column), (3, Some(2)));
        assert_eq!(call.source_line, "#nosuch()");

        // A multi-line value: every line of it belongs to the template line printing it.
        let markdown = at(7, 1);
        assert!(markdown.template.ends_with("innkalling.typ.j2"));
        assert_eq!(markdown.line, 4);
        assert_eq!(markdown.value.as_deref(), Some("*a*\n\nb"));
        assert_eq!(markdown.column, Some(8));
    }

    #[test]
    fn the_built_in_templates_load_and_errors_in_them_name_them() {
        Renderer::load(Path::new("no such folder"), &DOCUMENTS).unwrap();
        let set = TemplateSet::built_in();
        let err = Renderer::from_set(set.clone(), &["nosuch.typ.j2"])
            .err()
            .unwrap();
        assert_eq!(
            err[0].to_string().lines().next().unwrap(),
            "error: built-in templates/nosuch.typ.j2: template `nosuch.typ.j2` is missing"
        );
        let renderer = Renderer::from_set(set, &[]).unwrap();
        let err = renderer
            .render("sak.typ.j2", minijinja::context! {})
            .unwrap_err();
        let first = err.to_string();
        assert!(first.starts_with("error: built-in templates/"), "{first}");
        assert!(first.contains("undefined value"), "{first}");
    }

    #[test]
    fn origins_in_built_in_templates_are_named_as_built_in() {
        let file = |name: &str, source: &str| TemplateFile {
            name: name.to_owned(),
            source: source.to_owned(),
            origin: TemplateOrigin::BuiltIn,
        };
        let set = TemplateSet::from_files([
            file(
                "felles/del.typ.j2",
                "{% macro x() %}\n#nosuch()\n{% endmacro %}\n",
            ),
            file(
                "sak.typ.j2",
                "{% import \"felles/del.typ.j2\" as d %}\n{{ d.x() }}\n",
            ),
        ]);
        let renderer = Renderer::from_set(set, &["sak.typ.j2"]).unwrap();
        let generated = renderer.render("sak.typ.j2", Value::UNDEFINED).unwrap();
        let map = renderer
            .origins("sak.typ.j2", Value::UNDEFINED, &generated)
            .unwrap();
        let origin = map.at(1, 2).unwrap();
        assert_eq!(
            origin.template,
            Path::new("built-in templates/felles/del.typ.j2")
        );
        assert_eq!((origin.line, origin.source_line.as_str()), (2, "#nosuch()"));
    }

    #[test]
    fn a_syntax_error_in_a_project_template_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("felles")).unwrap();
        let path = dir.path().join("felles").join("del.typ.j2");
        std::fs::write(&path, "A\n{{ x }\n").unwrap();
        let err = Renderer::load(dir.path(), &DOCUMENTS).err().unwrap();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].file.as_deref(), Some(path.as_path()));
        assert_eq!(err[0].position.map(|p| p.line), Some(2));
        assert_eq!(err[0].snippet.as_deref(), Some("{{ x }"));
    }
}
