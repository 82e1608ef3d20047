//! Shared parts of a generated source: text that several documents of a
//! meeting print alike, compiled as a file of its own so that Typst lays it
//! out once for all of them.
//!
//! Typst remembers the layout of what it laid out (its memoization cache)
//! and reuses it when the same content comes again in the same styles: the
//! case paper inside a meeting's pack is the case paper of its own PDF. But
//! content is the same only when it comes from the same place in the same
//! file (Typst's spans name the file), and styles are the same only when the
//! same set rules, from the same file, are in force. So a template marks
//! such text with the filters `shared` (content, included where it stands)
//! and `shared_module` (definitions and set rules, imported where it
//! stands), and [`Split::of`] takes each marked text out of the document's
//! source into a virtual file `/felles/<name>.typ`. Every document of a
//! meeting then names the same file with the same text, and a compiler that
//! compiles a meeting's documents one after the other lays out each shared
//! part once (see `pipeline::pool`).
//!
//! The document stays one source too ([`Split::plain`]): the marked texts in
//! place, without the marks, a document that compiles on its own to the same
//! pages. It is what `--keep-typst` writes and where diagnostics point.
//! Positions in the files compiled map back to it ([`SplitSource::plain_offset`]).
//!
//! A content part sees the modules that come before it in the document (it
//! imports them), as it does inline; a part must not leave set rules in
//! force after it, which inline it would.

use serde::{Deserialize, Serialize};

/// Starts a marked text: then `c` (content) or `m` (module), its name, and
/// [`PART_TEXT`]. Private-use characters, which content never carries into
/// the generated source (they are mapped or replaced at load).
pub(super) const PART_START: char = '\u{E005}';
/// Ends the name of a marked text; its text follows.
pub(super) const PART_TEXT: char = '\u{E006}';
/// Ends a marked text.
pub(super) const PART_END: char = '\u{E007}';

/// The folder of the virtual files of shared parts, in which each meeting
/// has its own.
const PART_FOLDER: &str = "/felles/";

/// `text` marked as a shared part named `name`: content when `module` is
/// false, else a module (see the module documentation).
pub(crate) fn mark_part(name: &str, text: &str, module: bool) -> String {
    let kind = if module { 'm' } else { 'c' };
    let name = part_name(name);
    format!("{PART_START}{kind}{name}{PART_TEXT}{text}{PART_END}")
}

/// A name usable as a file name: letters, digits, `-` and `_`, lower case;
/// anything else becomes `-`.
fn part_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '-',
        })
        .collect();
    if name.is_empty() {
        "del".to_owned()
    } else {
        name
    }
}

/// A generated source as compiled: the main file, the shared parts, and how
/// both map back to the one source the document also is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitSource {
    /// The main file: the document with each marked text replaced by its
    /// `#include` or `#import`.
    pub main: String,
    /// The shared parts, each a file of its own.
    pub parts: Vec<Part>,
    /// Where each `#include` or `#import` of `main` stands, in `main` and in
    /// the document as one source.
    splices: Vec<Splice>,
}

/// One shared part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// Its virtual path (`/felles/sak-05-22.typ`).
    pub path: String,
    /// Its text: the imports of the modules before it (a content part), then
    /// the marked text.
    pub text: String,
    /// The bytes of `text` before the marked text (the imports).
    prefix: usize,
    /// Where the marked text starts in the document as one source (its first
    /// place, when the document marks the same text twice).
    plain_start: usize,
}

/// One marked text replaced in the main file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Splice {
    /// Where its `#include` or `#import` starts in the main file, and its length.
    main_start: usize,
    main_len: usize,
    /// Where the marked text starts in the document as one source, and its length.
    plain_start: usize,
    plain_len: usize,
    /// The index of its part.
    part: usize,
}

/// A rendered document: as compiled, and as one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The document as one source: the marked texts in place, without marks.
    pub plain: String,
    /// The files compiled.
    pub source: SplitSource,
}

