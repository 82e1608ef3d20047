//! Load stage, raw shapes of `minutes.yaml` (see the parent module): the
//! minutes, their items with the formal record, and action points.

use super::*;

/// `minutes.yaml`: the minutes of the meeting in the same folder.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MinutesFile {
    /// `draft` (out for comments) or `final` (approved).
    pub(crate) status: MinutesStatusName,
    /// Draft: the date the minutes were sent, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    #[schemars(with = "String", pattern(DATE_PATTERN), extend("patternErrorMessage" = DATE_HINT), extend("format" = "date"))]
    pub(crate) sent: Option<String>,
    /// Draft: the deadline for comments, `YYYY-MM-DD` (required for a draft).
    #[serde(default, deserialize_with = "opt_scalar_text")]
    #[schemars(with = "String", pattern(DATE_PATTERN), extend("patternErrorMessage" = DATE_HINT), extend("format" = "date"))]
    pub(crate) comments_by: Option<String>,
    /// Final: when and by which meeting the minutes were approved (required).
    #[serde(default)]
    pub(crate) approved: Option<ApprovedFile>,
    /// Member id of the chair, when not the meeting's chair.
    #[serde(default)]
    pub(crate) chair: Option<String>,
    /// Who took the minutes (*referent*): a member id or a guest.
    #[serde(default)]
    pub(crate) minute_taker: Option<PersonSpec>,
    /// Member ids present; when given, members not listed sent apologies.
    #[serde(default)]
    pub(crate) present: Option<Vec<String>>,
    /// Member ids who sent apologies (*forfall*).
    #[serde(default)]
    pub(crate) absent: Vec<String>,
    /// Others present: member ids or guests.
    #[serde(default)]
    pub(crate) others_present: Vec<PersonSpec>,
    /// People present for some items only.
    #[serde(default)]
    #[schemars(with = "Vec<PartialFile>")]
    pub(crate) present_for: Vec<Value>,
    /// General remarks, Markdown.
    #[serde(default)]
    pub(crate) notes: Option<String>,
    /// What the minutes record per case.
    #[serde(default)]
    #[schemars(with = "Vec<ItemFile>")]
    pub(crate) items: Vec<Value>,
    /// Action points not tied to a case.
    #[serde(default)]
    #[schemars(with = "Vec<ActionFile>")]
    pub(crate) actions: Vec<Value>,
    /// Written by `motebok approve`: a fingerprint of each case (`"34/21"`) as
    /// it was approved, so that later changes to the agenda, papers or proposed
    /// decisions are reported.
    #[serde(default)]
    pub(crate) approved_digest: Option<std::collections::BTreeMap<String, String>>,
    /// When the meeting opened, `HH:MM` (*Møtet satt*).
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub(crate) opened: Option<String>,
    /// When the meeting closed, `HH:MM` (*Møtet hevet*); after `opened`.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub(crate) closed: Option<String>,
    /// Member ids of those who get a signature line under the minutes, after
    /// the chair's (who always gets one when this is given).
    #[serde(default)]
    pub(crate) signatures: Option<Vec<String>>,
}

/// Whether minutes are a draft or final, as written in `minutes.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MinutesStatusName {
    /// Draft (*utkast*), sent out for comments.
    Draft,
    /// Final (*endelig*), approved.
    Final,
}

/// `approved` in `minutes.yaml`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApprovedFile {
    /// The date of approval, `YYYY-MM-DD`.
    #[serde(deserialize_with = "scalar_text")]
    #[schemars(pattern(DATE_PATTERN), extend("patternErrorMessage" = DATE_HINT), extend("format" = "date"))]
    pub(crate) date: String,
    /// The meeting that approved the minutes, `N/YYYY`.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    #[schemars(with = "String", pattern(MEETING_NUMBER_PATTERN), extend("patternErrorMessage" = MEETING_NUMBER_HINT))]
    pub(crate) meeting: Option<String>,
    /// Member ids of those who approved the minutes (*godkjent av*).
    #[serde(default)]
    pub(crate) by: Vec<String>,
    /// Whether they approved the minutes electronically.
    #[serde(default)]
    pub(crate) electronic: bool,
}

/// One entry of `present_for` in `minutes.yaml`: someone present for some items.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [{ "required": ["member"] }, { "required": ["name"] }]))]
pub(crate) struct PartialFile {
    /// Member id, for a member (or `name` for a guest).
    #[serde(default)]
    pub(crate) member: Option<String>,
    /// Full name, for a guest.
    #[serde(default)]
    pub(crate) name: Option<String>,
    /// The guest's organisation.
    #[serde(default)]
    pub(crate) organisation: Option<String>,
    /// The guest's job title.
    #[serde(default)]
    pub(crate) title: Option<String>,
    /// The case numbers (`32/21`) the person was present for.
    pub(crate) cases: OneOrMany,
}

