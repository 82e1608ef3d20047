//! Load stage, the frame of the minutes as a formal record: when the meeting
//! opened and closed, who approved the minutes, and who signs them.

use super::body::resolve_member;
use super::schema::MinutesFile;
use super::source::SourceFile;
use crate::diagnostic::Diagnostics;
use crate::model::{Body, Clock, Person};

/// The frame of the minutes as a formal record.
pub(crate) struct Frame {
    /// When the meeting opened.
    pub(crate) opened: Option<Clock>,
    /// When it closed.
    pub(crate) closed: Option<Clock>,
    /// Who approved the minutes.
    pub(crate) approved_by: Vec<Person>,
    /// Whether they did so electronically.
    pub(crate) approved_electronically: bool,
    /// Signature lines, the chair's first.
    pub(crate) signatures: Vec<Person>,
}

/// Opening and closing times, approval and signatures, checked.
pub(crate) fn minutes_frame(
    file: &SourceFile,
    raw: &MinutesFile,
    chair: Option<&Person>,
    body: &Body,
    diags: &mut Diagnostics,
) -> Frame {
    let (opened, closed) = session_times(file, raw.opened.as_deref(), raw.closed.as_deref(), diags);
    let (approved_by, approved_electronically) = match &raw.approved {
        Some(a) => (
            members(file, "approved.by", &a.by, body, diags),
            a.electronic,
        ),
        None => (Vec::new(), false),
    };
    Frame {
        opened,
        closed,
        approved_by,
        approved_electronically,
        signatures: signatures(file, raw.signatures.as_deref(), chair, body, diags),
    }
}

/// When the meeting opened and closed; closing must come after opening.
fn session_times(
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
fn members(
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
fn signatures(
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
