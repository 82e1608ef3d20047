//! Model, minutes: attendance, decisions as adopted, and action points.

use super::{CaseNumber, Clock, Date, MeetingNumber, Person, Role};

/// Whether minutes are a draft out for comments or final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinutesStatus {
    /// Draft (*utkast*), sent out for comments.
    Draft,
    /// Final (*endelig*), approved.
    Final,
}

/// Someone listed in the attendance of the minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    /// Full name.
    pub name: String,
    /// Organisation.
    pub organisation: Option<String>,
    /// Role, for roster members.
    pub role: Option<Role>,
    /// The body's own wording of that role, when it has one.
    pub role_label: Option<String>,
    /// For a substitute: the name of the member replaced.
    pub substitute_for: Option<String>,
    /// Whether that substitute is a deputy on the roster (*varamedlem*).
    pub deputy: bool,
    /// Job title: a roster member's, or the one written for a guest (not for
    /// a member named among others present).
    pub title: Option<String>,
    /// For someone present for some items only: those case numbers, as written.
    pub cases: Vec<String>,
}

impl Attendee {
    /// An attendee who is not on the roster.
    pub fn guest(person: Person) -> Attendee {
        Attendee {
            name: person.name,
            organisation: person.organisation,
            role: None,
            role_label: None,
            substitute_for: None,
            deputy: false,
            title: person.title.filter(|_| person.member_id.is_none()),
            cases: Vec::new(),
        }
    }
}

/// What the minutes record for one case of the agenda.
#[derive(Debug, Clone)]
pub struct MinutesItem {
    /// The case on the agenda.
    pub case: CaseNumber,
    /// Notes of the discussion, Markdown.
    pub notes: Option<String>,
    /// The decision as recorded, if any.
    pub decision: Option<Adopted>,
    /// When the item was postponed: the note.
    pub postponed: Option<String>,
    /// Action points raised under this item.
    pub actions: Vec<ActionPoint>,
    /// The formal record of the item: disqualification, proposals, votes,
    /// dissent and remarks.
    pub record: ItemRecord,
}

/// The formal record of one item (*møteprotokoll*).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemRecord {
    /// Members disqualified for the item (*habilitet*).
    pub disqualified: Vec<Disqualification>,
    /// Proposals put forward (*forslag*), in order.
    pub proposals: Vec<Proposal>,
    /// Votes taken (*votering*), in order.
    pub votes: Vec<Vote>,
    /// Dissent (*dissens*).
    pub dissent: Vec<Remark>,
    /// Remarks entered in the minutes (*protokolltilførsel*).
    pub remarks: Vec<Remark>,
    /// How many members with a vote were present for the item: those present
    /// less the disqualified, plus whoever took their seats.
    pub voting: u32,
}

/// A member declared disqualified for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disqualification {
    /// The member.
    pub member: Person,
    /// The legal basis, as written (`fvl. § 6 første ledd bokstav a`).
    pub basis: String,
    /// Who took the seat for the item.
    pub replaced_by: Option<Person>,
}

/// A proposal put forward under an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Its id, as the votes name it (`A`).
    pub id: String,
    /// Who put it forward.
    pub by: Option<Person>,
    /// The proposal.
    pub text: String,
    /// Whether it was adopted.
    pub adopted: bool,
}

/// Votes cast one way: how many, and by whom when named.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// The number of votes.
    pub count: u32,
    /// Who cast them, when the minutes name them.
    pub names: Vec<Person>,
}

/// A vote (*votering*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    /// The proposal voted on (its id), when the item has proposals.
    pub proposal: Option<String>,
    /// Whether the proposal voted on was adopted.
    pub adopted: bool,
    /// Unanimous (*enstemmig*).
    pub unanimous: bool,
    /// Votes for, when counted.
    pub in_favour: Option<Tally>,
    /// Votes against.
    pub against: Tally,
    /// Abstaining.
    pub abstaining: Tally,
}

/// Dissent or a remark entered in the minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remark {
    /// Who.
    pub by: Vec<Person>,
    /// The text.
    pub text: String,
}

/// A decision as the minutes record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adopted {
    /// The proposed decision, as it stands (`as_proposed`).
    AsProposed,
    /// The decisions as written (amended when they differ from the proposed ones).
    Written(Vec<String>),
}

/// Whether an action point is still to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionStatus {
    /// Still to be done.
    Open,
    /// Done.
    Closed,
}

/// An action point (*aksjonspunkt*) and its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPoint {
    /// Id, unique within the body (`5/2021-1`).
    pub id: String,
    /// What is to be done.
    pub text: String,
    /// Who is responsible.
    pub owner: Option<String>,
    /// Due date.
    pub due: Option<Date>,
    /// Open or closed.
    pub status: ActionStatus,
    /// Open and past its due date at the meeting it is reported to.
    pub overdue: bool,
    /// The case it came from.
    pub case: Option<CaseNumber>,
    /// The meeting whose minutes raised it.
    pub raised_in: MeetingNumber,
    /// The latest note on its status.
    pub note: Option<String>,
}

/// The minutes (*referat*) of a meeting.
#[derive(Debug, Clone)]
pub struct Minutes {
    /// Draft or final.
    pub status: MinutesStatus,
    /// Draft: the date it was sent.
    pub sent: Option<Date>,
    /// Draft: the deadline for comments.
    pub comments_by: Option<Date>,
    /// Final: the date it was approved.
    pub approved: Option<Date>,
    /// Final: the meeting that approved it (`6/2021`), as written.
    pub approved_meeting: Option<String>,
    /// Who took the minutes (*referent*).
    pub minute_taker: Option<Person>,
    /// The chair as recorded.
    pub chair: Option<Person>,
    /// Present (*Til stede*): roster members and substitutes.
    pub present: Vec<Attendee>,
    /// Sent apologies (*Forfall*).
    pub absent: Vec<Attendee>,
    /// Others present (*Andre som var til stede*).
    pub others: Vec<Attendee>,
    /// Present for some items only (*Til stede på sak*).
    pub partial: Vec<Attendee>,
    /// One entry per case on the agenda, in agenda order.
    pub items: Vec<MinutesItem>,
    /// General remarks, Markdown.
    pub notes: Option<String>,
    /// Every action point these minutes raised or updated.
    pub actions: Vec<ActionPoint>,
    /// When the meeting opened (*Møtet satt*).
    pub opened: Option<Clock>,
    /// When the meeting closed (*Møtet hevet*).
    pub closed: Option<Clock>,
    /// Final: who approved the minutes.
    pub approved_by: Vec<Person>,
    /// Final: whether they approved them electronically.
    pub approved_electronically: bool,
    /// Signature lines under the minutes: the chair first, then those named.
    pub signatures: Vec<Person>,
}
