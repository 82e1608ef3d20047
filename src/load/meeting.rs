//! Load stage, meetings: `meeting.yaml` read, then resolved against its body and
//! what earlier meetings left (times, chair, previous meeting, roster with
//! substitutes, agenda), with its minutes attached.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

use super::agenda::{ItemContext, check_basis, closed_restriction, resolve_agenda_entry};
use super::body::{member_person, resolve_member};
use super::cycle::{CaseNumbers, Cycle, action_status, check_case_sequence};
use super::deputies::{Substitute, resolve_substitute};
use super::identity::{MAX_MEETING_NUMBER, RawMeeting, is_number_form};
use super::item::row_field;
use super::minutes::{MinutesContext, load_minutes};
use super::prefetch::Papers;
use super::schema::{AgendaFile, MeetingFile, MeetingStatusName, PreviousFile, SubstituteFile};
use super::source::{MINUTES_FILE, SourceFile, check_markdown, typed};
use crate::derive::{Clock, Date};
use crate::diagnostic::Diagnostics;
use crate::fsread;
use crate::model::{
    ActionPoint, AgendaRow, Body, CaseNumber, Meeting, MeetingNumber, MeetingSources,
    MeetingStatus, Person, Previous, Restriction, RestrictionKind, RosterEntry,
};

/// Start and planned end of a meeting.
#[derive(Clone, Copy)]
struct Times {
    /// Whether the agenda has clock times (the meeting has a start time).
    timed: bool,
    start: Option<Clock>,
    planned_end: Option<Clock>,
}

/// The agenda resolved: its rows, the clock after the last one, and the case
/// numbers used with their fields.
struct Agenda {
    rows: Vec<AgendaRow>,
    /// The case paper file of each row, if any.
    papers: Vec<Option<PathBuf>>,
    end: Clock,
    used: Vec<(CaseNumber, String)>,
    /// Whether the case number of every row is known, even of rows with errors.
    complete: bool,
}

/// What is resolved of a meeting before its agenda.
struct Header {
    number: Option<MeetingNumber>,
    times: Times,
    chair: Option<Person>,
    previous: Option<Previous>,
    roster: Vec<RosterEntry>,
}

/// Resolves one meeting against its body and what earlier meetings left;
/// with the meeting, where it was read from.
pub(crate) fn resolve_meeting(
    content_dir: &Path,
    raw: RawMeeting,
    body: &Body,
    (cycle, papers): (&mut Cycle, &Papers),
    diags: &mut Diagnostics,
) -> Option<(Meeting, MeetingSources)> {
    let RawMeeting {
        dir,
        file,
        mut raw,
        date,
    } = raw;
    let errors_before = diags.error_count();
    let header = resolve_header(&file, &mut raw, body, date, cycle, diags);
    let meeting_year = date.map(|d| d.year);
    let numbers = CaseNumbers {
        meeting_year,
        cycle,
        used: Vec::new(),
        refused: false,
    };
    let base = ItemContext {
        content_dir,
        dir: &dir,
        body,
        file: &file,
        field: "",
        timed: header.times.timed,
        papers,
    };
    let agenda_values = std::mem::take(&mut raw.agenda);
    let agenda = resolve_agenda(base, header.times.start, agenda_values, numbers, diags);
    check_agenda_end(&file, &agenda, header.times, errors_before, diags);
    let closed = check_meeting_fields(&file, &mut raw, diags);
    check_case_sequence(&file, &raw.number, meeting_year, &agenda.used, cycle, diags);
    if let Some(date) = date {
        cycle.previous = Some((date, raw.number.clone()));
    }
    let action_status = action_status(cycle, date);
    // With errors the meeting is not built, but its minutes are still checked,
    // so that one run reports every problem.
    let has_errors = diags.error_count() > errors_before;
    let agenda_complete = agenda.complete;
    let written: Vec<CaseNumber> = agenda.used.iter().map(|(c, _)| *c).collect();
    let (mut meeting, papers) = assemble(&dir, raw, header, agenda, date?, action_status);
    close_meeting(&mut meeting, closed);
    if !has_errors {
        check_public_titles(&file, &meeting, diags);
    }
    let minutes_path = dir.join(MINUTES_FILE);
    // Whatever is there is read, so that what cannot be is reported.
    if fsread::exists(&minutes_path) {
        // Agenda rows with errors are left out of the meeting, but their case
        // numbers are known: the minutes' entries for them are still checked.
        let unresolved = written
            .into_iter()
            .filter(|c| meeting.case(*c).is_none())
            .collect();
        let ctx = MinutesContext {
            meeting: &meeting,
            date: meeting.date,
            body,
            agenda_complete,
            unresolved,
        };
        meeting.minutes = load_minutes(content_dir, &minutes_path, &ctx, cycle, diags);
    }
    (!has_errors).then_some((meeting, MeetingSources { dir, papers }))
}

