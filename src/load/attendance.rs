//! Load stage, attendance in the minutes: who was present, who sent apologies
//! (derived from the meeting's roster), others present, and who was present
//! for some items only.

use serde_yaml_ng::Value;

use super::body::{resolve_member, resolve_person};
use super::schema::{PartialFile, PersonSpec};
use super::source::{SourceFile, typed};
use crate::derive::Date;
use crate::diagnostic::Diagnostics;
use crate::model::{Attendee, Body, CaseNumber, Meeting, Person, Role, RosterEntry};

/// What the minutes of a meeting are resolved against (defined here, beside
/// its first use, so that `minutes` and `attendance` do not import each other).
pub(crate) struct MinutesContext<'a> {
    /// The meeting, resolved.
    pub(crate) meeting: &'a Meeting,
    /// Its date.
    pub(crate) date: Date,
    /// Its body.
    pub(crate) body: &'a Body,
    /// Whether the case number of every agenda row is known. Rows with errors
    /// are left out of the meeting; when one of them has no known number, a
    /// case the minutes name may be that row's, so it is not reported.
    pub(crate) agenda_complete: bool,
    /// The case numbers of agenda rows with errors: not on the meeting's agenda,
    /// but written there, so the minutes may record them (and are checked).
    pub(crate) unresolved: Vec<CaseNumber>,
}

/// The attendee in a seat of the roster.
fn seated(seat: &RosterEntry, substitute_for: Option<String>) -> Attendee {
    Attendee {
        name: seat.name.clone(),
        organisation: seat.organisation.clone(),
        role: Some(seat.role),
        role_label: seat.role_label.clone(),
        deputy: substitute_for.is_some() && seat.deputy,
        substitute_for,
        title: seat.title.clone(),
        cases: Vec::new(),
    }
}

/// Who was at the meeting, derived from the roster.
pub(crate) struct Attendance {
    /// Present (*Til stede*).
    pub(crate) present: Vec<Attendee>,
    /// Sent apologies (*Forfall*).
    pub(crate) absent: Vec<Attendee>,
    /// The seats with a vote (leader and members) that were filled: the
    /// person in the seat (the member or a substitute), with the seat's member id.
    pub(crate) voting: Vec<Person>,
}

/// Present and absent, derived from the roster of the meeting.
///
/// Members neither listed under `absent` nor replaced by a substitute are present,
/// unless a `present` list is given: then members missing from it sent apologies.
/// The secretariat is listed as present only when named under `present`.
pub(crate) fn attendance(
    file: &SourceFile,
    present: Option<&[String]>,
    absent: &[String],
    ctx: &MinutesContext<'_>,
    diags: &mut Diagnostics,
) -> Attendance {
    check_attendance_ids(file, present, absent, ctx, diags);
    let mut present_list = Vec::new();
    let mut absent_list = Vec::new();
    let mut voting = Vec::new();
    for seat in &ctx.meeting.roster {
        let count_before = present_list.len();
        let id = seat.member_id.as_str();
        let in_present = present.is_some_and(|p| p.iter().any(|x| x == id));
        let in_absent = absent.iter().any(|x| x == id);
        if seat.substitute_for.is_some() {
            if in_present {
                warn_substituted(file, present, seat, diags);
            }
            present_list.push(seated(seat, seat.substitute_for.clone()));
        } else if in_absent {
            absent_list.push(seated(seat, None));
        } else if matches!(seat.role, Role::Secretariat | Role::Deputy) {
            if in_present {
                present_list.push(seated(seat, None));
            }
        } else if present.is_none() || in_present {
            present_list.push(seated(seat, None));
        } else {
            absent_list.push(seated(seat, None));
        }
        if present_list.len() > count_before && seat.role.votes() {
            voting.push(Person {
                name: seat.name.clone(),
                organisation: seat.organisation.clone(),
                member_id: Some(seat.member_id.clone()),
                title: seat.title.clone(),
            });
        }
    }
    Attendance {
        present: present_list,
        absent: absent_list,
        voting,
    }
}

