//! `motebok archive`, calendars: one iCalendar file (RFC 5545) per body,
//! `<body>/moter.ics`, with an event for each of its published meetings.
//!
//! Written by hand: a calendar of whole-day or floating-time events needs only
//! text escaping and line folding. The output is reproducible: `DTSTAMP` is
//! the meeting's date, not the time of the run.

use std::fmt::Write as _;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::model::{Body, BodyContent, Meeting, Project};
use crate::output::write_atomic;
use crate::view::Labels;

/// The longest line RFC 5545 allows, in octets, before it must be folded.
const LINE_OCTETS: usize = 75;

/// The file name of a body's calendar, in its folder of the site.
pub(super) const CALENDAR_FILE: &str = "moter.ics";

/// The calendar's path in the site, relative to the index.
pub(super) fn calendar_path(body: &Body) -> String {
    format!("{}/{CALENDAR_FILE}", body.id)
}

/// Writes every body's calendar into the site folder.
pub(super) fn write_calendars(site: &Path, project: &Project, labels: &Labels) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for content in &project.bodies {
        let path = site.join(calendar_path(&content.body));
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| write_atomic(&path, calendar(content, labels).as_bytes()));
        if let Err(err) = written {
            diagnostics.push(Diagnostic::error(format!(
                "failed to write the calendar {} ({err})",
                path.display()
            )));
        }
    }
    diagnostics
}

/// The calendar of a body's meetings (those given: the published ones).
pub(super) fn calendar(content: &BodyContent, labels: &Labels) -> String {
    let body = &content.body;
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(
        &mut out,
        &format!(
            "PRODID:-//motebok//motebok {}//NO",
            env!("CARGO_PKG_VERSION")
        ),
    );
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(&body.name)));
    for meeting in &content.meetings {
        event(&mut out, body, meeting, labels);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// One meeting's event: a floating local time when the agenda is timed, the
/// whole day otherwise.
fn event(out: &mut String, body: &Body, meeting: &Meeting, labels: &Labels) {
    let day = meeting.date.to_string().replace('-', "");
    let title = meeting
        .title
        .clone()
        .unwrap_or_else(|| labels.meeting_title(body));
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}-{}@motebok", body.id, meeting.slug));
    line(out, &format!("DTSTAMP:{day}T000000Z"));
    match (meeting.start, meeting.end) {
        (Some(start), end) => {
            line(out, &format!("DTSTART:{day}T{}", clock(start)));
            if let Some(end) = end {
                line(out, &format!("DTEND:{day}T{}", clock(end)));
            }
        }
        (None, _) => line(out, &format!("DTSTART;VALUE=DATE:{day}")),
    }
    line(
        out,
        &format!(
            "SUMMARY:{}",
            escape(&format!("{title} ({})", meeting.number))
        ),
    );
    line(out, &format!("LOCATION:{}", escape(&meeting.place)));
    line(out, "END:VEVENT");
}

/// `HHMMSS` of a clock time.
fn clock(clock: crate::model::Clock) -> String {
    format!("{}00", clock.to_string().replace(':', ""))
}

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded after every [`LINE_OCTETS`] octets (never
/// inside a character) and ended with CRLF.
fn line(out: &mut String, text: &str) {
    let mut octets = 0;
    for c in text.chars() {
        if octets + c.len_utf8() > LINE_OCTETS {
            out.push_str("\r\n ");
            octets = 1;
        }
        out.push(c);
        octets += c.len_utf8();
    }
    let _ = write!(out, "\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        let cases = [
            ("Møte i NUIT", "Møte i NUIT"),
            ("Oslo, rom 1; bygg A", "Oslo\\, rom 1\\; bygg A"),
            ("a\\b\nc", "a\\\\b\\nc"),
        ];
        for (text, expected) in cases {
            assert_eq!(escape(text), expected);
        }
    }

    #[test]
    fn long_lines_fold_at_75_octets_on_character_boundaries() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "ø".repeat(60)));
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= LINE_OCTETS, "{physical:?}");
        }
        let unfolded = out.trim_end().replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}", "ø".repeat(60)));
    }
}
