//! Origin tracing of Typst errors: the templates rendered again with marks, so a
//! place in the generated source maps back to the template line that wrote it
//! and the content value printed there.

use std::path::PathBuf;

use super::templates::TemplateSet;

/// Marks in instrumented output: a template line ends (`LINE name SEP number END`),
/// a printed value starts (`VALUE index SEP`) and ends (`VALUE_END`). Private-use
/// characters, which content never carries into the generated source (they are
/// mapped or replaced at load).
pub(super) const MARK_LINE: char = '\u{E000}';
const MARK_SEP: char = '\u{E001}';
const MARK_END: char = '\u{E002}';
const MARK_VALUE: char = '\u{E003}';
const MARK_VALUE_END: char = '\u{E004}';

/// `source` with a mark at the end of every template line whose line break
/// reaches the output (not inside a tag, not trimmed by a block tag or `-}}`).
pub(super) fn instrument(name: &str, source: &str) -> String {
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
    pub(super) plain: String,
    /// Per output line: the template lines ending on it, at which column, and
    /// per character the printed value it belongs to.
    lines: Vec<OriginLine>,
    values: Vec<String>,
    /// The templates (for the file and source line of an origin).
    set: TemplateSet,
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
    /// The template file, as messages name it: its path in the project's
    /// templates folder, or `built-in templates/<name>`.
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
    pub(super) fn parse(output: &str, values: Vec<String>, set: &TemplateSet) -> OriginMap {
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
                // The marks of shared parts are not in the document as one
                // source (see [`super::split`]).
                super::split::PART_START => {
                    for c in chars.by_ref() {
                        if c == super::split::PART_TEXT {
                            break;
                        }
                    }
                }
                super::split::PART_END | super::split::PART_TEXT => {}
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
            set: set.clone(),
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
        let file = self.set.file(name)?;
        let template = file.path();
        let source_line = file
            .source
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
pub(super) type Printed = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// Wraps `typst` (what a printed value became) in value marks, remembering
/// `raw` (what content said).
pub(super) fn mark_value(printed: &Printed, raw: String, typst: &str) -> String {
    let mut values = printed.lock().unwrap_or_else(|e| e.into_inner());
    values.push(raw);
    format!(
        "{MARK_VALUE}{}{MARK_SEP}{typst}{MARK_VALUE_END}",
        values.len() - 1
    )
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
}
