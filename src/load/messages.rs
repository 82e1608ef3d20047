//! Load stage, wording: YAML parser and serde messages turned into messages for
//! people who know neither YAML's grammar nor Rust. Pure functions of the
//! libraries' text, table-tested below; no file access.

use crate::diagnostic::{Diagnostic, Position, did_you_mean};

/// A serde failure worded for people: where it points, the field it names,
/// the message and a hint.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Wording {
    /// The field path whose value the position points at.
    pub(crate) at: String,
    /// The field path the message names (the parent of an unknown field).
    pub(crate) field: String,
    /// What is wrong.
    pub(crate) message: String,
    /// A suggestion.
    pub(crate) hint: Option<String>,
}

/// Joins a field path and a sub-path (`agenda[1]` + `title`, `agenda` + `[1]`).
pub(crate) fn join_path(base: &str, sub: &str) -> String {
    match (base.is_empty(), sub.is_empty()) {
        (_, true) => base.to_owned(),
        (true, false) => sub.to_owned(),
        (false, false) if sub.starts_with('[') => format!("{base}{sub}"),
        (false, false) => format!("{base}.{sub}"),
    }
}

/// Turns serde's wording of a failure at `path` into a message for people who
/// do not write Rust.
///
/// Raw shapes word their own failures where serde's would name a Rust type
/// (see `schema`); what is left is serde's standard wording, translated here.
pub(crate) fn describe_serde_error(path: &str, message: &str) -> Wording {
    let wording = |at: String, message: String, hint: Option<String>| Wording {
        at,
        field: path.to_owned(),
        message,
        hint,
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (found, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let hint = match did_you_mean(found, candidates.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("expected one of: {}", candidates.join(", ")),
        };
        let message = format!("unknown field `{found}`");
        return wording(join_path(path, found), message, Some(hint));
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        let message = format!("missing required field `{name}`");
        return wording(path.to_owned(), message, None);
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (found, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let message = format!("`{found}` is not one of: {}", candidates.join(", "));
        let hint = did_you_mean(found, candidates.iter().copied())
            .map(|best| format!("did you mean `{best}`?"));
        return wording(path.to_owned(), message, hint);
    }
    // serde's visitors expect "a string"; the raw shapes' own visitors already
    // say "a whole number" and the like.
    let message = message
        .replace("invalid type: ", "wrong type: found ")
        .replace("a string", "a text");
    wording(path.to_owned(), message, None)
}

const ALIAS_BOMB: &str = "aliases expand to too many values (is this a YAML alias bomb?)";
const ALIAS_BOMB_HINT: &str =
    "write the values out instead of repeating anchors (`&name`) through aliases (`*name`)";

/// The error for a file whose aliases expand to too much, at the first alias.
pub(crate) fn alias_bomb_error(position: Position) -> Diagnostic {
    let mut diag = Diagnostic::error(format!("invalid YAML: {ALIAS_BOMB}")).hint(ALIAS_BOMB_HINT);
    diag.position = Some(position);
    diag
}

/// Turns a YAML parser's message into one for people who do not know YAML's
/// grammar, pointing where the fix belongs (an unclosed quote is reported where
/// it opens, not at the end of the file where the parser gave up).
pub(crate) fn describe_yaml_error(
    message: &str,
    position: Option<Position>,
    text: &str,
) -> Diagnostic {
    let marks = yaml_marks(message);
    let plain = strip_all_locations(message);
    let context = marks.get(1).copied();
    let (message, position, hint) = if plain.contains("while scanning a quoted scalar") {
        (
            "a quoted text starts here but its closing quote is missing".to_owned(),
            context.or(position),
            Some("end the text with the same quote it starts with (\" or ')"),
        )
    } else if plain.contains("while parsing a flow sequence") {
        (
            "a list opened with `[` here is not closed with `]`".to_owned(),
            context.or(position),
            Some("close the list, or put the text in quotes if the `[` belongs to it"),
        )
    } else if plain.contains("while parsing a flow mapping") {
        (
            "a mapping opened with `{` here is not closed with `}`".to_owned(),
            context.or(position),
            Some("close it, or put the text in quotes if the `{` belongs to it"),
        )
    } else if plain.contains("unknown escape character") {
        (
            "unknown escape sequence (a `\\` followed by a character YAML does not know) in a double-quoted text".to_owned(),
            position,
            Some("write `\\\\` for a backslash, or use single quotes, in which `\\` is an ordinary character"),
        )
    } else if plain.contains("tab character") {
        (
            "a tab character is used for indentation".to_owned(),
            position,
            Some("indent with spaces; YAML does not allow tabs for indentation"),
        )
    } else if plain.contains("repetition limit exceeded") {
        (
            ALIAS_BOMB.to_owned(),
            position.or_else(|| crate::locate::first_alias(text)),
            Some(ALIAS_BOMB_HINT),
        )
    } else if plain.contains("recursion limit exceeded") {
        (
            "lists or mappings are nested too deeply".to_owned(),
            position,
            None,
        )
    } else if plain.contains("duplicate entry with key") {
        match crate::locate::duplicate_key(text) {
            Some((at, key)) => (
                // serde's field path, when it gives one (`agenda[1]: `).
                format!(
                    "{}the key `{key}` is written twice in the same mapping",
                    plain.split("duplicate entry").next().unwrap_or_default()
                ),
                Some(at),
                Some("keep one of them: YAML does not say which one counts"),
            ),
            None => (plain, position, None),
        }
    } else if plain.contains("mapping values are not allowed in this context") {
        (
            "a `:` where YAML does not expect one".to_owned(),
            position,
            Some("put text containing `: ` in quotes, or check the indentation of the line"),
        )
    } else {
        (plain, position, None)
    };
    let mut diag = Diagnostic::error(format!("invalid YAML: {message}"));
    diag.position = position;
    if let Some(hint) = hint {
        diag = diag.hint(hint);
    }
    diag
}

/// The `line N column M` marks in a YAML parser's message, in order.
fn yaml_marks(message: &str) -> Vec<Position> {
    let mut marks = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        rest = &rest[i + 5..];
        let line: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = &rest[line.len()..];
        if let Some(col) = after.strip_prefix(" column ") {
            let column: String = col.chars().take_while(char::is_ascii_digit).collect();
            if let (Ok(line), Ok(column)) = (line.parse(), column.parse()) {
                marks.push(Position { line, column });
            }
        }
    }
    marks
}

/// `message` without any ` at line N column M` (the position is shown separately).
pub(crate) fn strip_all_locations(message: &str) -> String {
    let mut out = message.to_owned();
    while let Some(i) = out.find(" at line ") {
        let tail = &out[i + 9..];
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        let Some(col) = tail[digits..].strip_prefix(" column ") else {
            break;
        };
        let col_digits = col.chars().take_while(char::is_ascii_digit).count();
        let end = i + 9 + digits + " column ".len() + col_digits;
        out.replace_range(i..end, "");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_are_worded_for_people() {
        // (path, serde's message, at, field, message, hint)
        type Case<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, Option<&'a str>);
        let cases: &[Case<'_>] = &[
            // (path, serde's message, at, field, message, hint)
            (
                "agenda[0]",
                "unknown field `titel`, expected one of `case`, `title`",
                "agenda[0].titel",
                "agenda[0]",
                "unknown field `titel`",
                Some("did you mean `title`?"),
            ),
            (
                "",
                "unknown field `xyz`, expected `id` or `name`",
                "xyz",
                "",
                "unknown field `xyz`",
                Some("expected one of: id, name"),
            ),
            (
                "",
                "missing field `place`",
                "",
                "",
                "missing required field `place`",
                None,
            ),
            (
                "members[1].role",
                "unknown variant `leeder`, expected one of `leader`, `member`",
                "members[1].role",
                "members[1].role",
                "`leeder` is not one of: leader, member",
                Some("did you mean `leader`?"),
            ),
            (
                "agenda[1].duration",
                "invalid type: string \"tjue\", expected a whole number",
                "agenda[1].duration",
                "agenda[1].duration",
                "wrong type: found string \"tjue\", expected a whole number",
                None,
            ),
            (
                "place",
                "invalid type: sequence, expected a string",
                "place",
                "place",
                "wrong type: found sequence, expected a text",
                None,
            ),
            (
                "agenda[1].proposed_decision",
                "expected a text or a list of texts",
                "agenda[1].proposed_decision",
                "agenda[1].proposed_decision",
                "expected a text or a list of texts",
                None,
            ),
        ];
        for &(path, serde, at, field, message, hint) in cases {
            let wording = describe_serde_error(path, serde);
            let expected = Wording {
                at: at.to_owned(),
                field: field.to_owned(),
                message: message.to_owned(),
                hint: hint.map(str::to_owned),
            };
            assert_eq!(wording, expected, "{serde}");
        }
    }

    #[test]
    fn yaml_messages_are_worded_for_people() {
        let at = |line, column| Some(Position { line, column });
        let cases = [
            (
                "found unexpected end of stream at line 5 column 1, while scanning a quoted scalar at line 2 column 8",
                "invalid YAML: a quoted text starts here but its closing quote is missing",
                at(2, 8),
            ),
            (
                "mapping values are not allowed in this context at line 3 column 9",
                "invalid YAML: a `:` where YAML does not expect one",
                at(1, 1),
            ),
            (
                "something new at line 4 column 2",
                "invalid YAML: something new",
                at(1, 1),
            ),
        ];
        for (yaml, message, position) in cases {
            let diag = describe_yaml_error(yaml, at(1, 1), "");
            assert_eq!(diag.message, message, "{yaml}");
            assert_eq!(diag.position, position, "{yaml}");
        }
    }

    #[test]
    fn joined_paths_read_as_written() {
        assert_eq!(join_path("", "title"), "title");
        assert_eq!(join_path("agenda", "[1]"), "agenda[1]");
        assert_eq!(join_path("agenda[1]", "title"), "agenda[1].title");
        assert_eq!(join_path("agenda[1]", ""), "agenda[1]");
    }

    #[test]
    fn serde_locations_are_stripped() {
        assert_eq!(
            strip_all_locations("missing field `x` at line 3 column 1"),
            "missing field `x`"
        );
        assert_eq!(strip_all_locations("plain"), "plain");
    }
}
