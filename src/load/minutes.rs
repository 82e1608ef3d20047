//! Load stage, minutes: `minutes.yaml` resolved against its meeting: status and
//! dates, attendance, what is recorded per case, and action points (which are
//! applied to the body's cycle).

use std::path::Path;

use serde_yaml_ng::Value;

use super::actions::ActionContext;
use super::approval::minutes_frame;
pub(crate) use super::attendance::MinutesContext;
use super::attendance::{attendance, others_present, partial_attendance};
use super::body::{resolve_member, resolve_person};
use super::cycle::Cycle;
use super::schema::{ItemFile, MinutesFile, MinutesStatusName, OneOrMany};
use super::source::{SourceFile, check_markdown, read_yaml, typed};
use super::votes::{RecordContext, RecordFile, item_record};
use crate::derive::{Date, norwegian_date};
use crate::diagnostic::{Diagnostics, did_you_mean};
use crate::model::{
    ActionPoint, ActionStatus, Adopted, CaseFormat, CaseItem, CaseNumber, ItemRecord, Minutes,
    MinutesItem, MinutesStatus, Person,
};

/// The word that adopts the proposed decision as it stands.
const AS_PROPOSED: &str = "as_proposed";

/// The dates printed on the minutes, by status.
#[derive(Default)]
struct StatusDates {
    sent: Option<Date>,
    comments_by: Option<Date>,
    approved: Option<Date>,
    approved_meeting: Option<String>,
}

/// Loads `minutes.yaml` of a meeting, and applies its action points to the body's cycle.
pub(crate) fn load_minutes(
    content_dir: &Path,
    path: &Path,
    ctx: &MinutesContext<'_>,
    cycle: &mut Cycle,
    diags: &mut Diagnostics,
) -> Option<Minutes> {
    let (file, value) = read_yaml(content_dir, path, diags)?;
    let raw: MinutesFile = typed(&file, "", value, diags)?;
    let errors_before = diags.error_count();
    let dates = status_dates(&file, &raw, ctx.date, diags);
    let complete = ctx.agenda_complete.then_some(ctx.meeting);
    super::approved::check_approved(&file, &raw, complete, diags);
    let chair = match &raw.chair {
        Some(id) => resolve_member(&file, "chair", id, ctx.body, diags),
        None => ctx.meeting.chair.clone(),
    };
    let frame = minutes_frame(&file, &raw, chair.as_ref(), ctx.body, diags);
    let minute_taker = raw
        .minute_taker
        .and_then(|spec| resolve_person(&file, "minute_taker", spec, ctx.body, diags));
    let attended = attendance(&file, raw.present.as_deref(), &raw.absent, ctx, diags);
    let others = others_present(&file, raw.others_present, &attended.present, ctx, diags);
    let partial = partial_attendance(&file, raw.present_for, ctx, diags);
    if let Some(notes) = &raw.notes {
        check_markdown(&file, "notes", notes, diags);
    }
    let mut actions = Vec::new();
    let mut recorder = ActionContext::new(&file, ctx.meeting, ctx.body, cycle);
    let items = minutes_items(
        &mut recorder,
        ctx,
        &attended.voting,
        raw.items,
        &mut actions,
        diags,
    );
    for (i, value) in raw.actions.into_iter().enumerate() {
        actions.extend(recorder.action(&format!("actions[{i}]"), value, None, diags));
    }
    cycle.closed_last = actions
        .iter()
        .filter(|a| a.status == ActionStatus::Closed)
        .map(|a| a.id.clone())
        .collect();
    if diags.error_count() > errors_before {
        return None;
    }
    Some(Minutes {
        status: match raw.status {
            MinutesStatusName::Draft => MinutesStatus::Draft,
            MinutesStatusName::Final => MinutesStatus::Final,
        },
        sent: dates.sent,
        comments_by: dates.comments_by,
        approved: dates.approved,
        approved_meeting: dates.approved_meeting,
        minute_taker,
        chair,
        present: attended.present,
        absent: attended.absent,
        others,
        partial,
        items,
        notes: raw.notes,
        actions,
        opened: frame.opened,
        closed: frame.closed,
        approved_by: frame.approved_by,
        approved_electronically: frame.approved_electronically,
        signatures: frame.signatures,
    })
}

