//! View stage: the model turned into the template context, with the words and
//! formulaic phrases of `templates/labels.yaml` applied.
//!
//! The context keeps the field names (and values) templates have always seen:
//! `meeting.date_text`, `item.case`, `a.status_label` and so on. Print forms
//! live here, not in the model: Norwegian dates, clock times, role, kind and
//! status labels.

mod agenda;
mod labels;
mod minutes;
mod previous;
mod words;

use minijinja::{Value, context};
use serde::Serialize;

pub use labels::{LABELS_FILE, Labels, Phrases};
pub use previous::previous_minutes;

use agenda::{RowView, case_view, row_view};

use crate::derive;
use crate::model::{
    ActionPoint, ActionStatus, AgendaRow, Attendee, Body, CaseItem, Clock, Meeting, MeetingStatus,
    Member, Minutes, MinutesItem, MinutesStatus, Person, Project, Restriction, RestrictionKind,
    Role, RosterEntry, Standing,
};

/// The template context of one document: `body`, `meeting`, `item` (the case
/// of a case paper, else none), `case_numbers` and `labels` (the fixed words
/// of the body's language).
pub fn job_context(
    project: &Project,
    labels: &Labels,
    body: usize,
    meeting: usize,
    row: Option<usize>,
) -> Value {
    let shared = meeting_context(project, labels, body, meeting);
    document_context(&shared, item_context(project, labels, body, meeting, row))
}

/// The part of [`job_context`] that every document of one meeting shares:
/// made once per meeting in a build.
#[derive(Debug, Clone)]
pub struct MeetingContext {
    body: Value,
    meeting: Value,
    case_numbers: Value,
    labels: Value,
}

impl MeetingContext {
    /// Its values, in a fixed order (for hashing).
    pub fn values(&self) -> [&Value; 4] {
        [&self.body, &self.meeting, &self.case_numbers, &self.labels]
    }
}

/// The context every document of meeting `meeting` of body `body` shares.
pub fn meeting_context(
    project: &Project,
    labels: &Labels,
    body: usize,
    meeting: usize,
) -> MeetingContext {
    let content = &project.bodies[body];
    let meeting = &content.meetings[meeting];
    let body = &content.body;
    let labels = labels.for_language(body.language);
    let case_numbers: Vec<String> = meeting.cases().map(|c| c.case.to_string()).collect();
    MeetingContext {
        body: Value::from_serialize(body_view(labels, body)),
        meeting: Value::from_serialize(meeting_view(labels, body, meeting)),
        case_numbers: Value::from(case_numbers),
        labels: Value::from_serialize(labels.template_words()),
    }
}

/// The `item` of [`job_context`]: the case of agenda row `row`, or none.
pub fn item_context(
    project: &Project,
    labels: &Labels,
    body: usize,
    meeting: usize,
    row: Option<usize>,
) -> Value {
    let content = &project.bodies[body];
    let meeting = &content.meetings[meeting];
    let body = &content.body;
    let labels = labels.for_language(body.language);
    row.and_then(|r| match meeting.agenda.get(r)? {
        AgendaRow::Case(item) => Some(item),
        AgendaRow::Break(_) => None,
    })
    .map(|item| {
        let phrases = Phrases::new(labels, body, meeting);
        Value::from_serialize(case_view(labels, &phrases, meeting, item))
    })
    .unwrap_or(Value::from(()))
}

/// A document's context from its meeting's shared part and its `item`.
pub fn document_context(shared: &MeetingContext, item: Value) -> Value {
    context! {
        body => shared.body.clone(),
        meeting => shared.meeting.clone(),
        item => item,
        case_numbers => shared.case_numbers.clone(),
        labels => shared.labels.clone(),
    }
}

/// The name of a meeting status as the archive index gives it (`planned`, `sent`).
pub fn meeting_status_name(status: MeetingStatus) -> &'static str {
    match status {
        MeetingStatus::Planned => "planned",
        MeetingStatus::Sent => "sent",
    }
}

/// The name of a restriction as the archive index gives it (`exempt`, `closed`).
pub fn restriction_name(kind: RestrictionKind) -> &'static str {
    match kind {
        RestrictionKind::Exempt => "exempt",
        RestrictionKind::Closed => "closed",
    }
}

/// How a restricted item is marked: `Unntatt offentlighet, Offl. § 13`.
pub fn restriction_label(labels: &Labels, restriction: &Restriction) -> String {
    let mark = labels.restriction(restriction.kind);
    match &restriction.basis {
        Some(basis) => format!("{mark}, {basis}"),
        None => mark.to_owned(),
    }
}

