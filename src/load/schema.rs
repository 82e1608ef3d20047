//! Load stage, raw shapes: every content file as serde reads it, before it is
//! checked and resolved. The doc comments describe the fields for editors.
//!
//! Lists whose entries are checked one by one (members, agenda rows, minutes
//! items, action points) are kept as YAML values here and typed entry by entry,
//! so that one bad entry does not hide the problems of the others. Shapes whose
//! failure serde would word with a Rust type name say what they expect instead
//! (`expecting`, or a visitor of their own).
//!
//! The same shapes derive `JsonSchema` for `motebok schema`: the `schemars`
//! attributes only describe them (entry types of the value lists, the patterns
//! of texts parsed later, the names of kinds and standing items: see
//! `editor`) and never change how a file loads.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Visitor};
use serde_yaml_ng::Value;

use editor::*;
pub(crate) use minutes::*;

mod editor;
mod minutes;

/// `body.yaml`: a board or committee and its standing roster.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BodyFile {
    /// Short id of the body, the same as its folder name (`nehs`): lower-case
    /// letters, digits and `-`.
    #[schemars(pattern(ID_PATTERN), extend("patternErrorMessage" = ID_HINT))]
    pub(crate) id: String,
    /// Full name (`Nasjonalt e-helsestyre`).
    pub(crate) name: String,
    /// Name used as the subject of formulaic decisions (`NUIT godkjenner …`);
    /// defaults to `name`.
    #[serde(default)]
    pub(crate) short_name: Option<String>,
    /// The organisation running the secretariat.
    pub(crate) organisation: String,
    /// Address line for the foot of letter-style pages.
    #[serde(default)]
    pub(crate) footer: Option<String>,
    /// The roster, in print order.
    #[schemars(with = "Vec<MemberFile>")]
    pub(crate) members: Vec<Value>,
    /// The body's logo: `{ file: logo.svg, alt: "Logo for …" }`, the file
    /// relative to the body's folder.
    #[serde(default)]
    pub(crate) logo: Option<LogoFile>,
    /// House colours: `{ primary: "#1f3864", accent: "#2e74b5" }`.
    #[serde(default)]
    pub(crate) colours: Option<ColoursFile>,
    /// Letterhead lines, printed beside the logo on the summons and the minutes.
    #[serde(default)]
    pub(crate) letterhead: Vec<String>,
    /// How case numbers are written: `NN/YY` (the default, `38/20`), a
    /// zero-padded pattern such as `000/YY` (`012/24`), or
    /// `{ digits: 3, series: [PS, RS] }` for series numbered on their own
    /// (`PS 012/24`, `RS 003/24`).
    #[serde(default)]
    pub(crate) case_format: Option<CaseFormatFile>,
    /// The language the documents are written in: `nb` (bokmål, the
    /// default), `nn` (nynorsk) or `en` (English). It chooses the labels file
    /// (`labels.yaml`, `labels-nn.yaml`, `labels-en.yaml`).
    #[serde(default)]
    pub(crate) language: Option<LanguageName>,
}

/// `case_format` in `body.yaml`: a pattern, or digits and series.
#[derive(Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "a pattern such as `000/YY`, or `{ digits: 3, series: [PS, RS] }`"
)]
pub(crate) enum CaseFormatFile {
    /// `NN/YY`, or one `0` per digit the number is padded to (`000/YY`).
    Pattern(#[schemars(pattern(r"^(NN|0+)/YY$"))] String),
    /// Padding and series.
    Spec(CaseFormatSpec),
}

/// `case_format` as digits and series.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseFormatSpec {
    /// Digits the running number is zero-padded to (`3`: `012/24`); none by default.
    #[serde(default)]
    #[schemars(range(max = 4))]
    pub(crate) digits: Option<u8>,
    /// Series prefixes, each numbered on its own through the year (`[PS, RS]`);
    /// an agenda item's `series` picks one, the first by default.
    #[serde(default)]
    #[schemars(inner(pattern(SERIES_PATTERN)))]
    pub(crate) series: Vec<String>,
}

/// A body's language, as written in `body.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LanguageName {
    /// Bokmål.
    Nb,
    /// Nynorsk.
    Nn,
    /// English.
    En,
}

/// A body's logo in `body.yaml`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LogoFile {
    /// An SVG, PNG or JPEG file, relative to the body's folder (`logo.svg`).
    pub(crate) file: String,
    /// What the logo says, for readers who cannot see it.
    pub(crate) alt: String,
}

