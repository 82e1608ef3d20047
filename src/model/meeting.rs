//! Model, meetings: a meeting resolved against its body, its roster and agenda.

use super::ActionPoint;
use super::{CaseNumber, Clock, Date, Kind, MeetingNumber, Minutes, Person, Role, Standing};

/// One seat of the roster as it applies to a meeting.
#[derive(Debug, Clone)]
pub struct RosterEntry {
    /// The member id of the seat.
    pub member_id: String,
    /// The person attending in this seat.
    pub name: String,
    /// Job title.
    pub title: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Role of the seat.
    pub role: Role,
    /// The body's own wording of the role, when it has one.
    pub role_label: Option<String>,
    /// When a substitute sits in: the name of the member replaced.
    pub substitute_for: Option<String>,
    /// Whether the substitute is a deputy on the roster (*varamedlem*).
    pub deputy: bool,
}

/// A case on the agenda.
#[derive(Debug, Clone)]
pub struct CaseItem {
    /// Case number.
    pub case: CaseNumber,
    /// Title on the agenda, when written (a standing item has a formulaic one).
    pub title: Option<String>,
    /// Title on the case paper, when written (defaults to the agenda title).
    pub paper_title: Option<String>,
    /// Heading of the proposed decision, when written.
    pub decision_heading: Option<String>,
    /// Kind, if any.
    pub kind: Option<Kind>,
    /// Standing item, if any.
    pub standing: Option<Standing>,
    /// Short description, Markdown.
    pub description: Option<String>,
    /// Presenters.
    pub presenters: Vec<Person>,
    /// Start time (midnight on an untimed agenda).
    pub start: Clock,
    /// Duration in minutes.
    pub duration: u32,
    /// Case paper body, Markdown.
    pub paper: Option<String>,
    /// The data blocks the paper places, in order (see [`crate::blocks`]).
    pub blocks: Vec<crate::blocks::Block>,
    /// The files the case paper shows and the documents attached to the item
    /// (boxed: most items have none, and a row stays small).
    pub assets: Box<super::Assets>,
    /// The proposed decision, if any.
    pub proposed: Option<Proposed>,
    /// Earlier proposed decisions, each under its heading, printed before
    /// the proposed one (`Forslag til vedtak` before `Justert forslag til
    /// vedtak`); empty for most items.
    pub earlier_decisions: Vec<DecisionBlock>,
    /// Postponement note.
    pub postponed: Option<String>,
    /// Whether, and on what legal basis, the item is exempt from public access
    /// or dealt with behind closed doors; `None` for a public item.
    pub restriction: Option<Restriction>,
    /// The title shown publicly when the item is restricted and its title is
    /// itself sensitive.
    pub public_title: Option<String>,
    /// Whether this is the public version of a restricted item: its paper,
    /// description, proposed decision (and minutes) have been taken out.
    pub withheld: bool,
    /// The case officer (*saksbehandler*).
    pub case_officer: Option<String>,
    /// The archive reference (*arkivsak*, `24/01234-5`).
    pub archive_ref: Option<String>,
}

impl CaseItem {
    /// An item with its number `case` (as `38/21`) and nothing else written,
    /// for tests to fill in.
    #[cfg(test)]
    pub(crate) fn bare(case: &str) -> CaseItem {
        CaseItem {
            case: CaseNumber::parse(case).expect("a case number"),
            title: None,
            paper_title: None,
            decision_heading: None,
            kind: None,
            standing: None,
            description: None,
            presenters: Vec::new(),
            start: Clock(0),
            duration: 0,
            paper: None,
            blocks: Vec::new(),
            assets: Box::default(),
            proposed: None,
            earlier_decisions: Vec::new(),
            postponed: None,
            restriction: None,
            public_title: None,
            withheld: false,
            case_officer: None,
            archive_ref: None,
        }
    }

    /// End time.
    pub fn end(&self) -> Clock {
        self.start.plus(self.duration)
    }

    /// The file-name form of the case number (`38-20`).
    pub fn slug(&self) -> String {
        self.case.slug()
    }

    /// Whether the item has a proposed decision (written or formulaic).
    pub fn has_proposal(&self) -> bool {
        match &self.proposed {
            Some(Proposed::Written(list)) => !list.is_empty(),
            Some(Proposed::Formula(_)) => true,
            None => false,
        }
    }

    /// Whether the item gets a case paper document of its own.
    pub fn has_document(&self) -> bool {
        self.withheld || self.paper.is_some() || self.has_proposal()
    }
}