/// A restricted item or meeting in the template context.
#[derive(Serialize)]
struct RestrictionView<'a> {
    kind: &'static str,
    basis: Option<&'a str>,
    label: String,
    notice: &'a str,
}

fn restriction_view<'a>(labels: &'a Labels, r: &'a Restriction) -> RestrictionView<'a> {
    RestrictionView {
        kind: restriction_name(r.kind),
        basis: r.basis.as_deref(),
        label: restriction_label(labels, r),
        notice: labels.withheld_notice(r.kind),
    }
}

/// The name of a minutes status as the archive index gives it (`draft`, `final`).
pub fn minutes_status_name(status: MinutesStatus) -> &'static str {
    match status {
        MinutesStatus::Draft => "draft",
        MinutesStatus::Final => "final",
    }
}

#[derive(Serialize)]
struct BodyView<'a> {
    id: &'a str,
    name: &'a str,
    short_name: &'a str,
    organisation: &'a str,
    footer: Option<&'a str>,
    members: Vec<MemberView<'a>>,
    logo: Option<LogoView<'a>>,
    colours: ColoursView<'a>,
    letterhead: &'a [String],
}

/// A body's logo: the path `image(…)` reads it from, and its alt text.
#[derive(Serialize)]
struct LogoView<'a> {
    path: &'a str,
    alt: &'a str,
}

/// The house colours, `#rrggbb`: the body's, else the built-in ones.
#[derive(Serialize)]
struct ColoursView<'a> {
    primary: &'a str,
    accent: &'a str,
}

#[derive(Serialize)]
struct MemberView<'a> {
    id: &'a str,
    name: &'a str,
    title: Option<&'a str>,
    organisation: Option<&'a str>,
    role: &'static str,
    role_label: String,
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Leader => "leader",
        Role::Member => "member",
        Role::Observer => "observer",
        Role::Secretariat => "secretariat",
        Role::DeputyLeader => "deputy_leader",
        Role::Deputy => "deputy",
    }
}

fn role_label(labels: &Labels, role: Role, written: Option<&str>) -> String {
    written.unwrap_or_else(|| labels.role(role)).to_owned()
}

fn body_view<'a>(labels: &Labels, body: &'a Body) -> BodyView<'a> {
    let member = |m: &'a Member| MemberView {
        id: &m.id,
        name: &m.name,
        title: m.title.as_deref(),
        organisation: m.organisation.as_deref(),
        role: role_name(m.role),
        role_label: role_label(labels, m.role, m.role_label.as_deref()),
    };
    BodyView {
        id: &body.id,
        name: &body.name,
        short_name: &body.short_name,
        organisation: &body.organisation,
        footer: body.footer.as_deref(),
        members: body.members.iter().map(member).collect(),
        logo: body.branding.logo.as_ref().map(|logo| LogoView {
            path: &logo.file.path,
            alt: &logo.alt,
        }),
        colours: ColoursView {
            primary: body
                .branding
                .primary
                .as_deref()
                .unwrap_or(crate::model::DEFAULT_PRIMARY),
            accent: body
                .branding
                .accent
                .as_deref()
                .unwrap_or(crate::model::DEFAULT_ACCENT),
        },
        letterhead: &body.branding.letterhead,
    }
}

#[derive(Serialize)]
struct MeetingView<'a> {
    slug: &'a str,
    number: String,
    date: String,
    ymd: (i32, u8, u8),
    date_text: String,
    weekday: &'a str,
    start: String,
    end: String,
    timed: bool,
    span_text: Option<String>,
    written_title: Option<&'a str>,
    place: &'a str,
    video_link: Option<&'a str>,
    chair: Option<PersonView<'a>>,
    title: String,
    previous_meeting_date: Option<String>,
    previous_meeting_number: Option<&'a str>,
    order_note: Option<&'a str>,
    notes: Option<&'a str>,
    roster: Vec<RosterView<'a>>,
    agenda: Vec<RowView<'a>>,
    action_status: Vec<ActionView<'a>>,
    minutes: Option<MinutesView<'a>>,
    status: &'static str,
    closed: Option<RestrictionView<'a>>,
    exempt_papers: bool,
}

fn clock_text(clock: Option<Clock>) -> String {
    clock.map(|c| c.to_string()).unwrap_or_default()
}

