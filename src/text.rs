//! Render stage, text: plain text on its way into Typst: escaping, and clean-up
//! of text pasted from Office.

use sha2::{Digest, Sha256};

use crate::diagnostic::Position;

/// Characters that mean something in Typst markup and are escaped with a backslash.
///
/// Besides the obvious (`#`, `$`, `*`, `_`, `@`, `<`, `\`) this covers what turns
/// into markup only in context: `/` (comments, term lists), `-`, `+`, `=` and `.`
/// (lists, headings, shorthands such as `--` and `...`), `~` (no-break space),
/// quotes (smart quotes) and brackets (content blocks).
const MARKUP_SPECIAL: &[char] = &[
    '\\', '#', '$', '*', '_', '@', '<', '>', '[', ']', '`', '~', '/', '-', '+', '=', '.', '"', '\'',
];

/// The first 128 bits of the SHA-256 of `bytes`: a hash that stays the same
/// across builds, platforms and Rust versions, for names that must not change
/// while their input does not (the virtual paths of figures and attachment
/// pages, footnote labels, and the snapshots that show them), written as 32
/// hex digits.
///
/// Content is untrusted, and these names stand for the bytes: FNV-1a, used
/// before, let a crafted file be made to take the name of another file of
/// the meeting (and so its place in the pack), or a case paper's text the
/// footnote labels of another's; and two files that share a name are one
/// file to the build (a file replaced by another of the same name leaves
/// its document unchanged). With 128 bits of SHA-256 even two files made
/// together to share a name take about 2^64 tries.
pub fn stable_hash(bytes: &[u8]) -> u128 {
    let digest = Sha256::digest(bytes);
    let mut prefix = [0u8; 16];
    prefix.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(prefix)
}