/// Why an item (or a meeting) is not open to the public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restriction {
    /// Exempt from public access, or closed.
    pub kind: RestrictionKind,
    /// The legal basis as it prints (`Offl. § 13 jf. fvl. § 13`), when given.
    pub basis: Option<String>,
}

/// The two ways an item is kept from the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestrictionKind {
    /// Exempt from public access (*unntatt offentlighet*).
    Exempt,
    /// Dealt with in a closed meeting (*lukket møte*).
    Closed,
}

/// Whether a meeting's summons has gone out, so that it may be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingStatus {
    /// Being prepared: built for the secretariat, never published.
    Planned,
    /// The summons has been sent: published.
    Sent,
}

/// A proposed decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proposed {
    /// As written in content (several are numbered).
    Written(Vec<String>),
    /// The formulaic decision of a standing or information item.
    Formula(Formula),
}

/// A proposed decision under a heading of its own, which an item shows before
/// the one the meeting decides on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionBlock {
    /// The heading (`Forslag til vedtak`).
    pub heading: String,
    /// The decisions (numbered when several); one written over several lines
    /// is Markdown.
    pub decisions: Vec<String>,
}

/// The formulaic decisions (their wording is the view's, from the labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formula {
    /// The body approves the summons and agenda.
    ApproveSummons,
    /// The body approves the previous meeting's minutes.
    ApproveMinutes,
    /// The body takes the case as information.
    TakeNote,
}

/// A break on the agenda.
#[derive(Debug, Clone)]
pub struct Break {
    /// What prints (`Pause`), as written.
    pub label: String,
    /// Start time.
    pub start: Clock,
    /// Minutes.
    pub duration: u32,
}

/// One row of the agenda.
// A meeting has a handful of rows, so a case row's size is no concern: boxing
// it would cost every reader a level of indirection for a few bytes per break.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum AgendaRow {
    /// A case.
    Case(CaseItem),
    /// A break.
    Break(Break),
}

impl AgendaRow {
    /// The row's duration in minutes.
    pub fn duration(&self) -> u32 {
        match self {
            AgendaRow::Case(item) => item.duration,
            AgendaRow::Break(b) => b.duration,
        }
    }
}

/// The meeting whose minutes a meeting approves.
#[derive(Debug, Clone)]
pub struct Previous {
    /// Its date.
    pub date: Date,
    /// Its number, when known (as written, or the previous meeting's).
    pub number: Option<String>,
}

/// A meeting, resolved against its body.
#[derive(Debug, Clone)]
pub struct Meeting {
    /// The meeting folder's name (`2020-07`), its id within the body.
    pub slug: String,
    /// Meeting number.
    pub number: MeetingNumber,
    /// Date.
    pub date: Date,
    /// Start; `None` when the agenda is untimed.
    pub start: Option<Clock>,
    /// End (as planned, or where the agenda ends); `None` when untimed.
    pub end: Option<Clock>,
    /// Place.
    pub place: String,
    /// Video link.
    pub video_link: Option<String>,
    /// The chair.
    pub chair: Option<Person>,
    /// Title, when written (the view words the default one).
    pub title: Option<String>,
    /// The meeting whose minutes this one approves, when known.
    pub previous: Option<Previous>,
    /// Note on the agenda, such as a changed order.
    pub order_note: Option<String>,
    /// Practical information, Markdown.
    pub notes: Option<String>,
    /// Roster for this meeting, substitutes in place.
    pub roster: Vec<RosterEntry>,
    /// The agenda.
    pub agenda: Vec<AgendaRow>,
    /// Start and end of a meeting whose agenda has no clock times (it gives
    /// both, and no row has a duration).
    pub span: Option<(Clock, Clock)>,
    /// Action points reported on at this meeting (*Status aksjonspunkt*): those
    /// still open after earlier minutes, and those the latest minutes closed.
    pub action_status: Vec<ActionPoint>,
    /// The minutes, once written.
    pub minutes: Option<Minutes>,
    /// Planned or sent.
    pub status: MeetingStatus,
    /// When the whole meeting is closed: why (its items are closed too).
    pub closed: Option<Restriction>,
}

impl Meeting {
    /// The case items in agenda order.
    pub fn cases(&self) -> impl Iterator<Item = &CaseItem> {
        self.agenda.iter().filter_map(|row| match row {
            AgendaRow::Case(item) => Some(item),
            AgendaRow::Break(_) => None,
        })
    }

    /// The case item numbered `case`.
    pub fn case(&self, case: CaseNumber) -> Option<&CaseItem> {
        self.cases().find(|c| c.case == case)
    }

    /// Whether the agenda has clock times (the meeting has a start time).
    pub fn timed(&self) -> bool {
        self.start.is_some()
    }
}