impl Split {
    /// Splits `rendered`, the output of a template, at its marks. A text
    /// marked inside another marked text stays in place; a mark without its
    /// end is dropped, its text kept in place.
    ///
    /// The parts' files are in `folder` (the meeting's output folder, such
    /// as `nuit/2022-03`) of [`PART_FOLDER`]: the documents of one meeting
    /// share them, those of another meeting have their own (a compiler that
    /// keeps sources between builds keeps each meeting's, see
    /// [`crate::world::Typesetter::keep_sources`]).
    pub fn of(rendered: &str, folder: &str) -> Split {
        let folder: Vec<String> = folder
            .split(['/', '\\'])
            .filter(|s| !s.is_empty())
            .map(part_name)
            .collect();
        let folder = match folder.is_empty() {
            true => PART_FOLDER.to_owned(),
            false => format!("{PART_FOLDER}{}/", folder.join("/")),
        };
        let mut plain = String::with_capacity(rendered.len());
        let mut main = String::with_capacity(rendered.len());
        let mut parts: Vec<Part> = Vec::new();
        let mut splices = Vec::new();
        // The import lines of the modules so far, which a content part starts with.
        let mut imports = String::new();
        let mut rest = rendered;
        while let Some(start) = rest.find(PART_START) {
            let before = strip_marks(&rest[..start]);
            plain.push_str(&before);
            main.push_str(&before);
            let after = &rest[start + PART_START.len_utf8()..];
            let Some(marked) = Marked::parse(after) else {
                // No well-formed part: the mark, its kind and its name are
                // dropped, its text stays in place.
                rest = after
                    .find(PART_TEXT)
                    .map_or(after, |i| &after[i + PART_TEXT.len_utf8()..]);
                continue;
            };
            let text = strip_marks(marked.text);
            rest = marked.rest;
            if !marked.module && imports.is_empty() {
                // A content part sees the modules before it; with none, it
                // would see nothing the document defines: it stays in place.
                plain.push_str(&text);
                main.push_str(&text);
                continue;
            }
            let plain_start = plain.len();
            plain.push_str(&text);
            let name = format!("{folder}{}", part_name(marked.name));
            let path = unique_path(&parts, &name, &text, &imports, marked.module);
            // The semicolon ends the directive, whatever follows it.
            let mut directive = if marked.module {
                format!("#import \"{path}\": *;")
            } else {
                format!("#include \"{path}\";")
            };
            // A text that ends a line leaves the line ended.
            if text.ends_with('\n') {
                directive.push('\n');
            }
            let part = match parts.iter().position(|p| p.path == path) {
                Some(k) => k,
                None => {
                    let prefix = if marked.module { "" } else { imports.as_str() };
                    parts.push(Part {
                        path: path.clone(),
                        text: format!("{prefix}{text}"),
                        prefix: prefix.len(),
                        plain_start,
                    });
                    parts.len() - 1
                }
            };
            splices.push(Splice {
                main_start: main.len(),
                main_len: directive.len(),
                plain_start,
                plain_len: text.len(),
                part,
            });
            main.push_str(&directive);
            if marked.module {
                imports.push_str(&format!("#import \"{path}\": *\n"));
            }
        }
        let tail = strip_marks(rest);
        plain.push_str(&tail);
        main.push_str(&tail);
        Split {
            plain,
            source: SplitSource {
                main,
                parts,
                splices,
            },
        }
    }
}

/// A marked text, parsed from after its [`PART_START`].
struct Marked<'a> {
    module: bool,
    name: &'a str,
    text: &'a str,
    /// What follows its [`PART_END`].
    rest: &'a str,
}

impl<'a> Marked<'a> {
    fn parse(after: &'a str) -> Option<Marked<'a>> {
        let module = match after.chars().next()? {
            'm' => true,
            'c' => false,
            _ => return None,
        };
        let after = &after[1..];
        let name_end = after.find(PART_TEXT)?;
        let name = &after[..name_end];
        let body = &after[name_end + PART_TEXT.len_utf8()..];
        // The end that closes this mark: marks inside it are counted.
        let mut depth = 0usize;
        for (i, c) in body.char_indices() {
            match c {
                PART_START => depth += 1,
                PART_END if depth == 0 => {
                    return Some(Marked {
                        module,
                        name,
                        text: &body[..i],
                        rest: &body[i + PART_END.len_utf8()..],
                    });
                }
                PART_END => depth -= 1,
                _ => {}
            }
        }
        None
    }
}

/// `text` without the marks of parts inside it (they stay in place), and
/// without stray marks.
fn strip_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            PART_START => {
                // The kind and the name go with the mark.
                for c in chars.by_ref() {
                    if c == PART_TEXT {
                        break;
                    }
                }
            }
            PART_END | PART_TEXT => {}
            c => out.push(c),
        }
    }
    out
}