/// Reports unknown ids, members both present and absent, and repeats.
fn check_attendance_ids(
    file: &SourceFile,
    present: Option<&[String]>,
    absent: &[String],
    ctx: &MinutesContext<'_>,
    diags: &mut Diagnostics,
) {
    // Unknown ids are reported; the roster decides who is listed.
    for (i, id) in present.unwrap_or_default().iter().enumerate() {
        resolve_member(file, &format!("present[{i}]"), id, ctx.body, diags);
    }
    for (i, id) in absent.iter().enumerate() {
        resolve_member(file, &format!("absent[{i}]"), id, ctx.body, diags);
    }
    for (i, id) in absent.iter().enumerate() {
        if present.is_some_and(|p| p.contains(id)) {
            diags.push(
                file.error(
                    &format!("absent[{i}]"),
                    format!("`{id}` is listed both as present and as absent"),
                )
                .hint("keep the member under one of `present` and `absent`"),
            );
        }
        if absent[..i].contains(id) {
            diags.push(file.warning(&format!("absent[{i}]"), format!("`{id}` is listed twice")));
        }
    }
}

/// Warns that a member listed as present has a substitute in their seat.
fn warn_substituted(
    file: &SourceFile,
    present: Option<&[String]>,
    seat: &RosterEntry,
    diags: &mut Diagnostics,
) {
    let id = seat.member_id.as_str();
    if let Some(i) = present.unwrap_or_default().iter().position(|x| x == id) {
        diags.push(file.warning(
            &format!("present[{i}]"),
            format!(
                "`{id}` has a substitute at this meeting ({}), who is listed as present",
                seat.name
            ),
        ));
    }
}

/// Others present (*Andre som var til stede*): members or guests. Someone
/// already listed as present (*Til stede*) is reported.
pub(crate) fn others_present(
    file: &SourceFile,
    specs: Vec<PersonSpec>,
    present: &[Attendee],
    ctx: &MinutesContext<'_>,
    diags: &mut Diagnostics,
) -> Vec<Attendee> {
    let mut out: Vec<Attendee> = Vec::new();
    for (i, spec) in specs.into_iter().enumerate() {
        let field = format!("others_present[{i}]");
        let Some(person) = resolve_person(file, &field, spec, ctx.body, diags) else {
            continue;
        };
        if present.iter().chain(&out).any(|a| a.name == person.name) {
            diags.push(
                file.warning(
                    &field,
                    format!("{} is already listed as present", person.name),
                )
                .hint(
                    "list each person once: members under `present`, others under `others_present`",
                ),
            );
        }
        out.push(Attendee::guest(person));
    }
    out
}

/// People present for some items only (*Til stede på sak*).
pub(crate) fn partial_attendance(
    file: &SourceFile,
    entries: Vec<Value>,
    ctx: &MinutesContext<'_>,
    diags: &mut Diagnostics,
) -> Vec<Attendee> {
    let mut out = Vec::new();
    for (i, value) in entries.into_iter().enumerate() {
        let field = format!("present_for[{i}]");
        let Some(entry) = typed::<PartialFile>(file, &field, value, diags) else {
            continue;
        };
        let person = match (entry.member, entry.name) {
            (Some(id), None) => {
                resolve_member(file, &format!("{field}.member"), &id, ctx.body, diags)
            }
            (None, Some(name)) => Some(Person {
                name,
                organisation: entry.organisation,
                member_id: None,
                title: entry.title,
            }),
            _ => {
                diags.push(
                    file.error(
                        &field,
                        "write either `member` (a member id) or `name` (and `organisation`)",
                    )
                    .hint(
                        "for example `{ name: Kari Nordmann, organisation: NAV, cases: [32/21] }`",
                    ),
                );
                None
            }
        };
        let cases = partial_cases(file, &field, entry.cases.into_vec(), ctx, diags);
        if let Some(person) = person {
            out.push(Attendee {
                cases,
                ..Attendee::guest(person)
            });
        }
    }
    out
}

/// The cases someone was present for. A case not on this agenda is kept (the
/// minutes may name an item the agenda in the content lacks) but reported.
fn partial_cases(
    file: &SourceFile,
    field: &str,
    cases: Vec<String>,
    ctx: &MinutesContext<'_>,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let meeting: &Meeting = ctx.meeting;
    cases
        .into_iter()
        .enumerate()
        .map(|(j, case)| {
            let case = case.trim().to_owned();
            let on_agenda = (ctx.body.case_format.parse(&case, None, u32::MAX).ok())
                .is_some_and(|c| meeting.case(c).is_some() || ctx.unresolved.contains(&c));
            if ctx.agenda_complete && !on_agenda {
                let numbers: Vec<String> = meeting.cases().map(|c| c.case.to_string()).collect();
                diags.push(
                    file.warning(
                        &format!("{field}.cases[{j}]"),
                        format!(
                            "case {case} is not on the agenda of meeting {}",
                            meeting.number
                        ),
                    )
                    .hint(format!("the agenda has {}", numbers.join(", "))),
                );
            }
            case
        })
        .collect()
}
