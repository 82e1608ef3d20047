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
    /// Every template's name and source, for [`Renderer::origins`].
    sources: Vec<(String, String)>,
    /// The words and phrases of `labels.yaml`.
    labels: crate::view::Labels,
}

impl Renderer {
    /// Loads every `*.typ.j2` file in `dir`, reporting all syntax errors.
    pub fn load(dir: &Path) -> Result<Renderer, Vec<Diagnostic>> {
        let mut env = environment(None);
        let mut errors = Vec::new();
        let mut sources = Vec::new();
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
                    sources.push((name.clone(), source.clone()));
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
        let labels = crate::view::Labels::load(dir).unwrap_or_else(|err| {
            errors.push(err);
            crate::view::Labels::builtin()
        });
        if errors.is_empty() {
            Ok(Renderer {
                labels,
                env,
                dir: dir.to_path_buf(),
                sources,
            })
        } else {
            Err(errors)
        }
    }

    /// The words and phrases documents print (`labels.yaml`).
    pub fn labels(&self) -> &crate::view::Labels {
        &self.labels
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

    /// Renders the template of `kind` again, instrumented, to find which template
    /// line produced each line of the generated source and which printed value
    /// each character came from. Only run when Typst reports a problem; `None`
    /// when the instrumented output does not match `generated`.
    pub fn origins(
        &self,
        kind: DocumentKind,
        context: Value,
        generated: &str,
    ) -> Option<OriginMap> {
        let values = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut env = environment(Some(values.clone()));
        for (name, source) in &self.sources {
            env.add_template_owned(name.clone(), instrument(name, source))
                .ok()?;
        }
        let output = env
            .get_template(kind.template())
            .ok()?
            .render(context)
            .ok()?;
        let values = std::mem::take(&mut *values.lock().ok()?);
        let map = OriginMap::parse(&output, values, &self.dir, &self.sources);
        (map.plain == generated).then_some(map)
    }
}

/// Marks in instrumented output: a template line ends (`LINE name SEP number END`),
/// a printed value starts (`VALUE index SEP`) and ends (`VALUE_END`). Private-use
/// characters, which content never carries into the generated source (they are
/// mapped or replaced at load).
const MARK_LINE: char = '\u{E000}';
const MARK_SEP: char = '\u{E001}';
const MARK_END: char = '\u{E002}';
const MARK_VALUE: char = '\u{E003}';
const MARK_VALUE_END: char = '\u{E004}';

/// `source` with a mark at the end of every template line whose line break
/// reaches the output (not inside a tag, not trimmed by a block tag or `-}}`).
fn instrument(name: &str, source: &str) -> String {
    let mut out = String::with_capacity(source.len() * 2);
    let mut closer: Option<&str> = None;
    for (n, line) in source.split_inclusive('\n').enumerate() {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let mut rest = body;
        while !rest.is_empty() {
            match closer {
                Some(end) => match rest.find(end) {
                    Some(i) => {
                        rest = &rest[i + end.len()..];
                        closer = None;
                    }
                    None => rest = "",
                },
                None => {
                    let open = ["{{", "{%", "{#"]
                        .iter()
                        .filter_map(|o| rest.find(o).map(|i| (i, *o)))
                        .min();
                    match open {
                        Some((i, o)) => {
                            closer = Some(match o {
                                "{{" => "}}",
                                "{%" => "%}",
                                _ => "#}",
                            });
                            rest = &rest[i + 2..];
                        }
                        None => rest = "",
                    }
                }
            }
        }
        out.push_str(body);
        let trimmed = body.trim_end();
        let line_break_kept = closer.is_none()
            && !trimmed.ends_with("%}")
            && !trimmed.ends_with("#}")
            && !trimmed.ends_with("-}}");
        if line_break_kept {
            out.push_str(&format!("{MARK_LINE}{name}{MARK_SEP}{}{MARK_END}", n + 1));
        }
        out.push_str(newline);
    }
    out
}

/// Where the generated source came from, line by line.
#[derive(Debug)]
pub struct OriginMap {
    /// The output without marks (equal to the generated source when the map is valid).
    plain: String,
    /// Per output line: the template lines ending on it, at which column, and
    /// per character the printed value it belongs to.
    lines: Vec<OriginLine>,
    values: Vec<String>,
    dir: PathBuf,
    /// The templates' names and sources (for the source line of an origin).
    sources: Vec<(String, String)>,
}

#[derive(Debug, Default)]
struct OriginLine {
    /// (column of the mark, counting from 1; template name; template line)
    marks: Vec<(usize, String, usize)>,
    /// Per character of the line: the index of the printed value it belongs to.
    chars: Vec<Option<usize>>,
}

/// What produced one place in the generated source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The template file.
    pub template: PathBuf,
    /// The template line, counting from 1.
    pub line: usize,
    /// The template line's text.
    pub source_line: String,
    /// The column in the template line, counting from 1, when it could be found.
    pub column: Option<usize>,
    /// The printed value (as written in content, before escaping) the place
    /// falls in, if any.
    pub value: Option<String>,
}

