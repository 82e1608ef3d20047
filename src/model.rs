//! The domain: bodies, members, meetings, agenda items, decisions, as loaded and resolved.
//!
//! These are the values templates see (through serde). Everything a person would
//! otherwise have to type twice is already derived here: clock times, standing
//! decisions, Norwegian dates, the roster with this meeting's substitutes.

use std::path::PathBuf;

use serde::Serialize;

/// A board or committee with its standing roster.
#[derive(Debug, Clone, Serialize)]
pub struct Body {
    /// Short id, the folder name (`nehs`).
    pub id: String,
    /// Full name (`Nasjonalt e-helsestyre`).
    pub name: String,
    /// Name used as the subject of formulaic decisions (`NUIT godkjenner …`).
    pub short_name: String,
    /// The organisation running the secretariat.
    pub organisation: String,
    /// Address line for the foot of letter-style pages.
    pub footer: Option<String>,
    /// The roster, in print order.
    pub members: Vec<Member>,
}

impl Body {
    /// Looks up a member by id.
    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    /// The first member with the leader role.
    pub fn leader(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.role == Role::Leader)
    }
}

/// A role on the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Leader (*leder*).
    Leader,
    /// Member (*medlem*).
    Member,
    /// Observer (*observatør*).
    Observer,
    /// Secretariat (*sekretariat*).
    Secretariat,
}

impl Role {
    /// The role as printed.
    pub fn label(self) -> &'static str {
        match self {
            Role::Leader => "Leder",
            Role::Member => "Medlem",
            Role::Observer => "Observatør",
            Role::Secretariat => "Sekretariat",
        }
    }

    /// All roles, for messages.
    pub const NAMES: &'static [&'static str] = &["leader", "member", "observer", "secretariat"];
}

/// A person on the roster.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    /// Short id used in content (`kvestli`).
    pub id: String,
    /// Full name.
    pub name: String,
    /// Job title.
    pub title: Option<String>,
    /// The member's organisation (*aktør*).
    pub organisation: Option<String>,
    /// Role on the roster.
    pub role: Role,
    /// How the role prints (`Leder`, or the body's own wording).
    pub role_label: String,
}

/// Someone named on an agenda: a member or a guest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Organisation, when known.
    pub organisation: Option<String>,
    /// The member id, for roster members.
    pub member_id: Option<String>,
}

/// One row of the roster as it applies to a meeting.
#[derive(Debug, Clone, Serialize)]
pub struct RosterEntry {
    /// The member id of the seat.
    pub member_id: String,
    /// The person attending in this seat.
    pub name: String,
    /// Job title.
    pub title: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Role as printed.
    pub role_label: String,
    /// Role.
    pub role: Role,
    /// When a substitute sits in: the name of the member replaced.
    pub substitute_for: Option<String>,
}

/// The kind of an agenda item (*innretning*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Approval.
    Godkjenning,
    /// Information.
    Orientering,
    /// Discussion.
    Drøfting,
    /// Endorsement.
    Tilslutning,
    /// Decision.
    Beslutning,
    /// Recommendation.
    Anbefaling,
}

impl Kind {
    /// The kinds as written in content.
    pub const NAMES: &'static [&'static str] = &[
        "godkjenning",
        "orientering",
        "drøfting",
        "tilslutning",
        "beslutning",
        "anbefaling",
    ];

    /// Parses the name written in content.
    pub fn parse(name: &str) -> Option<Kind> {
        Some(match name {
            "godkjenning" => Kind::Godkjenning,
            "orientering" => Kind::Orientering,
            "drøfting" => Kind::Drøfting,
            "tilslutning" => Kind::Tilslutning,
            "beslutning" => Kind::Beslutning,
            "anbefaling" => Kind::Anbefaling,
            _ => return None,
        })
    }

    /// The kind as printed.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Godkjenning => "Godkjenning",
            Kind::Orientering => "Orientering",
            Kind::Drøfting => "Drøfting",
            Kind::Tilslutning => "Tilslutning",
            Kind::Beslutning => "Beslutning",
            Kind::Anbefaling => "Anbefaling",
        }
    }
}

/// Standing items whose title and decision are formulaic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    /// Approval of the summons and agenda.
    Innkalling,
    /// Approval of the previous meeting's minutes.
    Referat,
    /// Any other business.
    Eventuelt,
}