/// The virtual path of the part `name` (a path without extension) with
/// `text` (after `imports`): its name, unless a part of the document already has that name with another
/// text; then the name with the first free number.
fn unique_path(parts: &[Part], name: &str, text: &str, imports: &str, module: bool) -> String {
    let full = if module {
        text.to_owned()
    } else {
        format!("{imports}{text}")
    };
    let mut n = 1;
    loop {
        let path = if n == 1 {
            format!("{name}.typ")
        } else {
            format!("{name}-{n}.typ")
        };
        match parts.iter().find(|p| p.path == path) {
            Some(part) if part.text != full => n += 1,
            _ => return path,
        }
    }
}

impl SplitSource {
    /// A source of one file, nothing shared.
    pub fn single(main: String) -> SplitSource {
        SplitSource {
            main,
            parts: Vec::new(),
            splices: Vec::new(),
        }
    }

    /// The document as one source (equal to [`Split::plain`]).
    pub fn plain(&self) -> String {
        let mut out = String::with_capacity(self.main.len());
        let mut at = 0;
        for splice in &self.splices {
            out.push_str(&self.main[at..splice.main_start]);
            if let Some(part) = self.parts.get(splice.part) {
                out.push_str(&part.text[part.prefix..]);
            }
            at = splice.main_start + splice.main_len;
        }
        out.push_str(&self.main[at..]);
        out
    }