/// Checks the meeting's notes and video link, and takes its `closed` field:
/// the restriction of a closed meeting, if it is one.
fn check_meeting_fields(
    file: &SourceFile,
    raw: &mut MeetingFile,
    diags: &mut Diagnostics,
) -> Option<Restriction> {
    if let Some(notes) = &raw.notes {
        check_markdown(file, "notes", notes, diags);
    }
    if let Some(Err(message)) = raw.video_link.as_deref().map(crate::markdown::check_url) {
        diags.push(file.error("video_link", message));
    }
    let closed = raw
        .closed
        .take()
        .and_then(|spec| closed_restriction(spec, RestrictionKind::Closed));
    if let Some(closed) = &closed {
        check_basis(file, "closed", closed, diags);
    }
    closed
}

/// Number, times, chair, the previous meeting and the roster.
fn resolve_header(
    file: &SourceFile,
    raw: &mut MeetingFile,
    body: &Body,
    date: Option<Date>,
    cycle: &Cycle,
    diags: &mut Diagnostics,
) -> Header {
    let number = check_meeting_number(file, &raw.number, diags);
    let times = resolve_times(file, raw, diags);
    let chair = match &raw.chair {
        Some(id) => resolve_member(file, "chair", id, body, diags),
        None => body.leader().map(member_person),
    };
    let previous = resolve_previous(file, raw.previous_meeting.as_ref(), date, cycle, diags);
    let roster = resolve_roster(file, std::mem::take(&mut raw.substitutes), body, diags);
    Header {
        number,
        times,
        chair,
        previous,
        roster,
    }
}

/// The meeting from its resolved parts, and its rows' case paper files.
fn assemble(
    dir: &Path,
    raw: MeetingFile,
    header: Header,
    agenda: Agenda,
    date: Date,
    action_status: Vec<ActionPoint>,
) -> (Meeting, Vec<Option<PathBuf>>) {
    let slug = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A meeting with an invalid number is not built; it is numbered 0 so that
    // its minutes can still be checked.
    let number = header.number.unwrap_or(MeetingNumber {
        number: 0,
        year: date.year,
    });
    let times = header.times;
    let meeting = Meeting {
        slug,
        number,
        date,
        start: times.start.filter(|_| times.timed),
        end: times.timed.then(|| times.planned_end.unwrap_or(agenda.end)),
        span: times.start.zip(times.planned_end).filter(|_| !times.timed),
        place: raw.place,
        video_link: raw.video_link,
        chair: header.chair,
        title: raw.title,
        previous: header.previous,
        order_note: raw.order_note,
        notes: raw.notes,
        roster: header.roster,
        agenda: agenda.rows,
        action_status,
        minutes: None,
        status: match raw.status {
            Some(MeetingStatusName::Planned) => MeetingStatus::Planned,
            Some(MeetingStatusName::Sent) | None => MeetingStatus::Sent,
        },
        closed: None,
    };
    (meeting, agenda.papers)
}

/// Warns of a `public_title` on an item that is neither exempt nor closed: it
/// would never print. (Without errors, rows and agenda entries correspond.)
fn check_public_titles(file: &SourceFile, meeting: &Meeting, diags: &mut Diagnostics) {
    for (i, row) in meeting.agenda.iter().enumerate() {
        if let AgendaRow::Case(item) = row
            && item.public_title.is_some()
            && item.restriction.is_none()
        {
            diags.push(
                file.warning(
                    &format!("{}.public_title", row_field(i)),
                    "the item is public, so its `public_title` is never shown",
                )
                .hint(
                    "add `exempt:` or `closed:` with the legal basis, or leave `public_title` out",
                ),
            );
        }
    }
}