fn meeting_view<'a>(labels: &'a Labels, body: &Body, meeting: &'a Meeting) -> MeetingView<'a> {
    let date = meeting.date;
    let phrases = Phrases::new(labels, body, meeting);
    MeetingView {
        slug: &meeting.slug,
        number: meeting.number.to_string(),
        date: date.to_string(),
        ymd: (date.year, date.month, date.day),
        date_text: labels.date(date),
        weekday: labels.weekday(date),
        start: clock_text(meeting.start),
        end: clock_text(meeting.end),
        timed: meeting.timed(),
        span_text: meeting.span.map(|(start, end)| format!("{start}–{end}")),
        written_title: meeting.title.as_deref(),
        place: &meeting.place,
        video_link: meeting.video_link.as_deref(),
        chair: meeting.chair.as_ref().map(person_view),
        title: meeting
            .title
            .clone()
            .unwrap_or_else(|| labels.meeting_title(body)),
        previous_meeting_date: meeting.previous.as_ref().map(|p| labels.date(p.date)),
        previous_meeting_number: meeting.previous.as_ref().and_then(|p| p.number.as_deref()),
        order_note: meeting.order_note.as_deref(),
        notes: meeting.notes.as_deref(),
        roster: meeting
            .roster
            .iter()
            .map(|r| roster_view(labels, r))
            .collect(),
        agenda: meeting
            .agenda
            .iter()
            .map(|row| row_view(labels, &phrases, meeting, row))
            .collect(),
        action_status: meeting
            .action_status
            .iter()
            .map(|a| action_view(labels, a))
            .collect(),
        minutes: meeting
            .minutes
            .as_ref()
            .map(|m| minutes_view(labels, &phrases, meeting, m)),
        status: meeting_status_name(meeting.status),
        closed: meeting.closed.as_ref().map(|r| restriction_view(labels, r)),
        exempt_papers: meeting.cases().any(|c| {
            !c.withheld
                && c.has_document()
                && c.restriction
                    .as_ref()
                    .is_some_and(|r| r.kind == RestrictionKind::Exempt)
        }),
    }
}

#[derive(Serialize)]
struct PersonView<'a> {
    name: &'a str,
    organisation: Option<&'a str>,
    member_id: Option<&'a str>,
    title: Option<&'a str>,
}

fn person_view(person: &Person) -> PersonView<'_> {
    PersonView {
        name: &person.name,
        organisation: person.organisation.as_deref(),
        member_id: person.member_id.as_deref(),
        title: person.title.as_deref(),
    }
}

#[derive(Serialize)]
struct RosterView<'a> {
    member_id: &'a str,
    name: &'a str,
    title: Option<&'a str>,
    organisation: Option<&'a str>,
    role_label: String,
    role: &'static str,
    substitute_for: Option<&'a str>,
    deputy_for: Option<String>,
}

fn roster_view<'a>(labels: &Labels, entry: &'a RosterEntry) -> RosterView<'a> {
    RosterView {
        member_id: &entry.member_id,
        name: &entry.name,
        title: entry.title.as_deref(),
        organisation: entry.organisation.as_deref(),
        role_label: role_label(labels, entry.role, entry.role_label.as_deref()),
        role: role_name(entry.role),
        substitute_for: entry.substitute_for.as_deref(),
        deputy_for: minutes::roster_deputy_for(labels.protocol(), entry),
    }
}

#[derive(Serialize)]
struct ActionView<'a> {
    id: &'a str,
    text: &'a str,
    owner: Option<&'a str>,
    due: Option<String>,
    due_text: Option<String>,
    status: &'static str,
    status_label: &'a str,
    overdue: bool,
    case: Option<String>,
    raised_in: String,
    note: Option<&'a str>,
}

fn action_view<'a>(labels: &'a Labels, point: &'a ActionPoint) -> ActionView<'a> {
    ActionView {
        id: &point.id,
        text: &point.text,
        owner: point.owner.as_deref(),
        due: point.due.map(|d| d.to_string()),
        due_text: point.due.map(|d| labels.date(d)),
        status: match point.status {
            ActionStatus::Open => "open",
            ActionStatus::Closed => "closed",
        },
        status_label: labels.action_status(point.status),
        overdue: point.overdue,
        case: point.case.map(|c| c.to_string()),
        raised_in: point.raised_in.to_string(),
        note: point.note.as_deref(),
    }
}