/// A body's house colours in `body.yaml`, each `#rrggbb`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ColoursFile {
    /// Headings and titles.
    #[serde(default)]
    #[schemars(pattern(r"^#[0-9a-fA-F]{6}$"))]
    pub(crate) primary: Option<String>,
    /// Labels and rules.
    #[serde(default)]
    #[schemars(pattern(r"^#[0-9a-fA-F]{6}$"))]
    pub(crate) accent: Option<String>,
}

/// One member on the roster of `body.yaml`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberFile {
    /// Short id used to name the member in meetings and minutes (`kvestli`).
    #[schemars(pattern(ID_PATTERN), extend("patternErrorMessage" = ID_HINT))]
    pub(crate) id: String,
    /// Full name.
    pub(crate) name: String,
    /// Job title.
    #[serde(default)]
    pub(crate) title: Option<String>,
    /// The member's organisation (*aktør*).
    #[serde(default)]
    pub(crate) organisation: Option<String>,
    /// Role on the roster.
    pub(crate) role: RoleName,
    /// How the role prints, when the body words it otherwise than the default
    /// label of the role.
    #[serde(default)]
    pub(crate) role_label: Option<String>,
    /// Member ids of the member's deputies (*varamedlemmer*), in order.
    #[serde(default)]
    pub(crate) deputies: Vec<String>,
}

/// A role on the roster, as written in `body.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RoleName {
    /// Leader (*leder*); chairs the meetings unless another chair is named.
    Leader,
    /// Member (*medlem*).
    Member,
    /// Observer (*observatør*).
    Observer,
    /// Secretariat (*sekretariat*); listed as present only when named.
    Secretariat,
    /// Deputy leader (*nestleder*); a member with a vote.
    #[serde(rename = "deputy_leader")]
    DeputyLeader,
    /// Deputy (*varamedlem*); listed as present only when named, or when
    /// sitting in for a member (`substitutes` in `meeting.yaml`, `deputy`).
    Deputy,
}

/// `meeting.yaml`: a meeting and its agenda.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MeetingFile {
    /// Meeting number and full year, `N/YYYY` (`7/2020`).
    #[serde(deserialize_with = "scalar_text")]
    #[schemars(pattern(MEETING_NUMBER_PATTERN), extend("patternErrorMessage" = MEETING_NUMBER_HINT))]
    pub(crate) number: String,
    /// Date of the meeting, `YYYY-MM-DD`.
    #[serde(deserialize_with = "scalar_text")]
    #[schemars(pattern(DATE_PATTERN), extend("patternErrorMessage" = DATE_HINT), extend("format" = "date"))]
    pub(crate) date: String,
    /// Start time `HH:MM`; without it the agenda prints without clock times.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    #[schemars(with = "String", pattern(CLOCK_PATTERN), extend("patternErrorMessage" = CLOCK_HINT))]
    pub(crate) start: Option<String>,
    /// Planned end `HH:MM`; the agenda must not run past it.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    #[schemars(with = "String", pattern(CLOCK_PATTERN), extend("patternErrorMessage" = CLOCK_HINT))]
    pub(crate) end: Option<String>,
    /// Where the meeting is held.
    pub(crate) place: String,
    /// Link to join by video.
    #[serde(default)]
    pub(crate) video_link: Option<String>,
    /// Member id of the chair; defaults to the body's leader.
    #[serde(default)]
    pub(crate) chair: Option<String>,
    /// Title of the meeting; defaults to `Møte i <body name>`.
    #[serde(default)]
    pub(crate) title: Option<String>,
    /// The meeting whose minutes this one approves, when it is not the previous
    /// meeting in the content.
    #[serde(default)]
    pub(crate) previous_meeting: Option<PreviousFile>,
    /// Note on the agenda, such as a changed order.
    #[serde(default)]
    pub(crate) order_note: Option<String>,
    /// Practical information, Markdown.
    #[serde(default)]
    pub(crate) notes: Option<String>,
    /// Substitutes sitting in for members at this meeting.
    #[serde(default)]
    #[schemars(with = "Vec<SubstituteFile>")]
    pub(crate) substitutes: Vec<Value>,
    /// The agenda in order: case items and breaks.
    #[schemars(with = "Vec<AgendaFile>")]
    pub(crate) agenda: Vec<Value>,
    /// `planned` while the meeting is being prepared (built, never published),
    /// `sent` once its summons has gone out (the default).
    #[serde(default)]
    pub(crate) status: Option<MeetingStatusName>,
    /// A closed meeting (*lukket møte*): `true`, or the legal basis as it
    /// prints (`koml. § 11-5`). Every item is then closed.
    #[serde(default)]
    pub(crate) closed: Option<ClosedSpec>,
}

