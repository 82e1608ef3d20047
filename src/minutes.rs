//! Minutes (*referat*): attendance, decisions as adopted, action points, and the
//! status of action points carried from one meeting to the next.

use std::path::Path;

use serde::Deserialize;
use serde_yaml_ng::Value;

use crate::derive::Date;
use crate::diagnostic::{Diagnostics, did_you_mean};
use crate::load::{
    Cycle, OneOrMany, PersonSpec, SourceFile, check_markdown, opt_scalar_text, read_yaml,
    resolve_member, typed,
};
use crate::model::{
    ActionPoint, Attendee, Body, CaseItem, Meeting, Minutes, MinutesItem, MinutesStatus, Person,
    Role,
};

/// The minutes file in a meeting's folder.
pub const MINUTES_FILE: &str = "minutes.yaml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MinutesFile {
    status: MinutesStatus,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    sent: Option<String>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    comments_by: Option<String>,
    #[serde(default)]
    approved: Option<ApprovedFile>,
    #[serde(default)]
    chair: Option<String>,
    #[serde(default)]
    minute_taker: Option<PersonSpec>,
    #[serde(default)]
    present: Option<Vec<String>>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    others_present: Vec<PersonSpec>,
    #[serde(default)]
    present_for: Vec<Value>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    items: Vec<Value>,
    #[serde(default)]
    actions: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApprovedFile {
    #[serde(deserialize_with = "crate::load::scalar_text")]
    date: String,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    meeting: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartialFile {
    #[serde(default)]
    member: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    organisation: Option<String>,
    cases: OneOrMany,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemFile {
    #[serde(deserialize_with = "crate::load::scalar_text")]
    case: String,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    decision: Option<OneOrMany>,
    #[serde(default)]
    postponed: Option<String>,
    #[serde(default)]
    actions: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionFile {
    #[serde(default, deserialize_with = "opt_scalar_text")]
    id: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    owner: Option<PersonSpec>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    due: Option<String>,
    #[serde(default)]
    status: Option<ActionStatus>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ActionStatus {
    Open,
    Closed,
}

impl ActionStatus {
    fn name(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Closed => "closed",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ActionStatus::Open => "Åpen",
            ActionStatus::Closed => "Lukket",
        }
    }
}

/// The word that adopts the proposed decision as it stands.
const AS_PROPOSED: &str = "as_proposed";

/// Loads `minutes.yaml` of `meeting`, and applies its action points to the body's cycle.
pub(crate) fn load_minutes(
    path: &Path,
    meeting: &Meeting,
    date: Date,
    body: &Body,
    cycle: &mut Cycle,
    diags: &mut Diagnostics,
) -> Option<Minutes> {
    let (file, value) = read_yaml(path, diags)?;
    let raw: MinutesFile = typed(&file, "", value, diags)?;
    let errors_before = diags.error_count();

    let (mut sent_text, mut comments_by_text, mut approved_text, mut approved_meeting) =
        (None, None, None, None);
    match raw.status {
        MinutesStatus::Draft => {
            sent_text = raw
                .sent
                .as_deref()
                .and_then(|d| date_field(&file, "sent", d, Some(date), diags));
            comments_by_text = match raw.comments_by.as_deref() {
                Some(d) => date_field(&file, "comments_by", d, Some(date), diags),
                None => {
                    diags.push(
                        file.error("status", "draft minutes need a deadline for comments")
                            .hint("add `comments_by: YYYY-MM-DD`"),
                    );
                    None
                }
            };
            if raw.approved.is_some() {
                diags.push(
                    file.error("approved", "draft minutes are not approved yet")
                        .hint("set `status: final` when the minutes have been approved"),
                );
            }
        }
        MinutesStatus::Final => {
            match &raw.approved {
                Some(approved) => {
                    approved_text =
                        date_field(&file, "approved.date", &approved.date, Some(date), diags);
                    approved_meeting = approved.meeting.clone();
                }
                None => diags.push(
                    file.error("status", "final minutes must say when they were approved")
                        .hint("add `approved: { date: YYYY-MM-DD, meeting: N/YYYY }`"),
                ),
            }
            if raw.comments_by.is_some() {
                diags.push(file.warning(
                    "comments_by",
                    "the deadline for comments is not printed on final minutes",
                ));
            }
        }
    }

    let chair = match &raw.chair {
        Some(id) => resolve_member(&file, "chair", id, body, diags),
        None => meeting.chair.clone(),
    };
    let minute_taker = raw
        .minute_taker
        .and_then(|spec| resolve_person(&file, "minute_taker", spec, body, diags));
    let (present, absent) = attendance(
        &file,
        raw.present.as_deref(),
        &raw.absent,
        meeting,
        body,
        diags,
    );
    let others: Vec<Attendee> = raw
        .others_present
        .into_iter()
        .enumerate()
        .filter_map(|(i, spec)| {
            resolve_person(&file, &format!("others_present[{i}]"), spec, body, diags)
        })
        .map(|p| attendee(p, None, None, Vec::new()))
        .collect();
    let partial = partial_attendance(&file, raw.present_for, meeting, body, diags);
    if let Some(notes) = &raw.notes {
        check_markdown(&file, "notes", notes, diags);
    }

    let mut actions = Vec::new();
    let mut ctx = ActionContext {
        file: &file,
        meeting,
        body,
        cycle,
        raised: 0,
    };
    let items = minutes_items(&mut ctx, raw.items, &mut actions, diags);
    for (i, value) in raw.actions.into_iter().enumerate() {
        actions.extend(ctx.action(&format!("actions[{i}]"), value, None, diags));
    }
    cycle.closed_last = actions
        .iter()
        .filter(|a| a.status == "closed")
        .map(|a| a.id.clone())
        .collect();

    if diags.error_count() > errors_before {
        return None;
    }
    Some(Minutes {
        status: raw.status,
        sent_text,
        comments_by_text,
        approved_text,
        approved_meeting,
        minute_taker,
        chair,
        present,
        absent,
        others,
        partial,
        items,
        notes: raw.notes,
        actions,
    })
}

/// Parses a date field; when `not_before` is given, warns if the date lies before it.
fn date_field(
    file: &SourceFile,
    field: &str,
    text: &str,
    not_before: Option<Date>,
    diags: &mut Diagnostics,
) -> Option<String> {
    let Some(date) = Date::parse(text) else {
        diags.push(
            file.error(field, format!("`{text}` is not a valid date"))
                .hint("write the date as YYYY-MM-DD"),
        );
        return None;
    };
    if let Some(meeting) = not_before {
        if date < meeting {
            diags.push(file.warning(
                field,
                format!(
                    "{} is before the meeting itself ({})",
                    date.norwegian(),
                    meeting.norwegian()
                ),
            ));
        }
    }
    Some(date.norwegian())
}

fn attendee(
    person: Person,
    role_label: Option<String>,
    substitute_for: Option<String>,
    cases: Vec<String>,
) -> Attendee {
    Attendee {
        name: person.name,
        organisation: person.organisation,
        role_label,
        substitute_for,
        cases,
    }
}

/// A member id or a guest `{ name, organisation }`.
fn resolve_person(
    file: &SourceFile,
    field: &str,
    spec: PersonSpec,
    body: &Body,
    diags: &mut Diagnostics,
) -> Option<Person> {
    match spec {
        PersonSpec::Id(id) => resolve_member(file, field, &id, body, diags),
        PersonSpec::Guest { name, organisation } => Some(Person {
            name,
            organisation,
            member_id: None,
        }),
    }
}

/// Present and absent, derived from the roster of the meeting.
///
/// Members neither listed under `absent` nor replaced by a substitute are present,
/// unless a `present` list is given: then members missing from it sent apologies.
/// The secretariat is listed as present only when named under `present`.
fn attendance(
    file: &SourceFile,
    present: Option<&[String]>,
    absent: &[String],
    meeting: &Meeting,
    body: &Body,
    diags: &mut Diagnostics,
) -> (Vec<Attendee>, Vec<Attendee>) {
    // Unknown ids are reported; the roster decides who is listed.
    for (i, id) in present.unwrap_or_default().iter().enumerate() {
        resolve_member(file, &format!("present[{i}]"), id, body, diags);
    }
    for (i, id) in absent.iter().enumerate() {
        resolve_member(file, &format!("absent[{i}]"), id, body, diags);
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
    let mut present_list = Vec::new();
    let mut absent_list = Vec::new();
    for seat in &meeting.roster {
        let id = seat.member_id.as_str();
        let in_present = present.is_some_and(|p| p.iter().any(|x| x == id));
        let in_absent = absent.iter().any(|x| x == id);
        let person = Person {
            name: seat.name.clone(),
            organisation: seat.organisation.clone(),
            member_id: None,
        };
        let label = Some(seat.role_label.clone());
        if seat.substitute_for.is_some() {
            if in_present {
                if let Some(i) = present.unwrap_or_default().iter().position(|x| x == id) {
                    diags.push(file.warning(
                        &format!("present[{i}]"),
                        format!("`{id}` has a substitute at this meeting ({}), who is listed as present", seat.name),
                    ));
                }
            }
            present_list.push(attendee(
                person,
                label,
                seat.substitute_for.clone(),
                Vec::new(),
            ));
        } else if in_absent {
            absent_list.push(attendee(person, label, None, Vec::new()));
        } else if seat.role == Role::Secretariat {
            if in_present {
                present_list.push(attendee(person, label, None, Vec::new()));
            }
        } else if present.is_none() || in_present {
            present_list.push(attendee(person, label, None, Vec::new()));
        } else {
            absent_list.push(attendee(person, label, None, Vec::new()));
        }
    }
    (present_list, absent_list)
}

/// People present for some items only (*Til stede på sak*).
fn partial_attendance(
    file: &SourceFile,
    entries: Vec<Value>,
    meeting: &Meeting,
    body: &Body,
    diags: &mut Diagnostics,
) -> Vec<Attendee> {
    let mut out = Vec::new();
    for (i, value) in entries.into_iter().enumerate() {
        let field = format!("present_for[{i}]");
        let Some(entry) = typed::<PartialFile>(file, &field, value, diags) else {
            continue;
        };
        let person = match (entry.member, entry.name) {
            (Some(id), None) => resolve_member(file, &format!("{field}.member"), &id, body, diags),
            (None, Some(name)) => Some(Person {
                name,
                organisation: entry.organisation,
                member_id: None,
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
        // A case not on this agenda is kept (the minutes may name an item the
        // agenda in the content lacks) but reported.
        let cases: Vec<String> = entry
            .cases
            .into_vec()
            .into_iter()
            .enumerate()
            .map(|(j, case)| {
                let case = case.trim().to_owned();
                if !meeting.cases().any(|c| c.case == case) {
                    let numbers: Vec<&str> = meeting.cases().map(|c| c.case.as_str()).collect();
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
            .collect();
        if let Some(person) = person {
            out.push(attendee(person, None, None, cases));
        }
    }
    out
}

/// Finds a case on the meeting's agenda, reporting an unknown number.
fn agenda_case<'m>(
    file: &SourceFile,
    field: &str,
    case: &str,
    meeting: &'m Meeting,
    diags: &mut Diagnostics,
) -> Option<&'m CaseItem> {
    let found = meeting.cases().find(|c| c.case == case.trim());
    if found.is_none() {
        let numbers: Vec<&str> = meeting.cases().map(|c| c.case.as_str()).collect();
        let mut diag = file.error(
            field,
            format!(
                "case {case} is not on the agenda of meeting {}",
                meeting.number
            ),
        );
        diag = match did_you_mean(case, numbers.iter().copied()) {
            Some(best) => diag.hint(format!("did you mean {best}?")),
            None => diag.hint(format!("the agenda has {}", numbers.join(", "))),
        };
        diags.push(diag);
    }
    found
}

/// One entry per case of the agenda, in agenda order, with what the minutes say of it.
fn minutes_items(
    ctx: &mut ActionContext<'_>,
    entries: Vec<Value>,
    actions: &mut Vec<ActionPoint>,
    diags: &mut Diagnostics,
) -> Vec<MinutesItem> {
    let file = ctx.file;
    let meeting = ctx.meeting;
    let mut recorded: Vec<(String, MinutesItem)> = Vec::new();
    for (i, value) in entries.into_iter().enumerate() {
        let field = format!("items[{i}]");
        let Some(entry) = typed::<ItemFile>(file, &field, value, diags) else {
            continue;
        };
        let Some(case) = agenda_case(file, &format!("{field}.case"), &entry.case, meeting, diags)
        else {
            continue;
        };
        if recorded.iter().any(|(c, _)| *c == case.case) {
            diags.push(file.error(
                &format!("{field}.case"),
                format!("case {} is recorded twice in these minutes", case.case),
            ));
            continue;
        }
        if let Some(notes) = &entry.notes {
            check_markdown(file, &format!("{field}.notes"), notes, diags);
        }
        let postponed = entry.postponed.or_else(|| case.postponed.clone());
        let (decisions, amended) = match entry.decision {
            Some(OneOrMany::One(text)) if text.trim() == AS_PROPOSED => {
                if case.decisions.is_empty() {
                    diags.push(
                        file.error(
                            &format!("{field}.decision"),
                            format!("case {} has no proposed decision to adopt", case.case),
                        )
                        .hint("write the decision as adopted"),
                    );
                }
                (case.decisions.clone(), false)
            }
            Some(decision) => {
                let list = decision.into_vec();
                for (j, d) in list.iter().enumerate() {
                    if d.trim().is_empty() {
                        diags.push(
                            file.error(&format!("{field}.decision[{j}]"), "the decision is empty"),
                        );
                    }
                }
                let amended = !case.decisions.is_empty() && list != case.decisions;
                (list, amended)
            }
            None => {
                if postponed.is_none() && !case.decisions.is_empty() {
                    diags.push(
                        file.warning(&format!("{field}"), format!("no decision recorded for case {}", case.case))
                            .hint("write `decision: as_proposed` to adopt the proposed decision, or the decision as adopted"),
                    );
                }
                (Vec::new(), false)
            }
        };
        let mut item_actions = Vec::new();
        for (j, value) in entry.actions.into_iter().enumerate() {
            item_actions.extend(ctx.action(
                &format!("{field}.actions[{j}]"),
                value,
                Some(&case.case),
                diags,
            ));
        }
        actions.extend(item_actions.iter().cloned());
        recorded.push((
            case.case.clone(),
            MinutesItem {
                case: case.case.clone(),
                title: case.title.clone(),
                kind: case.kind.clone(),
                presenter_text: case.presenter_text.clone(),
                notes: entry.notes,
                decisions,
                amended,
                postponed,
                actions: item_actions,
            },
        ));
    }
    meeting
        .cases()
        .map(
            |case| match recorded.iter().position(|(c, _)| *c == case.case) {
                Some(i) => recorded.swap_remove(i).1,
                None => {
                    if case.postponed.is_none() && !case.decisions.is_empty() {
                        diags.push(
                            file.warning(
                                "items",
                                format!("the minutes say nothing about case {}", case.case),
                            )
                            .hint(format!(
                                "add `- case: {}` with its `decision` under `items`",
                                case.case
                            )),
                        );
                    }
                    MinutesItem {
                        case: case.case.clone(),
                        title: case.title.clone(),
                        kind: case.kind.clone(),
                        presenter_text: case.presenter_text.clone(),
                        notes: None,
                        decisions: Vec::new(),
                        amended: false,
                        postponed: case.postponed.clone(),
                        actions: Vec::new(),
                    }
                }
            },
        )
        .collect()
}

/// What recording action points needs.
struct ActionContext<'a> {
    file: &'a SourceFile,
    meeting: &'a Meeting,
    body: &'a Body,
    cycle: &'a mut Cycle,
    /// Action points raised so far in these minutes, for numbering.
    raised: usize,
}

impl ActionContext<'_> {
    /// Records one action point: a new one, or an update of one raised earlier.
    fn action(
        &mut self,
        field: &str,
        value: Value,
        case: Option<&str>,
        diags: &mut Diagnostics,
    ) -> Option<ActionPoint> {
        let file = self.file;
        let entry = typed::<ActionFile>(file, field, value, diags)?;
        let errors_before = diags.error_count();
        let owner = entry
            .owner
            .and_then(|spec| {
                resolve_person(file, &format!("{field}.owner"), spec, self.body, diags)
            })
            .map(|p| p.name);
        let due = entry.due.as_deref().and_then(|d| {
            let parsed = Date::parse(d);
            if parsed.is_none() {
                diags.push(
                    file.error(
                        &format!("{field}.due"),
                        format!("`{d}` is not a valid date"),
                    )
                    .hint("write the date as YYYY-MM-DD"),
                );
            }
            parsed
        });
        let existing = entry
            .id
            .as_deref()
            .and_then(|id| self.cycle.actions.iter().position(|a| a.id == id));
        if diags.error_count() > errors_before {
            return None;
        }
        let point = match existing {
            Some(index) => {
                let point = &mut self.cycle.actions[index];
                if let Some(text) = entry.text {
                    point.text = text;
                }
                if owner.is_some() {
                    point.owner = owner;
                }
                if let Some(due) = due {
                    point.due = Some(format!("{:04}-{:02}-{:02}", due.year, due.month, due.day));
                    point.due_text = Some(due.norwegian());
                }
                if let Some(status) = entry.status {
                    point.status = status.name().to_owned();
                    point.status_label = status.label().to_owned();
                }
                if entry.note.is_some() {
                    point.note = entry.note;
                }
                point.overdue = false;
                point.clone()
            }
            None => {
                let Some(text) = entry.text else {
                    let mut diag = match &entry.id {
                        Some(id) => file.error(&format!("{field}.id"), format!("no earlier action point has the id `{id}`, and this one has no `text`")),
                        None => file.error(field, "missing required field `text`"),
                    };
                    if let Some(id) = &entry.id {
                        if let Some(best) =
                            did_you_mean(id, self.cycle.actions.iter().map(|a| a.id.as_str()))
                        {
                            diag = diag.hint(format!("did you mean `{best}`?"));
                        } else {
                            diag = diag.hint("a new action point needs `text`; an update names the `id` of one raised earlier");
                        }
                    }
                    diags.push(diag);
                    return None;
                };
                self.raised += 1;
                let id = entry
                    .id
                    .unwrap_or_else(|| format!("{}-{}", self.meeting.number, self.raised));
                let status = entry.status.unwrap_or(ActionStatus::Open);
                let point = ActionPoint {
                    id,
                    text,
                    owner,
                    due: due.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
                    due_text: due.map(Date::norwegian),
                    status: status.name().to_owned(),
                    status_label: status.label().to_owned(),
                    overdue: false,
                    case: case.map(str::to_owned),
                    raised_in: self.meeting.number.clone(),
                    note: entry.note,
                };
                self.cycle.actions.push(point.clone());
                point
            }
        };
        Some(point)
    }
}

/// The action points reported at a meeting on `date`: every one still open after
/// earlier minutes, then those the latest minutes closed. Open ones past their
/// due date are marked overdue.
pub(crate) fn action_status(cycle: &Cycle, date: Option<Date>) -> Vec<ActionPoint> {
    let mut open: Vec<ActionPoint> = Vec::new();
    let mut closed: Vec<ActionPoint> = Vec::new();
    for point in &cycle.actions {
        if point.status == "open" {
            let mut point = point.clone();
            point.overdue = match (point.due.as_deref().and_then(Date::parse), date) {
                (Some(due), Some(date)) => due < date,
                _ => false,
            };
            open.push(point);
        } else if cycle.closed_last.contains(&point.id) {
            closed.push(point.clone());
        }
    }
    open.extend(closed);
    open
}
