//! Render stage, Markdown words: break opportunities in words too long for any line.

use std::borrow::Cow;

/// Words longer than this many characters get break opportunities. Typst
/// cannot break a word that has none, so a token, hash or address pasted as
/// text would run off the page. A line of body text holds about 85 characters,
/// and no word of Norwegian prose is this long; a web address of the examples
/// (47 characters) is left alone, so that it moves to a line of its own whole
/// rather than being split.
pub const LONG_WORD_CHARS: usize = 60;

/// In a word longer than [`LONG_WORD_CHARS`], an invisible break opportunity
/// (U+200B, zero width space) after every this many characters, so that a line
/// breaks there when it must, even in a narrow table column.
pub const WORD_CHUNK_CHARS: usize = 10;

/// `text` with a zero width space after every [`WORD_CHUNK_CHARS`] characters
/// of each word longer than [`LONG_WORD_CHARS`]; never before a combining mark
/// or joiner, so that no letter is parted from its accent.
pub fn break_long_words(text: &str) -> Cow<'_, str> {
    let long = |w: &str| w.chars().nth(LONG_WORD_CHARS).is_some();
    if !text.split_whitespace().any(long) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / WORD_CHUNK_CHARS * 3);
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end_matches(char::is_whitespace);
        if !long(word) {
            out.push_str(piece);
            continue;
        }
        let mut run = 0usize;
        let mut previous = None;
        for c in word.chars() {
            if run >= WORD_CHUNK_CHARS && !clings(c) && previous != Some('\u{200D}') {
                out.push('\u{200B}');
                run = 0;
            }
            out.push(c);
            run += 1;
            previous = Some(c);
        }
        out.push_str(&piece[word.len()..]);
    }
    Cow::Owned(out)
}

/// Whether `c` belongs to the character before it: a combining mark, a joiner
/// or a variation selector.
fn clings(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0900}'..='\u{0903}'
        | '\u{093A}'..='\u{094F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0100}'..='\u{E01EF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_get_break_opportunities() {
        assert_eq!(break_long_words("kort tekst"), "kort tekst");
        let word = "abcdefghij".repeat(7);
        let broken = break_long_words(&format!("a {word} b")).into_owned();
        assert_eq!(broken.matches('\u{200B}').count(), 6);
        assert_eq!(broken.replace('\u{200B}', ""), format!("a {word} b"));
        assert!(broken.contains("abcdefghij\u{200B}abcdefghij"));
        // Never between a letter and its accent.
        let accented = "e\u{301}".repeat(40);
        let broken = break_long_words(&accented);
        assert!(!broken.contains("\u{200B}\u{301}"), "{broken:?}");
        assert_eq!(broken.replace('\u{200B}', ""), accented);
        // A word of exactly the limit is left alone.
        let limit = "x".repeat(LONG_WORD_CHARS);
        assert_eq!(break_long_words(&limit), limit);
    }
}