/// Whether a meeting's summons has been sent, as written in `meeting.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MeetingStatusName {
    /// Being prepared: built for the secretariat, never published.
    Planned,
    /// The summons has been sent: published.
    Sent,
}

/// `closed` on a meeting or an agenda item: `true`/`false`, or the legal basis.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "expected `true`, `false` or the legal basis as it prints, such as \"koml. § 11-5\""
)]
pub(crate) enum ClosedSpec {
    /// Closed (`true`) or open (`false`), without a basis.
    Flag(bool),
    /// Closed, on this legal basis.
    Basis(String),
}

/// `previous_meeting` in `meeting.yaml`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PreviousFile {
    /// Its date, `YYYY-MM-DD`.
    #[serde(deserialize_with = "scalar_text")]
    #[schemars(pattern(DATE_PATTERN), extend("patternErrorMessage" = DATE_HINT), extend("format" = "date"))]
    pub(crate) date: String,
    /// Its meeting number, `N/YYYY`.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    #[schemars(with = "String", pattern(MEETING_NUMBER_PATTERN), extend("patternErrorMessage" = MEETING_NUMBER_HINT))]
    pub(crate) number: Option<String>,
}

/// One substitute in `meeting.yaml`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubstituteFile {
    /// Member id of the member replaced.
    #[serde(rename = "for")]
    pub(crate) replaces: String,
    /// The substitute's full name (or `deputy` for a deputy on the roster).
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// Member id of the deputy (*varamedlem*) sitting in, instead of `name`.
    #[serde(default)]
    pub(crate) deputy: Option<String>,
    /// The substitute's job title.
    #[serde(default)]
    pub(crate) title: Option<String>,
    /// The substitute's organisation; defaults to the member's.
    #[serde(default)]
    pub(crate) organisation: Option<String>,
}

/// One proposed decision block of an agenda item: its heading and text.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionBlockFile {
    /// The heading (`Justert forslag til vedtak`).
    pub(crate) heading: String,
    /// The decision, or a list of them (numbered when several); text written
    /// over several lines is Markdown.
    pub(crate) text: OneOrMany,
}