impl Standing {
    /// The names as written in content.
    pub const NAMES: &'static [&'static str] = &["innkalling", "referat", "eventuelt"];

    /// Parses the name written in content.
    pub fn parse(name: &str) -> Option<Standing> {
        Some(match name {
            "innkalling" => Standing::Innkalling,
            "referat" => Standing::Referat,
            "eventuelt" => Standing::Eventuelt,
            _ => return None,
        })
    }
}

/// A case number `NN/YY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseNumber {
    /// Running number within the year.
    pub number: u32,
    /// Two-digit year.
    pub year: u32,
}

impl CaseNumber {
    /// Parses `NN/YY`.
    pub fn parse(text: &str) -> Option<CaseNumber> {
        let (n, y) = text.split_once('/')?;
        if n.is_empty() || y.len() != 2 || !n.bytes().chain(y.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number = n.parse().ok().filter(|&n| n > 0)?;
        Some(CaseNumber {
            number,
            year: y.parse().ok()?,
        })
    }

    /// The file-name form, `38-20`.
    pub fn slug(self) -> String {
        format!("{:02}-{:02}", self.number, self.year)
    }
}

impl std::fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{:02}", self.number, self.year)
    }
}

/// A case on the agenda, with everything derived.
#[derive(Debug, Clone, Serialize)]
pub struct CaseItem {
    /// Case number as printed (`38/20`).
    pub case: String,
    /// File-name form (`38-20`).
    pub slug: String,
    /// Title on the agenda.
    pub title: String,
    /// Title on the case paper (defaults to the agenda title).
    pub paper_title: String,
    /// Heading of the proposed decision (`Forslag til vedtak`).
    pub decision_heading: String,
    /// Kind as printed, if any.
    pub kind: Option<String>,
    /// Standing item, if any.
    pub standing: Option<Standing>,
    /// Short description, Markdown.
    pub description: Option<String>,
    /// Presenters.
    pub presenters: Vec<Person>,
    /// Presenters joined for print (`Karl Vestli og Inga Nordberg`).
    pub presenter_text: String,
    /// The presenters' organisations, each once (`Direktoratet for e-helse`).
    pub presenter_organisations: String,
    /// Start time `HH:MM`.
    pub start: String,
    /// End time `HH:MM`.
    pub end: String,
    /// Duration in minutes.
    pub duration: u32,
    /// Duration as `HH:MM`.
    pub duration_text: String,
    /// Case paper body, Markdown.
    pub paper: Option<String>,
    /// The case paper's file, for rebuilding on change.
    #[serde(skip)]
    pub paper_file: Option<PathBuf>,
    /// Proposed decisions (several are numbered).
    pub decisions: Vec<String>,
    /// Postponement note.
    pub postponed: Option<String>,
    /// Whether the item gets a case paper document of its own.
    pub has_document: bool,
}

/// One row of the agenda.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum AgendaRow {
    /// A case.
    Case(CaseItem),
    /// A break.
    Break {
        /// What prints (`Pause`).
        label: String,
        /// Start time.
        start: String,
        /// End time.
        end: String,
        /// Minutes.
        duration: u32,
        /// Duration as `HH:MM`.
        duration_text: String,
    },
}

/// A meeting, resolved against its body.
#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    /// The meeting folder's name (`2020-07`).
    pub slug: String,
    /// The meeting folder.
    #[serde(skip)]
    pub dir: PathBuf,
    /// Meeting number as printed (`7/2020`).
    pub number: String,
    /// ISO date.
    pub date: String,
    /// Year, month, day, for document metadata.
    pub ymd: (i32, u8, u8),
    /// Norwegian date (`16. desember 2020`).
    pub date_text: String,
    /// Weekday (`onsdag`).
    pub weekday: String,
    /// Start `HH:MM`; empty when the agenda is untimed.
    pub start: String,
    /// End `HH:MM`; empty when the agenda is untimed.
    pub end: String,
    /// Whether the agenda has clock times (the meeting has a start time).
    pub timed: bool,
    /// Place.
    pub place: String,
    /// Video link.
    pub video_link: Option<String>,
    /// The chair.
    pub chair: Option<Person>,
    /// Title (`Møte i Nasjonalt e-helsestyre`).
    pub title: String,
    /// The previous meeting's date as printed, when known.
    pub previous_meeting_date: Option<String>,
    /// The previous meeting's number, when known.
    pub previous_meeting_number: Option<String>,
    /// Note on the agenda, such as a changed order.
    pub order_note: Option<String>,
    /// Practical information, Markdown.
    pub notes: Option<String>,
    /// Roster for this meeting, substitutes in place.
    pub roster: Vec<RosterEntry>,
    /// The agenda.
    pub agenda: Vec<AgendaRow>,
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
            AgendaRow::Break { .. } => None,
        })
    }
}