/// Makes a closed meeting's items closed, on its basis, except those with a
/// restriction of their own.
fn close_meeting(meeting: &mut Meeting, closed: Option<Restriction>) {
    let Some(closed) = closed else { return };
    for row in &mut meeting.agenda {
        if let AgendaRow::Case(item) = row
            && item.restriction.is_none()
        {
            item.restriction = Some(closed.clone());
        }
    }
    meeting.closed = Some(closed);
}

/// Parses the meeting number `N/YYYY`, reporting a bad one.
fn check_meeting_number(
    file: &SourceFile,
    number: &str,
    diags: &mut Diagnostics,
) -> Option<MeetingNumber> {
    let parsed = MeetingNumber::parse(number);
    match parsed {
        None if is_number_form(number, 4) => diags.push(file.error(
            "number",
            format!("meeting number `{number}` is too large: a body has at most {MAX_MEETING_NUMBER} meetings a year"),
        )),
        None => diags.push(
            file.error("number", format!("`{number}` is not a meeting number"))
                .hint("write the number and the full year, such as `7/2020`"),
        ),
        Some(n) if n.number > MAX_MEETING_NUMBER => {
            diags.push(file.error(
                "number",
                format!("meeting number `{number}` is too large: a body has at most {MAX_MEETING_NUMBER} meetings a year"),
            ));
            return None;
        }
        Some(_) => {}
    }
    parsed
}

/// Start and planned end; without a start time the agenda is untimed.
fn resolve_times(file: &SourceFile, raw: &MeetingFile, diags: &mut Diagnostics) -> Times {
    let start = raw
        .start
        .as_deref()
        .and_then(|s| parse_clock(file, "start", s, diags));
    let planned_end = raw
        .end
        .as_deref()
        .and_then(|e| parse_clock(file, "end", e, diags));
    if raw.end.is_some() && raw.start.is_none() {
        diags.push(
            file.error("end", "the meeting has an end but no start")
                .hint("give its start too (`start: \"13:00\"`), or leave out `end`"),
        );
    }
    if let (Some(s), Some(e)) = (start, planned_end)
        && e < s
    {
        diags.push(file.error(
            "end",
            format!("the meeting ends ({e}) before it starts ({s})"),
        ));
    }
    // Start and end but no row with a duration: the meeting's time prints,
    // the agenda has no clock times.
    let spanned = raw.start.is_some()
        && raw.end.is_some()
        && !raw.agenda.iter().any(|row| row.get("duration").is_some());
    Times {
        timed: raw.start.is_some() && !spanned,
        start,
        planned_end,
    }
}