/// One entry of `items` in `minutes.yaml`: what the minutes record for a case.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemFile {
    /// The case number on the agenda (`35/21`).
    #[serde(deserialize_with = "scalar_text")]
    #[schemars(pattern(CASE_PATTERN), extend("patternErrorMessage" = CASE_HINT))]
    pub(crate) case: String,
    /// Notes of the discussion, Markdown.
    #[serde(default)]
    pub(crate) notes: Option<String>,
    /// The decision as adopted, a list of them, or `as_proposed`.
    #[serde(default)]
    #[schemars(extend("examples" = ["as_proposed"]))]
    pub(crate) decision: Option<OneOrMany>,
    /// Note that the item was postponed.
    #[serde(default)]
    pub(crate) postponed: Option<String>,
    /// Action points raised or updated under this case.
    #[serde(default)]
    #[schemars(with = "Vec<ActionFile>")]
    pub(crate) actions: Vec<Value>,
    /// Members disqualified for this case (*habilitet*); each is a
    /// [`DisqualifiedFile`].
    #[serde(default)]
    #[schemars(with = "Vec<DisqualifiedFile>")]
    pub(crate) disqualified: Vec<Value>,
    /// Proposals put forward (*forslag*); each is a [`ProposalFile`].
    #[serde(default)]
    #[schemars(with = "Vec<ProposalFile>")]
    pub(crate) proposals: Vec<Value>,
    /// The id of the proposal that was adopted.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub(crate) adopted: Option<String>,
    /// The votes taken (*votering*); each is a [`VoteFile`].
    #[serde(default)]
    #[schemars(with = "Vec<VoteFile>")]
    pub(crate) votes: Vec<Value>,
    /// Dissent (*dissens*); each is a [`RemarkFile`].
    #[serde(default)]
    #[schemars(with = "Vec<RemarkFile>")]
    pub(crate) dissent: Vec<Value>,
    /// Remarks entered in the minutes (*protokolltilførsel*); each is a
    /// [`RemarkFile`].
    #[serde(default)]
    #[schemars(with = "Vec<RemarkFile>")]
    pub(crate) protocol_remarks: Vec<Value>,
}

/// One entry of `disqualified` under an item of `minutes.yaml`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DisqualifiedFile {
    /// Member id of the member declared disqualified.
    pub(crate) member: String,
    /// The legal basis (`fvl. § 6 første ledd bokstav a`).
    pub(crate) basis: String,
    /// Who took the seat for this case: a member id or a guest.
    #[serde(default)]
    pub(crate) replaced_by: Option<PersonSpec>,
}

/// One entry of `proposals` under an item of `minutes.yaml`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProposalFile {
    /// Short id the votes name it by (`A`); defaults to its place, `1`, `2`, ….
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub(crate) id: Option<String>,
    /// Member id of who put it forward.
    #[serde(default)]
    pub(crate) by: Option<String>,
    /// The proposal as put forward.
    pub(crate) text: String,
}

/// One entry of `votes` under an item of `minutes.yaml`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VoteFile {
    /// The id of the proposal voted on; needed when the item has several.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub(crate) on: Option<String>,
    /// `true` for a unanimous vote (*enstemmig*).
    #[serde(default)]
    pub(crate) unanimous: bool,
    /// Votes for: a number, or a list of member ids.
    #[serde(rename = "for", default)]
    pub(crate) in_favour: Option<TallyFile>,
    /// Votes against: a number, or a list of member ids.
    #[serde(default)]
    pub(crate) against: Option<TallyFile>,
    /// Abstaining: a number, or a list of member ids.
    #[serde(default)]
    pub(crate) abstaining: Option<TallyFile>,
}

/// A count of votes, or the members who voted so.
#[derive(Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "expected a number of votes or a list of member ids"
)]
pub(crate) enum TallyFile {
    /// A number of votes.
    Count(u32),
    /// The member ids of those who voted so.
    Names(Vec<String>),
}

/// One entry of `dissent` or `protocol_remarks` under an item of `minutes.yaml`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemarkFile {
    /// Member id, or a list of them.
    pub(crate) by: OneOrMany,
    /// The text as entered in the minutes.
    pub(crate) text: String,
}

/// An action point (*aksjonspunkt*) in `minutes.yaml`: a new one (with `text`),
/// or an update of one raised earlier (with its `id`).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionFile {
    /// Id of the action point (`5/2021-1`); new ones are numbered after the
    /// meeting when left out.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    #[schemars(with = "String")]
    pub(crate) id: Option<String>,
    /// What is to be done; required for a new action point.
    #[serde(default)]
    pub(crate) text: Option<String>,
    /// Who is responsible: a member id or a guest.
    #[serde(default)]
    pub(crate) owner: Option<PersonSpec>,
    /// Due date, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    #[schemars(with = "String", pattern(DATE_PATTERN), extend("patternErrorMessage" = DATE_HINT), extend("format" = "date"))]
    pub(crate) due: Option<String>,
    /// `open` (the default for a new one) or `closed`.
    #[serde(default)]
    pub(crate) status: Option<ActionStatusName>,
    /// The latest note on its status.
    #[serde(default)]
    pub(crate) note: Option<String>,
}

/// The status of an action point, as written in `minutes.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ActionStatusName {
    /// Still to be done.
    Open,
    /// Done.
    Closed,
}
