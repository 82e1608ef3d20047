//! Load stage, the frame of the minutes as a formal record: when the meeting
//! opened and closed, who approved the minutes, and who signs them.

use super::body::resolve_member;
use super::source::SourceFile;
use crate::diagnostic::Diagnostics;
use crate::model::{Body, Clock, Person};

/// When the meeting opened and closed; closing must come after opening.
pub(crate) fn session_times(
    file: &SourceFile,
    opened: Option<&str>,
    closed: Option<&str>,
    diags: &mut Diagnostics,
) -> (Option<Clock>, Option<Clock>) {
    let opened = opened.and_then(|t| clock_field(file, "opened", t, diags));
    let closed = closed.and_then(|t| clock_field(file, "closed", t, diags));
    if let (Some(o), Some(c)) = (opened, closed)
        && c <= o
    {
        diags.push(
            file.error(
                "closed",
                format!("the meeting closed at {c}, which is not after it opened ({o})"),
            )
            .hint("`closed` is the time the meeting closed, after `opened`"),
        );
    }
    (opened, closed)
}

/// Parses a clock time `HH:MM`.
fn clock_field(
    file: &SourceFile,
    field: &str,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<Clock> {
    let clock = Clock::parse(text.trim());
    if clock.is_none() {
        diags.push(
            file.error(field, format!("`{text}` is not a valid time"))
                .hint("write the time as HH:MM, for example `10:00`"),
        );
    }
    clock
}

/// The members written at `field` (a list of member ids), resolved.
pub(crate) fn members(
    file: &SourceFile,
    field: &str,
    ids: &[String],
    body: &Body,
    diags: &mut Diagnostics,
) -> Vec<Person> {
    let mut out: Vec<Person> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let at = format!("{field}[{i}]");
        if ids[..i].contains(id) {
            diags.push(file.warning(&at, format!("`{id}` is listed twice")));
            continue;
        }
        out.extend(resolve_member(file, &at, id, body, diags));
    }
    out
}

/// The signature lines: the chair's first, then those named (once each).
pub(crate) fn signatures(
    file: &SourceFile,
    ids: Option<&[String]>,
    chair: Option<&Person>,
    body: &Body,
    diags: &mut Diagnostics,
) -> Vec<Person> {
    let Some(ids) = ids else {
        return Vec::new();
    };
    let named = members(file, "signatures", ids, body, diags);
    let mut out: Vec<Person> = chair.into_iter().cloned().collect();
    for person in named {
        if !out
            .iter()
            .any(|p| p.member_id.is_some() && p.member_id == person.member_id)
        {
            out.push(person);
        }
    }
    out
}