    /// Where byte `offset` of the main file (`part` is `None`) or of the
    /// shared part at index `part` is in the document as one source. A place
    /// in an `#include` or `#import` of the main file, or in the imports of a
    /// part, is the start of the part's text.
    pub fn plain_offset(&self, part: Option<usize>, offset: usize) -> usize {
        match part {
            Some(k) => match self.parts.get(k) {
                Some(part) => part.plain_start + offset.saturating_sub(part.prefix),
                None => offset,
            },
            None => {
                // The plain text is longer or shorter than the main file by
                // what the splices before the place changed.
                let mut shift: isize = 0;
                for splice in &self.splices {
                    if offset < splice.main_start {
                        break;
                    }
                    if offset < splice.main_start + splice.main_len {
                        return splice.plain_start;
                    }
                    shift = splice.plain_start as isize + splice.plain_len as isize
                        - (splice.main_start + splice.main_len) as isize;
                }
                offset.saturating_add_signed(shift)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(name: &str, text: &str) -> String {
        mark_part(name, text, false)
    }

    fn module(name: &str, text: &str) -> String {
        mark_part(name, text, true)
    }

    #[test]
    fn marked_texts_become_files_the_main_file_names() {
        let rendered = format!(
            "{}\n#show: oppsett\nA\n{}\nB\n",
            module("Oppsett", "#let oppsett(doc) = doc"),
            content("sak-05/22", "= Sak\nTekst\n")
        );
        let split = Split::of(&rendered, "");
        assert_eq!(
            split.plain,
            "#let oppsett(doc) = doc\n#show: oppsett\nA\n= Sak\nTekst\n\nB\n"
        );
        assert_eq!(
            split.source.main,
            "#import \"/felles/oppsett.typ\": *;\n#show: oppsett\nA\n#include \"/felles/sak-05-22.typ\";\n\nB\n"
        );
        let paths: Vec<&str> = split.source.parts.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["/felles/oppsett.typ", "/felles/sak-05-22.typ"]);
        assert_eq!(split.source.parts[0].text, "#let oppsett(doc) = doc");
        assert_eq!(
            split.source.parts[1].text,
            "#import \"/felles/oppsett.typ\": *\n= Sak\nTekst\n"
        );
        assert_eq!(split.source.plain(), split.plain);
    }

    #[test]
    fn places_in_the_files_map_to_the_document_as_one_source() {
        let rendered = format!(
            "{}\nA {}\nB x\n",
            module("m", "#let v = 1"),
            content("c", "= Sak\nfeil her")
        );
        let split = Split::of(&rendered, "");
        let plain = &split.plain;
        let main = &split.source.main;
        // After the include: "B x" in the main file and in the plain text.
        let in_main = main.find("B x").unwrap();
        assert_eq!(
            split.source.plain_offset(None, in_main),
            plain.find("B x").unwrap()
        );
        // Before any splice, the same.
        assert_eq!(split.source.plain_offset(None, 0), 0);
        // Inside the include: the part's start.
        let include = main.find("#include").unwrap();
        assert_eq!(
            split.source.plain_offset(None, include + 3),
            plain.find("= Sak").unwrap()
        );
        // In the part, past its import.
        let part = &split.source.parts[1];
        let at = part.text.find("feil").unwrap();
        assert_eq!(
            split.source.plain_offset(Some(1), at),
            plain.find("feil").unwrap()
        );
        // In the part's import line: its start.
        assert_eq!(
            split.source.plain_offset(Some(1), 2),
            plain.find("= Sak").unwrap()
        );
    }

    #[test]
    fn each_meeting_has_its_folder_of_parts() {
        let rendered = format!("{}{}", module("m", "#let v = 1\n"), content("Sak 5", "X"));
        let split = Split::of(&rendered, "nuit/2022-03");
        assert_eq!(
            split.source.main,
            "#import \"/felles/nuit/2022-03/m.typ\": *;\n#include \"/felles/nuit/2022-03/sak-5.typ\";"
        );
        assert_eq!(split.source.parts[1].path, "/felles/nuit/2022-03/sak-5.typ");
    }

    #[test]
    fn a_name_marked_twice_with_other_text_gets_a_number() {
        let rendered = format!(
            "{}{}{}{}",
            module("m", "#let v = 1\n"),
            content("a", "X"),
            content("a", "Y"),
            content("a", "X")
        );
        let split = Split::of(&rendered, "");
        assert_eq!(split.plain, "#let v = 1\nXYX");
        assert_eq!(
            split.source.main,
            "#import \"/felles/m.typ\": *;\n#include \"/felles/a.typ\";#include \"/felles/a-2.typ\";#include \"/felles/a.typ\";"
        );
        assert_eq!(split.source.parts.len(), 3);
        assert_eq!(split.source.plain(), split.plain);
        // The second use of a part maps to its own place.
        let main = &split.source.main;
        let third = main.rfind("#include").unwrap();
        assert_eq!(
            split.source.plain_offset(None, third + main[third..].len()),
            split.plain.len()
        );
    }

    #[test]
    fn a_content_part_before_any_module_stays_in_place() {
        let rendered = format!("A{}B", content("c", "= Sak\n"));
        let split = Split::of(&rendered, "");
        assert_eq!(split.plain, "A= Sak\nB");
        assert_eq!(split.source, SplitSource::single(split.plain.clone()));
    }

    #[test]
    fn a_directive_ends_whatever_the_template_prints_after_it() {
        // Text that does not end a line, then what would continue the
        // string or call it: `#include "…"(1)` would call it.
        let rendered = format!("{}{}(1).x", module("m", "#let v = 1\n"), content("c", "X"));
        let split = Split::of(&rendered, "");
        assert!(
            split
                .source
                .main
                .ends_with("#include \"/felles/c.typ\";(1).x"),
            "{}",
            split.source.main
        );
        assert_eq!(split.plain, "#let v = 1\nX(1).x");
    }

    #[test]
    fn a_mark_inside_a_mark_stays_in_place_and_broken_marks_are_dropped() {
        let inner = content("inner", "I");
        let rendered = format!(
            "{}{}",
            module("m", ""),
            content("outer", &format!("O{inner}O"))
        );
        let split = Split::of(&rendered, "");
        assert_eq!(split.plain, "OIO");
        assert_eq!(split.source.parts.len(), 2);
        assert_eq!(
            split.source.parts[1].text,
            "#import \"/felles/m.typ\": *\nOIO"
        );

        for (broken, plain) in [
            (
                format!("a{PART_START}cname{PART_TEXT}text without end"),
                "atext without end",
            ),
            (format!("a{PART_START}xname{PART_TEXT}t{PART_END}"), "at"),
            (format!("a{PART_START}"), "a"),
            (format!("a{PART_END}b{PART_TEXT}c"), "abc"),
            (format!("a{PART_END}b{}", content("c", "C")), "abC"),
        ] {
            let split = Split::of(&broken, "");
            assert_eq!(split.plain, plain, "{broken:?}");
            assert!(split.source.parts.is_empty(), "{broken:?}");
            assert_eq!(split.source.plain(), split.plain, "{broken:?}");
            assert_eq!(split.source.main, split.plain, "{broken:?}");
        }
    }

    #[test]
    fn a_source_without_marks_is_one_file() {
        let split = Split::of("#set page(paper: \"a4\")\nTekst\n", "nuit/2022-03");
        assert_eq!(split.plain, "#set page(paper: \"a4\")\nTekst\n");
        assert_eq!(split.source, SplitSource::single(split.plain.clone()));
    }
}