/// Escapes plain text so that Typst markup prints it exactly as written.
///
/// A blank line separates paragraphs, as in a word processor; a single line
/// break is kept as a forced line break. Every other character prints literally.
pub fn escape_markup(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let paragraphs = text
        .split("\n\n")
        .map(|p| p.trim_matches('\n'))
        .filter(|p| !p.is_empty());
    for (i, paragraph) in paragraphs.enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        for (j, line) in paragraph.split('\n').enumerate() {
            if j > 0 {
                out.push_str("\\\n");
            }
            for c in line.chars() {
                if MARKUP_SPECIAL.contains(&c) {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    out
}

/// Quotes text as a Typst string literal, for use in code (`title: "…"`).
pub fn quote_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What [`clean_office_text`] did to one private-use character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolFix {
    /// Where the character stood in the original text.
    pub position: Position,
    /// The private-use character found.
    pub found: char,
    /// What it was replaced with, or `None` when it is unknown (it prints as [`UNKNOWN_SYMBOL`]).
    pub replacement: Option<char>,
}

/// Maps a character that Office wrote in a symbol font (Wingdings, Symbol), which
/// lands in the Unicode private-use area U+F000–U+F0FF, to its Unicode equivalent.
pub fn map_symbol_font_char(c: char) -> Option<char> {
    Some(match c {
        '\u{F097}' | '\u{F0B7}' | '\u{F09F}' | '\u{F06C}' => '•',
        '\u{F0A7}' => '▪',
        '\u{F06E}' => '■',
        '\u{F071}' => '❑',
        '\u{F076}' => '❖',
        '\u{F0D8}' => '➢',
        '\u{F0E0}' => '→',
        '\u{F0E8}' => '➔',
        '\u{F0FC}' => '✓',
        '\u{F0FB}' => '✗',
        '\u{F0FE}' => '☑',
        '\u{F0A8}' => '◻',
        '\u{F04A}' => '☺',
        '\u{F04C}' => '☹',
        '\u{F02D}' => '–',
        _ => return None,
    })
}

/// Characters that PDF/A and PDF/UA forbid in text although fonts have them:
/// the zero-width no-break space (byte order mark) and the noncharacter U+FFFE.
pub fn forbidden_in_pdf(c: char) -> bool {
    matches!(c, '\u{FEFF}' | '\u{FFFE}')
}

/// Whether `c` is a combining diacritical mark, drawn on the character before it
/// (the combining blocks of the Latin, Greek and Cyrillic scripts and symbols).
pub fn is_combining_mark(c: char) -> bool {
    matches!(u32::from(c), 0x0300..=0x036F | 0x0483..=0x0489 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// What a private-use character without a known equivalent prints as: visible,
/// so that nothing vanishes silently, and in the bundled fonts (PDF/A refuses
/// characters without a glyph).
pub const UNKNOWN_SYMBOL: char = '\u{FFFD}';

/// Replaces the symbol-font characters that text pasted from Office carries with
/// their Unicode equivalents (others with [`UNKNOWN_SYMBOL`]), and reports every
/// private-use character found.
pub fn clean_office_text(text: &str) -> (String, Vec<SymbolFix>) {
    let mut fixes = Vec::new();
    let mut out = String::with_capacity(text.len());
    let (mut line, mut column) = (1, 1);
    for c in text.chars() {
        if ('\u{E000}'..='\u{F8FF}').contains(&c) {
            let replacement = map_symbol_font_char(c);
            fixes.push(SymbolFix {
                position: Position { line, column },
                found: c,
                replacement,
            });
            out.push(replacement.unwrap_or(UNKNOWN_SYMBOL));
        } else {
            out.push(c);
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (out, fixes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names that stand for bytes are SHA-256's, which no one can aim at
    /// (the test vectors of FIPS 180-2), not FNV's.
    #[test]
    fn names_of_bytes_are_the_start_of_their_sha256() {
        assert_eq!(
            stable_hash(b"abc"),
            0xba78_16bf_8f01_cfea_4141_40de_5dae_2223
        );
        assert_eq!(stable_hash(b""), 0xe3b0_c442_98fc_1c14_9afb_f4c8_996f_b924);
        assert_ne!(stable_hash(b"abc"), stable_hash(b"abd"));
    }

    #[test]
    fn markup_escaping_covers_every_special_character() {
        let cases = [
            ("Sak #27", "Sak \\#27"),
            ("post@ehelse.no", "post\\@ehelse\\.no"),
            ("$100 *bold* _it_", "\\$100 \\*bold\\* \\_it\\_"),
            ("a < b > c", "a \\< b \\> c"),
            ("C:\\dir", "C:\\\\dir"),
            ("// not a comment", "\\/\\/ not a comment"),
            ("= not a heading", "\\= not a heading"),
            ("- not a list", "\\- not a list"),
            ("1. not enum", "1\\. not enum"),
            ("[x] `raw` ~", "\\[x\\] \\`raw\\` \\~"),
            ("«Sitat» æøå §", "«Sitat» æøå §"),
            ("one\ntwo", "one\\\ntwo"),
            ("one\n\ntwo\n", "one\n\ntwo"),
            ("a\r\nb", "a\\\nb"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_markup(input), expected, "escaping {input:?}");
        }
    }

    #[test]
    fn string_quoting_escapes_quotes_and_backslashes() {
        assert_eq!(quote_string(r#"Sak "27" \ ny"#), r#""Sak \"27\" \\ ny""#);
        assert_eq!(quote_string("a\nb"), r#""a\nb""#);
    }

    #[test]
    fn office_symbols_are_mapped_and_reported() {
        let (text, fixes) = clean_office_text("Punkt\n\u{F097} en \u{F0FC}\u{F0AA}");
        assert_eq!(text, "Punkt\n• en ✓\u{FFFD}");
        assert_eq!(fixes.len(), 3);
        assert_eq!(fixes[0].position, Position { line: 2, column: 1 });
        assert_eq!(fixes[1].replacement, Some('✓'));
        assert_eq!(fixes[2].replacement, None);
    }
}