/// One row of the agenda in `meeting.yaml`: a case item, or a break.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgendaFile {
    /// Makes the row a break, with what prints (`Pause`).
    #[serde(rename = "break", default)]
    pub(crate) break_label: Option<String>,
    /// Case number `NN/YY` (`38/20`) in the body's `case_format` (`012/24`,
    /// `PS 12/24`), or `auto` for the next free one of the item's series.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    #[schemars(with = "String", pattern(AGENDA_CASE_PATTERN), extend("patternErrorMessage" = AGENDA_CASE_HINT))]
    pub(crate) case: Option<String>,
    /// The case number series of the item (`PS`, `RS`), when the body's
    /// `case_format` has series; the first by default.
    #[serde(default)]
    #[schemars(pattern(SERIES_PATTERN))]
    pub(crate) series: Option<String>,
    /// Title on the agenda; standing items have a formulaic one.
    #[serde(default)]
    pub(crate) title: Option<String>,
    /// Standing item: `innkalling`, `referat` or `eventuelt`.
    #[serde(default)]
    #[schemars(with = "Option<StandingName>")]
    pub(crate) standing: Option<String>,
    /// Kind of item (*innretning*): godkjenning, orientering, drøfting,
    /// tilslutning, beslutning or anbefaling.
    #[serde(default)]
    #[schemars(with = "Option<KindName>")]
    pub(crate) kind: Option<String>,
    /// Short description, Markdown.
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// Who presents the item: a member id, a guest, or a list of these.
    #[serde(default)]
    pub(crate) presenter: Option<PresenterSpec>,
    /// Duration in minutes; required when the meeting has a start time.
    #[serde(default, deserialize_with = "opt_whole_number")]
    #[schemars(with = "u32")]
    pub(crate) duration: Option<u32>,
    /// The case paper, a Markdown file relative to the meeting folder
    /// (`saker/38-20.md`).
    #[serde(default)]
    pub(crate) paper: Option<String>,
    /// The proposed decision, or a list of them (numbered when several).
    #[serde(default)]
    pub(crate) proposed_decision: Option<OneOrMany>,
    /// Heading of the proposed decision, when not the default one.
    #[serde(default)]
    pub(crate) decision_heading: Option<String>,
    /// Several proposed decisions, each under its own heading, in order
    /// (`Forslag til vedtak`, then `Justert forslag til vedtak`): the last is
    /// the one the meeting decides on. Instead of `proposed_decision` and
    /// `decision_heading`.
    #[serde(default)]
    pub(crate) decision_blocks: Option<Vec<DecisionBlockFile>>,
    /// Title on the case paper, when it differs from the agenda title.
    #[serde(default)]
    pub(crate) paper_title: Option<String>,
    /// Note that the item is postponed, and why.
    #[serde(default)]
    pub(crate) postponed: Option<String>,
    /// Exempt from public access (*unntatt offentlighet*): the legal basis as
    /// it prints (`Offl. § 13 jf. fvl. § 13`). The public versions keep the
    /// case number, the public title and the basis, and withhold the rest.
    #[serde(default)]
    pub(crate) exempt: Option<String>,
    /// A closed item (*lukket*): `true`, or the legal basis as it prints.
    #[serde(default)]
    pub(crate) closed: Option<ClosedSpec>,
    /// The title shown publicly for an exempt or closed item whose title is
    /// itself sensitive (default: the title).
    #[serde(default)]
    pub(crate) public_title: Option<String>,
    /// The case officer (*saksbehandler*), as printed.
    #[serde(default)]
    pub(crate) case_officer: Option<String>,
    /// The archive reference (*arkivsak*), as written (`24/01234-5`).
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub(crate) archive_ref: Option<String>,
    /// Documents attached to the item (*vedlegg*): PDF files relative to the
    /// meeting folder, each with the title it is listed under.
    #[serde(default)]
    pub(crate) attachments: Vec<AttachmentFile>,
}

/// An attachment of an agenda item: `{ file: vedlegg/status.pdf, title: Status program }`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachmentFile {
    /// The PDF file, relative to the meeting folder (`vedlegg/35-21-status.pdf`).
    pub(crate) file: String,
    /// The title it is listed under (`Status program`).
    pub(crate) title: String,
}

/// The presenter of an agenda item: one person or a list.
#[derive(Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "expected a member id, a guest `{ name, organisation }` or a list of these"
)]
pub(crate) enum PresenterSpec {
    /// One person.
    One(PersonSpec),
    /// Several people, in order.
    Many(Vec<PersonSpec>),
}

/// A person: a member id of the body's roster, or a guest.
#[derive(Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "expected a member id or a guest `{ name, organisation }`"
)]
pub(crate) enum PersonSpec {
    /// A member id (`kvestli`).
    Id(String),
    /// Someone not on the roster.
    #[schemars(extend("additionalProperties" = false))]
    Guest {
        /// Full name.
        name: String,
        /// Organisation.
        #[serde(default)]
        organisation: Option<String>,
        /// Job title.
        #[serde(default)]
        title: Option<String>,
    },
}

/// A text, or a list of texts.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged, expecting = "expected a text or a list of texts")]
pub(crate) enum OneOrMany {
    /// One text.
    One(String),
    /// Several texts, in order.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The texts as a list.
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

/// Accepts a scalar written as text or as a number (YAML reads `2020` as a number).
pub(crate) fn scalar_text<'de, D: de::Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Int(i64),
        Float(f64),
    }
    Ok(match Scalar::deserialize(de)? {
        Scalar::Text(s) => s,
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
    })
}

/// [`scalar_text`] for an optional field.
pub(crate) fn opt_scalar_text<'de, D: de::Deserializer<'de>>(
    de: D,
) -> Result<Option<String>, D::Error> {
    scalar_text(de).map(Some)
}

/// A whole number of minutes, worded as such when it is not one.
fn opt_whole_number<'de, D: de::Deserializer<'de>>(de: D) -> Result<Option<u32>, D::Error> {
    struct WholeNumber;
    impl Visitor<'_> for WholeNumber {
        type Value = u32;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
    }
    de.deserialize_u32(WholeNumber).map(Some)
}