impl OriginMap {
    fn parse(
        output: &str,
        values: Vec<String>,
        dir: &Path,
        sources: &[(String, String)],
    ) -> OriginMap {
        let mut plain = String::with_capacity(output.len());
        let mut lines = vec![OriginLine::default()];
        let mut open: Vec<usize> = Vec::new();
        let mut chars = output.chars();
        while let Some(c) = chars.next() {
            match c {
                MARK_LINE => {
                    let name: String = chars.by_ref().take_while(|&c| c != MARK_SEP).collect();
                    let number: String = chars.by_ref().take_while(|&c| c != MARK_END).collect();
                    let line = lines.last_mut().expect("one line at least");
                    let column = line.chars.len() + 1;
                    line.marks.push((column, name, number.parse().unwrap_or(0)));
                }
                MARK_VALUE => {
                    let index: String = chars.by_ref().take_while(|&c| c != MARK_SEP).collect();
                    open.push(index.parse().unwrap_or(usize::MAX));
                }
                MARK_VALUE_END => {
                    open.pop();
                }
                '\n' => {
                    plain.push('\n');
                    lines.push(OriginLine::default());
                }
                c => {
                    plain.push(c);
                    let value = open.last().copied();
                    lines
                        .last_mut()
                        .expect("one line at least")
                        .chars
                        .push(value);
                }
            }
        }
        OriginMap {
            plain,
            lines,
            values,
            dir: dir.to_path_buf(),
            sources: sources.to_vec(),
        }
    }

    /// What produced the generated source at `line`:`column` (both from 1, the
    /// column in characters).
    pub fn at(&self, line: usize, column: usize) -> Option<Origin> {
        let here = self.lines.get(line.checked_sub(1)?)?;
        let value = here
            .chars
            .get(column.saturating_sub(1))
            .copied()
            .flatten()
            .and_then(|i| self.values.get(i).cloned());
        // The template line is the one whose mark comes first at or after the place.
        let (_, name, template_line) = here
            .marks
            .iter()
            .find(|(c, _, _)| *c >= column)
            .or_else(|| self.lines[line..].iter().find_map(|l| l.marks.first()))?;
        let template = self.dir.join(name);
        let source_line = self
            .sources
            .iter()
            .find(|(n, _)| n == name)?
            .1
            .lines()
            .nth(template_line.checked_sub(1)?)?
            .to_owned();
        let column = match &value {
            Some(_) => source_line
                .find("{{")
                .map(|i| source_line[..i].chars().count() + 1),
            None => {
                // The literal text from the place to the next printed value or
                // line end, looked up in the template line.
                let generated: String = self
                    .plain
                    .lines()
                    .nth(line - 1)?
                    .chars()
                    .zip(&here.chars)
                    .skip(column.saturating_sub(1))
                    .take_while(|(_, v)| v.is_none())
                    .map(|(c, _)| c)
                    .collect();
                let literal = generated.trim_end();
                (!literal.is_empty())
                    .then(|| source_line.find(literal))
                    .flatten()
                    .map(|i| source_line[..i].chars().count() + 1)
            }
        };
        Some(Origin {
            template,
            line: *template_line,
            source_line,
            column,
            value,
        })
    }
}

/// Values printed by an instrumented render, in order.
type Printed = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// Wraps `typst` (what a printed value became) in value marks, remembering
/// `raw` (what content said).
fn mark_value(printed: &Printed, raw: String, typst: &str) -> String {
    let mut values = printed.lock().unwrap_or_else(|e| e.into_inner());
    values.push(raw);
    format!(
        "{MARK_VALUE}{}{MARK_SEP}{typst}{MARK_VALUE_END}",
        values.len() - 1
    )
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
    env.add_filter("markdown", move |text: Option<String>| {
        let raw = text.unwrap_or_default();
        let typst = markdown::to_typst(&raw);
        Value::from_safe_string(match &marks {
            Some(printed) => mark_value(printed, raw, &typst),
            None => typst,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_whose_break_reaches_the_output_are_marked() {
        let source = "{% if x %}\nA {{ y }}\n{{ f(a,\n   b) }}\n{# note #}\nB";
        let out = instrument("t", source);
        let marked: Vec<bool> = out.lines().map(|l| l.contains(MARK_LINE)).collect();
        assert_eq!(marked, [false, true, false, true, false, true], "{out:?}");
        assert!(
            out.contains("A {{ y }}\u{E000}t\u{E001}2\u{E002}\n"),
            "{out:?}"
        );
    }

    #[test]
    fn generated_lines_are_traced_to_template_lines_and_content_values() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("felles.typ.j2"),
            "{% macro tittel(t) %}\n= {{ t }}\n#nosuch()\n{% endmacro %}\n",
        )
        .unwrap();
        for kind in DocumentKind::ALL {
            std::fs::write(
                dir.path().join(kind.template()),
                "{% import \"felles.typ.j2\" as f %}\nInnledning\n{{ f.tittel(title) }}\nTekst: {{ body | markdown }} slutt\n",
            )
            .unwrap();
        }
        let renderer = Renderer::load(dir.path()).unwrap();
        let context = minijinja::context! { title => "Sak #1", body => "*a*\n\nb" };
        let generated = renderer
            .render(DocumentKind::Summons, context.clone())
            .unwrap();
        assert_eq!(
            generated,
            "Innledning\n= Sak \\#1\n#nosuch()\n\nTekst: #emph[a]\n\nb\n slutt\n"
        );
        let map = renderer
            .origins(DocumentKind::Summons, context, &generated)
            .expect("the instrumented output matches");
        let at = |line, column| map.at(line, column).unwrap();

        let intro = at(1, 1);
        assert_eq!((intro.line, intro.column, intro.value), (2, Some(1), None));
        assert!(intro.template.ends_with("innkalling.typ.j2"));

        let title = at(2, 4);
        assert!(title.template.ends_with("felles.typ.j2"));
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
}