/// Whether minutes are a draft out for comments or final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MinutesStatus {
    /// Draft (*utkast*), sent out for comments.
    Draft,
    /// Final (*endelig*), approved.
    Final,
}

/// Someone listed in the attendance of the minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendee {
    /// Full name.
    pub name: String,
    /// Organisation.
    pub organisation: Option<String>,
    /// Role as printed, for roster members.
    pub role_label: Option<String>,
    /// For a substitute: the name of the member replaced.
    pub substitute_for: Option<String>,
    /// For someone present for some items only: those case numbers (`32/21`).
    pub cases: Vec<String>,
}

/// What the minutes record for one agenda item.
#[derive(Debug, Clone, Serialize)]
pub struct MinutesItem {
    /// Case number (`35/21`).
    pub case: String,
    /// Title as on the agenda.
    pub title: String,
    /// Kind as printed.
    pub kind: Option<String>,
    /// Presenters as printed.
    pub presenter_text: String,
    /// Notes of the discussion, Markdown.
    pub notes: Option<String>,
    /// The decisions as adopted (*Vedtak*); several are numbered.
    pub decisions: Vec<String>,
    /// Whether the decision differs from the proposed one.
    pub amended: bool,
    /// When the item was postponed: the note.
    pub postponed: Option<String>,
    /// Action points raised under this item.
    pub actions: Vec<ActionPoint>,
}

/// An action point (*aksjonspunkt*) and its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionPoint {
    /// Id, unique within the body (`5/2021-1`).
    pub id: String,
    /// What is to be done.
    pub text: String,
    /// Who is responsible.
    pub owner: Option<String>,
    /// Due date, ISO.
    pub due: Option<String>,
    /// Due date as printed (`1. oktober 2021`).
    pub due_text: Option<String>,
    /// `open` or `closed`.
    pub status: String,
    /// Status as printed (`Åpen`, `Lukket`).
    pub status_label: String,
    /// Open and past its due date at the meeting it is reported to.
    pub overdue: bool,
    /// The case it came from (`35/21`).
    pub case: Option<String>,
    /// The meeting whose minutes raised it (`5/2021`).
    pub raised_in: String,
    /// The latest note on its status.
    pub note: Option<String>,
}

/// The minutes (*referat*) of a meeting.
#[derive(Debug, Clone, Serialize)]
pub struct Minutes {
    /// Draft or final.
    pub status: MinutesStatus,
    /// Draft: the date it was sent, as printed.
    pub sent_text: Option<String>,
    /// Draft: the deadline for comments, as printed.
    pub comments_by_text: Option<String>,
    /// Final: the date it was approved, as printed.
    pub approved_text: Option<String>,
    /// Final: the meeting that approved it (`6/2021`).
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
}

/// A body's content: the body and its meetings in date order.
#[derive(Debug, Clone)]
pub struct BodyContent {
    /// The body.
    pub body: Body,
    /// Its meetings, sorted by date.
    pub meetings: Vec<Meeting>,
    /// The body's folder.
    pub dir: PathBuf,
}

/// Everything under `content/`.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// The bodies, sorted by id.
    pub bodies: Vec<BodyContent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_parse_and_print() {
        let c = CaseNumber::parse("38/20").unwrap();
        assert_eq!((c.number, c.year), (38, 20));
        assert_eq!(c.to_string(), "38/20");
        assert_eq!(CaseNumber::parse("3/22").unwrap().to_string(), "3/22");
        assert_eq!(CaseNumber::parse("3/22").unwrap().slug(), "03-22");
        for bad in ["38", "38/2020", "a/20", "0/20", "/20", "38/-1", " 38/20"] {
            assert_eq!(CaseNumber::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for name in Kind::NAMES {
            let kind = Kind::parse(name).unwrap();
            assert_eq!(kind.label().to_lowercase(), *name);
        }
    }
}