/// The dates a draft (sent, comments by) or final minutes (approved) must give.
fn status_dates(
    file: &SourceFile,
    raw: &MinutesFile,
    date: Date,
    diags: &mut Diagnostics,
) -> StatusDates {
    let mut dates = StatusDates::default();
    match raw.status {
        MinutesStatusName::Draft => {
            dates.sent = raw
                .sent
                .as_deref()
                .and_then(|d| date_field(file, "sent", d, Some(date), diags));
            dates.comments_by = match raw.comments_by.as_deref() {
                Some(d) => date_field(file, "comments_by", d, Some(date), diags),
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
        MinutesStatusName::Final => {
            match &raw.approved {
                Some(approved) => {
                    dates.approved =
                        date_field(file, "approved.date", &approved.date, Some(date), diags);
                    dates.approved_meeting = approved.meeting.clone();
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
    dates
}

/// Parses a date field; when `not_before` is given, warns if the date lies before it.
fn date_field(
    file: &SourceFile,
    field: &str,
    text: &str,
    not_before: Option<Date>,
    diags: &mut Diagnostics,
) -> Option<Date> {
    let Some(date) = Date::parse(text) else {
        diags.push(
            file.error(field, format!("`{text}` is not a valid date"))
                .hint("write the date as YYYY-MM-DD"),
        );
        return None;
    };
    if let Some(meeting) = not_before
        && date < meeting
    {
        diags.push(file.warning(
            field,
            format!(
                "{} is before the meeting itself ({})",
                norwegian_date(date),
                norwegian_date(meeting)
            ),
        ));
    }
    Some(date)
}

/// Finds a case on the meeting's agenda, reporting an unknown number.
fn agenda_case<'m>(
    file: &SourceFile,
    field: &str,
    case: &str,
    ctx: &MinutesContext<'m>,
    diags: &mut Diagnostics,
) -> Option<&'m CaseItem> {
    let meeting = ctx.meeting;
    let number = parse_case(ctx, case);
    let found = number.and_then(|c| meeting.case(c));
    let unresolved = number.is_some_and(|c| ctx.unresolved.contains(&c));
    let format = &ctx.body.case_format;
    if number.is_none() && *format != CaseFormat::default() {
        diags.push(
            file.error(
                field,
                format!("`{case}` is not a case number in this body's form"),
            )
            .hint(format!(
                "the body's case_format writes case numbers such as `{}`",
                format.example()
            )),
        );
    } else if found.is_none() && ctx.agenda_complete && !unresolved {
        let numbers: Vec<String> = meeting.cases().map(|c| c.case.to_string()).collect();
        let mut diag = file.error(
            field,
            format!(
                "case {case} is not on the agenda of meeting {}",
                meeting.number
            ),
        );
        diag = match did_you_mean(case, numbers.iter().map(String::as_str)) {
            Some(best) => diag.hint(format!("did you mean {best}?")),
            None => diag.hint(format!("the agenda has {}", numbers.join(", "))),
        };
        diags.push(diag);
    }
    found
}

/// A case number as the minutes write it: in the body's format, with the
/// series prefix where the body has series (`PS 012/24`).
fn parse_case(ctx: &MinutesContext<'_>, case: &str) -> Option<CaseNumber> {
    (ctx.body.case_format)
        .parse(case.trim(), None, u32::MAX)
        .ok()
}

/// One entry per case of the agenda, in agenda order, with what the minutes say of it.
fn minutes_items(
    recorder: &mut ActionContext<'_>,
    ctx: &MinutesContext<'_>,
    voting: &[Person],
    entries: Vec<Value>,
    actions: &mut Vec<ActionPoint>,
    diags: &mut Diagnostics,
) -> Vec<MinutesItem> {
    let file = recorder.file;
    let mut recorded: Vec<(CaseNumber, MinutesItem)> = Vec::new();
    for (i, value) in entries.into_iter().enumerate() {
        let field = format!("items[{i}]");
        let Some(entry) = typed::<ItemFile>(file, &field, value, diags) else {
            continue;
        };
        let found = agenda_case(file, &format!("{field}.case"), &entry.case, ctx, diags);
        // A case whose agenda row has errors (or that is on no row) is checked
        // all the same, without what only its row knows, and its action points
        // are recorded: an error there hides nothing here and causes nothing later.
        let case = match found {
            Some(case) => Recorded::Agenda(case),
            None => match parse_case(ctx, &entry.case) {
                Some(number) => Recorded::NumberOnly(number),
                None => continue,
            },
        };
        let number = case.number();
        if recorded.iter().any(|(c, _)| *c == number) {
            diags.push(file.error(
                &format!("{field}.case"),
                format!("case {number} is recorded twice in these minutes"),
            ));
            continue;
        }
        let record = RecordContext {
            file,
            field: &field,
            case: number,
            voting,
            body: ctx.body,
        };
        let item = minutes_item(recorder, &record, entry, case, diags);
        actions.extend(item.actions.iter().cloned());
        recorded.push((number, item));
    }
    ctx.meeting
        .cases()
        .map(
            |case| match recorded.iter().position(|(c, _)| *c == case.case) {
                Some(i) => recorded.swap_remove(i).1,
                None => unrecorded_item(file, case, ctx.agenda_complete, diags),
            },
        )
        .collect()
}

/// The case a minutes entry records.
#[derive(Clone, Copy)]
enum Recorded<'m> {
    /// A case of the meeting's agenda.
    Agenda(&'m CaseItem),
    /// A case whose agenda row has errors, or that is on no row: only its
    /// number is known.
    NumberOnly(CaseNumber),
}

impl<'m> Recorded<'m> {
    fn number(self) -> CaseNumber {
        match self {
            Recorded::Agenda(case) => case.case,
            Recorded::NumberOnly(number) => number,
        }
    }

    fn item(self) -> Option<&'m CaseItem> {
        match self {
            Recorded::Agenda(case) => Some(case),
            Recorded::NumberOnly(_) => None,
        }
    }
}

/// What the minutes record for `case`, written at `field`.
fn minutes_item(
    recorder: &mut ActionContext<'_>,
    record: &RecordContext<'_>,
    entry: ItemFile,
    case: Recorded<'_>,
    diags: &mut Diagnostics,
) -> MinutesItem {
    let file = recorder.file;
    let field = record.field;
    let record = item_record(
        record,
        RecordFile {
            disqualified: entry.disqualified,
            proposals: entry.proposals,
            adopted: entry.adopted,
            votes: entry.votes,
            dissent: entry.dissent,
            remarks: entry.protocol_remarks,
        },
        diags,
    );
    if let Some(notes) = &entry.notes {
        check_markdown(file, &format!("{field}.notes"), notes, diags);
    }
    let postponed = entry
        .postponed
        .or_else(|| case.item().and_then(|c| c.postponed.clone()));
    let decision = adopted_decision(
        file,
        field,
        entry.decision,
        case,
        postponed.is_some(),
        diags,
    );
    let mut item_actions = Vec::new();
    for (j, value) in entry.actions.into_iter().enumerate() {
        item_actions.extend(recorder.action(
            &format!("{field}.actions[{j}]"),
            value,
            Some(case.number()),
            diags,
        ));
    }
    MinutesItem {
        case: case.number(),
        notes: entry.notes,
        decision,
        postponed,
        actions: item_actions,
        record,
    }
}

/// The decision as recorded. For a case whose agenda row has errors, what
/// depends on its proposed decision is not checked.
fn adopted_decision(
    file: &SourceFile,
    field: &str,
    written: Option<OneOrMany>,
    case: Recorded<'_>,
    postponed: bool,
    diags: &mut Diagnostics,
) -> Option<Adopted> {
    let has_proposal = case.item().map(CaseItem::has_proposal);
    match written {
        Some(OneOrMany::One(text)) if text.trim() == AS_PROPOSED => {
            if has_proposal == Some(false) {
                diags.push(
                    file.error(
                        &format!("{field}.decision"),
                        format!("case {} has no proposed decision to adopt", case.number()),
                    )
                    .hint("write the decision as adopted"),
                );
            }
            Some(Adopted::AsProposed)
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
            Some(Adopted::Written(list))
        }
        None => {
            if !postponed && has_proposal == Some(true) {
                diags.push(
                    file.warning(field, format!("no decision recorded for case {}", case.number()))
                        .hint("write `decision: as_proposed` to adopt the proposed decision, or the decision as adopted"),
                );
            }
            None
        }
    }
}

/// The entry of a case the minutes say nothing about (a warning unless it was
/// postponed or has no proposed decision).
fn unrecorded_item(
    file: &SourceFile,
    case: &CaseItem,
    agenda_complete: bool,
    diags: &mut Diagnostics,
) -> MinutesItem {
    if agenda_complete && case.postponed.is_none() && case.has_proposal() {
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
        case: case.case,
        notes: None,
        decision: None,
        postponed: case.postponed.clone(),
        actions: Vec::new(),
        record: ItemRecord::default(),
    }
}
