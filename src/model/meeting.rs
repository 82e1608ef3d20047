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
    /// The files the case paper shows and the documents attached to the item
    /// (boxed: most items have none, and a row stays small).
    pub assets: Box<super::Assets>,
    /// The proposed decision, if any.
    pub proposed: Option<Proposed>,
    /// Postponement note.
    pub postponed: Option<String>,
}

impl CaseItem {
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
        self.paper.is_some() || self.has_proposal()
    }
}

/// A proposed decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proposed {
    /// As written in content (several are numbered).
    Written(Vec<String>),
    /// The formulaic decision of a standing or information item.
    Formula(Formula),
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
