//! Model: the typed domain: bodies, members, meetings, agenda items, decisions,
//! minutes and action points, as loaded and resolved.
//!
//! Values, not print forms: dates, times, case and meeting numbers, kinds,
//! roles and statuses are types; how they print (Norwegian dates, role labels,
//! `Åpen`) is decided by the view (`view.rs`) from `templates/labels.yaml`.
//! No paths either: where content was read from is the side table
//! [`SourceMap`]. Nothing here derives serde: the raw shapes of content files live in
//! `load::schema`, the template context in the view.

mod branding;
mod files;
mod language;
mod meeting;
mod minutes;
mod number;
mod public;
mod sources;
mod time;

pub use branding::{Branding, DEFAULT_ACCENT, DEFAULT_PRIMARY, Logo};
pub use files::{Assets, Attachment, DrawFailure, DrawnSet, FileBytes, FileMap, PaperFile};
pub use language::Language;
pub use meeting::{
    AgendaRow, Break, CaseItem, DecisionBlock, Formula, Meeting, MeetingStatus, Previous, Proposed,
    Restriction, RestrictionKind, RosterEntry,
};
pub use minutes::{
    ActionPoint, ActionStatus, Adopted, Attendee, Disqualification, ItemRecord, Minutes,
    MinutesItem, MinutesStatus, Proposal, Remark, Tally, Vote,
};
pub use number::{CaseFormError, CaseFormat, CaseNumber, MeetingNumber, Series};
pub use sources::{BodySources, MeetingSources, SourceMap};
pub use time::{Clock, Date};

/// A board or committee with its standing roster.
#[derive(Debug, Clone)]
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
    /// Logo, house colours and letterhead.
    pub branding: Branding,
    /// How the body writes its case numbers.
    pub case_format: CaseFormat,
    /// The language its documents are written in (`language`, default bokmål).
    pub language: Language,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Leader (*leder*).
    Leader,
    /// Member (*medlem*).
    Member,
    /// Observer (*observatør*).
    Observer,
    /// Secretariat (*sekretariat*).
    Secretariat,
    /// Deputy leader (*nestleder*).
    DeputyLeader,
    /// Deputy (*varamedlem*).
    Deputy,
}

impl Role {
    /// Whether the role has a vote: leader, deputy leader and members.
    pub fn votes(self) -> bool {
        matches!(self, Role::Leader | Role::DeputyLeader | Role::Member)
    }
}

/// A person on the roster.
#[derive(Debug, Clone)]
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
    /// The body's own wording of the role, when it has one.
    pub role_label: Option<String>,
    /// Member ids of the member's deputies (*varamedlemmer*), in order.
    pub deputies: Vec<String>,
}

/// Someone named on an agenda: a member or a guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Organisation, when known.
    pub organisation: Option<String>,
    /// The member id, for roster members.
    pub member_id: Option<String>,
    /// Job title, when known.
    pub title: Option<String>,
}

/// The kind of an agenda item (*innretning*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Every kind, in the order of [`Kind::NAMES`].
    pub const ALL: [Kind; 6] = [
        Kind::Godkjenning,
        Kind::Orientering,
        Kind::Drøfting,
        Kind::Tilslutning,
        Kind::Beslutning,
        Kind::Anbefaling,
    ];

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
        let i = Kind::NAMES.iter().position(|n| *n == name)?;
        Some(Kind::ALL[i])
    }

    /// The name written in content (`orientering`).
    pub fn name(self) -> &'static str {
        Kind::NAMES[Kind::ALL.iter().position(|k| *k == self).unwrap_or(0)]
    }
}

/// Standing items whose title and decision are formulaic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    /// The name written in content (`referat`).
    pub fn name(self) -> &'static str {
        match self {
            Standing::Innkalling => "innkalling",
            Standing::Referat => "referat",
            Standing::Eventuelt => "eventuelt",
        }
    }
}

/// A body's content: the body and its meetings in date order.
#[derive(Debug, Clone)]
pub struct BodyContent {
    /// The body.
    pub body: Body,
    /// Its meetings, sorted by date.
    pub meetings: Vec<Meeting>,
}

/// Everything under `content/`.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// The bodies, sorted by id.
    pub bodies: Vec<BodyContent>,
    /// Where they were read from (a side table; the domain holds no paths).
    pub sources: SourceMap,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for name in Kind::NAMES {
            assert_eq!(Kind::parse(name).unwrap().name(), *name);
        }
        assert_eq!(Kind::parse("Orientering"), None);
    }
}