#[derive(Serialize)]
struct MinutesView<'a> {
    status: &'static str,
    sent_text: Option<String>,
    comments_by_text: Option<String>,
    approved_text: Option<String>,
    approved_meeting: Option<&'a str>,
    minute_taker: Option<PersonView<'a>>,
    chair: Option<PersonView<'a>>,
    present: Vec<AttendeeView<'a>>,
    absent: Vec<AttendeeView<'a>>,
    others: Vec<AttendeeView<'a>>,
    partial: Vec<AttendeeView<'a>>,
    items: Vec<MinutesItemView<'a>>,
    notes: Option<&'a str>,
    actions: Vec<ActionView<'a>>,
    #[serde(flatten)]
    frame: minutes::FrameView,
}

fn minutes_view<'a>(
    labels: &'a Labels,
    phrases: &Phrases<'_>,
    meeting: &'a Meeting,
    m: &'a Minutes,
) -> MinutesView<'a> {
    let attendees = |list: &'a [Attendee]| -> Vec<AttendeeView<'a>> {
        list.iter().map(|a| attendee_view(labels, a)).collect()
    };
    MinutesView {
        status: minutes_status_name(m.status),
        sent_text: m.sent.map(|d| labels.date(d)),
        comments_by_text: m.comments_by.map(|d| labels.date(d)),
        approved_text: m.approved.map(|d| labels.date(d)),
        approved_meeting: m.approved_meeting.as_deref(),
        minute_taker: m.minute_taker.as_ref().map(person_view),
        chair: m.chair.as_ref().map(person_view),
        present: attendees(&m.present),
        absent: attendees(&m.absent),
        others: attendees(&m.others),
        partial: attendees(&m.partial),
        items: m
            .items
            .iter()
            .map(|i| minutes_item_view(labels, phrases, meeting, i))
            .collect(),
        notes: m.notes.as_deref(),
        actions: m.actions.iter().map(|a| action_view(labels, a)).collect(),
        frame: minutes::frame_view(labels.protocol(), m.approved.map(|d| labels.date(d)), m),
    }
}

#[derive(Serialize)]
struct AttendeeView<'a> {
    name: &'a str,
    organisation: Option<&'a str>,
    role_label: Option<String>,
    substitute_for: Option<&'a str>,
    deputy_for: Option<String>,
    title: Option<&'a str>,
    cases: &'a [String],
}

fn attendee_view<'a>(labels: &Labels, a: &'a Attendee) -> AttendeeView<'a> {
    AttendeeView {
        name: &a.name,
        organisation: a.organisation.as_deref(),
        role_label: a
            .role
            .map(|r| role_label(labels, r, a.role_label.as_deref())),
        substitute_for: a.substitute_for.as_deref(),
        deputy_for: minutes::deputy_for(labels.protocol(), a),
        title: a.title.as_deref(),
        cases: &a.cases,
    }
}

#[derive(Serialize)]
struct MinutesItemView<'a> {
    case: String,
    title: String,
    kind: Option<&'a str>,
    presenter_text: String,
    notes: Option<&'a str>,
    decisions: Vec<String>,
    amended: bool,
    postponed: Option<&'a str>,
    actions: Vec<ActionView<'a>>,
    restriction: Option<RestrictionView<'a>>,
    withheld: bool,
    record: minutes::RecordView,
}

fn minutes_item_view<'a>(
    labels: &'a Labels,
    phrases: &Phrases<'_>,
    meeting: &'a Meeting,
    item: &'a MinutesItem,
) -> MinutesItemView<'a> {
    let case = meeting.case(item.case);
    let (decisions, amended) = case.map_or((Vec::new(), false), |c| phrases.adopted(c, item));
    MinutesItemView {
        case: item.case.to_string(),
        title: case.map_or_else(String::new, |c| phrases.title(c)),
        kind: case.and_then(|c| c.kind).map(|k| labels.kind(k)),
        presenter_text: case.map_or_else(String::new, |c| derive::presenter_text(&c.presenters)),
        notes: item.notes.as_deref(),
        decisions,
        amended,
        postponed: item.postponed.as_deref(),
        actions: item
            .actions
            .iter()
            .map(|a| action_view(labels, a))
            .collect(),
        restriction: case
            .and_then(|c| c.restriction.as_ref())
            .map(|r| restriction_view(labels, r)),
        withheld: case.is_some_and(|c| c.withheld),
        record: minutes::record_view(labels.protocol(), &item.record),
    }
}