fn parse_clock(
    file: &SourceFile,
    field: &str,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<Clock> {
    let clock = Clock::parse(text);
    if clock.is_none() {
        diags.push(
            file.error(field, format!("`{text}` is not a time of day"))
                .hint("write the time as HH:MM in quotes, such as \"10:00\""),
        );
    }
    clock
}

/// The meeting whose minutes are approved: as written, or else the previous
/// meeting in the content; its date and number when known.
fn resolve_previous(
    file: &SourceFile,
    written: Option<&PreviousFile>,
    date: Option<Date>,
    cycle: &Cycle,
    diags: &mut Diagnostics,
) -> Option<Previous> {
    let Some(p) = written else {
        return cycle.previous.clone().map(|(date, n)| Previous {
            date,
            number: Some(n),
        });
    };
    let parsed = Date::parse(&p.date);
    if parsed.is_none() {
        diags.push(
            file.error(
                "previous_meeting.date",
                format!("`{}` is not a valid date", p.date),
            )
            .hint("write the date as YYYY-MM-DD"),
        );
    }
    if let (Some(prev), Some(this)) = (parsed, date)
        && prev >= this
    {
        diags.push(file.error(
            "previous_meeting.date",
            "the previous meeting is not before this one",
        ));
    }
    parsed.map(|date| Previous {
        date,
        number: p.number.clone(),
    })
}

/// The roster of the meeting: the body's, with substitutes in their seats.
fn resolve_roster(
    file: &SourceFile,
    substitutes: Vec<Value>,
    body: &Body,
    diags: &mut Diagnostics,
) -> Vec<RosterEntry> {
    let mut subs: HashMap<String, Substitute> = HashMap::new();
    for (i, value) in substitutes.into_iter().enumerate() {
        let field = format!("substitutes[{i}]");
        let Some(sub) = typed::<SubstituteFile>(file, &field, value, diags) else {
            continue;
        };
        if resolve_member(file, &format!("{field}.for"), &sub.replaces, body, diags).is_none() {
            continue;
        }
        let Some(sub) = resolve_substitute(file, &field, sub, body, diags) else {
            continue;
        };
        if subs.contains_key(&sub.replaces) {
            diags.push(file.error(
                &format!("{field}.for"),
                format!("`{}` already has a substitute", sub.replaces),
            ));
            continue;
        }
        subs.insert(sub.replaces.clone(), sub);
    }
    body.members
        .iter()
        .map(|m| match subs.remove(&m.id) {
            Some(sub) => RosterEntry {
                member_id: m.id.clone(),
                name: sub.name,
                title: sub.title,
                organisation: sub.organisation.or_else(|| m.organisation.clone()),
                role: m.role,
                role_label: m.role_label.clone(),
                substitute_for: Some(m.name.clone()),
                deputy: sub.deputy,
            },
            None => RosterEntry {
                member_id: m.id.clone(),
                name: m.name.clone(),
                title: m.title.clone(),
                organisation: m.organisation.clone(),
                role: m.role,
                role_label: m.role_label.clone(),
                substitute_for: None,
                deputy: false,
            },
        })
        .collect()
}

/// Resolves the agenda rows in order, each starting where the one before ended.
fn resolve_agenda(
    base: ItemContext<'_>,
    start: Option<Clock>,
    values: Vec<Value>,
    mut numbers: CaseNumbers<'_>,
    diags: &mut Diagnostics,
) -> Agenda {
    let mut clock = start.unwrap_or(Clock(0));
    let mut rows = Vec::new();
    let mut papers = Vec::new();
    let mut complete = true;
    for (i, value) in values.into_iter().enumerate() {
        let field = row_field(i);
        let written = value.get("case").and_then(Value::as_str).map(str::to_owned);
        let is_break = written.is_none() && value.get("break").is_some();
        let Some(entry) = typed::<AgendaFile>(base.file, &field, value, diags) else {
            // A row that cannot be read still uses its case number, so that
            // later meetings see no gap and its minutes entry is checked.
            let format = &base.body.case_format;
            let series = Some(format.default_series());
            match written.and_then(|c| format.parse(c.trim(), series, u32::MAX).ok()) {
                Some(case) if !numbers.used.iter().any(|(c, _)| *c == case) => {
                    numbers.used.push((case, field));
                }
                _ => complete &= is_break,
            }
            continue;
        };
        let known = numbers.used.len();
        let ctx = ItemContext {
            field: &field,
            ..base
        };
        let Some((row, paper)) = resolve_agenda_entry(&ctx, entry, clock, &mut numbers, diags)
        else {
            complete &= numbers.used.len() > known;
            continue;
        };
        // Each duration is at most a day (checked at load), and the sum saturates.
        clock = Clock(clock.0.saturating_add(row.duration()));
        rows.push(row);
        papers.push(paper);
    }
    Agenda {
        rows,
        papers,
        end: clock,
        used: numbers.used,
        complete,
    }
}

/// Checks that the agenda has rows and ends before midnight and the planned end.
fn check_agenda_end(
    file: &SourceFile,
    agenda: &Agenda,
    times: Times,
    errors_before: usize,
    diags: &mut Diagnostics,
) {
    let clock = agenda.end;
    if agenda.rows.is_empty() && diags.error_count() == errors_before {
        diags.push(file.error("agenda", "the agenda is empty"));
    }
    if clock.past_midnight() {
        diags.push(file.error(
            "agenda",
            format!("the agenda runs past midnight (ends {clock} the next day)"),
        ));
    }
    if let Some(end) = times.planned_end
        && clock > end
    {
        diags.push(
            file.error(
                "agenda",
                format!("the agenda runs until {clock}, past the meeting's end at {end}"),
            )
            .hint("shorten some durations or move the end"),
        );
    }
}
