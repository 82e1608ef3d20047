//! Load stage, raw shapes for editors: what the JSON Schema says about texts
//! that loading reads as they are and checks later (kinds, standing items,
//! the forms of ids, dates, times and numbers). Loading never uses these.

use schemars::JsonSchema;

/// The kind of an agenda item (*innretning*).
// Only the schema uses this type: loading reads `kind` as text and checks it
// with `model::Kind::parse`; a unit test in `crate::schema` keeps the names equal.
#[derive(JsonSchema)]
#[allow(dead_code, reason = "describes `kind` for the JSON Schema only")]
pub(super) enum KindName {
    /// Approval (*godkjenning*).
    #[serde(rename = "godkjenning")]
    Godkjenning,
    /// For information (*orientering*).
    #[serde(rename = "orientering")]
    Orientering,
    /// For discussion (*drøfting*).
    #[serde(rename = "drøfting")]
    Drofting,
    /// For endorsement (*tilslutning*).
    #[serde(rename = "tilslutning")]
    Tilslutning,
    /// For decision (*beslutning*).
    #[serde(rename = "beslutning")]
    Beslutning,
    /// For recommendation (*anbefaling*).
    #[serde(rename = "anbefaling")]
    Anbefaling,
}

/// A standing item, whose title and proposed decision are formulaic.
// Only the schema uses this type: loading reads `standing` as text and checks
// it with `model::Standing::parse`; a unit test in `crate::schema` keeps the
// names equal.
#[derive(JsonSchema)]
#[allow(dead_code, reason = "describes `standing` for the JSON Schema only")]
pub(super) enum StandingName {
    /// Approval of the summons and agenda; title and decision are formulaic.
    #[serde(rename = "innkalling")]
    Innkalling,
    /// Approval of the previous meeting's minutes; title and decision are formulaic.
    #[serde(rename = "referat")]
    Referat,
    /// Any other business (*eventuelt*).
    #[serde(rename = "eventuelt")]
    Eventuelt,
}

/// Schema pattern of an id (body, member): lower-case letters, digits and `-`.
pub(super) const ID_PATTERN: &str = "^[a-z0-9-]+$";
/// Schema pattern of a date `YYYY-MM-DD` (loading also rejects impossible days).
pub(super) const DATE_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
/// Schema pattern of a time of day, `HH:MM` (also `H:MM` and `HH.MM`).
pub(super) const CLOCK_PATTERN: &str = "^([01]?[0-9]|2[0-3])[:.][0-5][0-9]$";
/// Schema pattern of a meeting number `N/YYYY`.
pub(super) const MEETING_NUMBER_PATTERN: &str = "^0*[1-9][0-9]*/[0-9]{4}$";
/// Schema pattern of a case number `NN/YY`, with a series prefix if the body
/// has series (`PS 12/24`); padding is the body's `case_format`'s.
pub(super) const CASE_PATTERN: &str = "^([A-Z]{1,4} )?0*[1-9][0-9]*/[0-9]{2}$";
/// Schema pattern of an agenda row's case: a case number `NN/YY` (with a
/// series prefix if the body has series), or `auto`.
pub(super) const AGENDA_CASE_PATTERN: &str = "^(auto|([A-Z]{1,4} )?0*[1-9][0-9]*/[0-9]{2})$";
/// Schema pattern of a case number series (`PS`).
pub(super) const SERIES_PATTERN: &str = "^[A-Z]{1,4}$";

/// What an editor says when an id does not match [`ID_PATTERN`].
pub(super) const ID_HINT: &str = "use lower-case letters, digits and `-`, such as kvestli";
/// What an editor says when a date does not match [`DATE_PATTERN`].
pub(super) const DATE_HINT: &str = "write the date as YYYY-MM-DD, such as 2021-01-20";
/// What an editor says when a time does not match [`CLOCK_PATTERN`].
pub(super) const CLOCK_HINT: &str = "write the time as HH:MM, such as \"10:00\"";
/// What an editor says when a meeting number does not match [`MEETING_NUMBER_PATTERN`].
pub(super) const MEETING_NUMBER_HINT: &str = "write the meeting number as N/YYYY, such as 7/2020";
/// What an editor says when a case number does not match [`CASE_PATTERN`].
pub(super) const CASE_HINT: &str =
    "write the case number as NN/YY, such as 38/20 (PS 012/24 in a body with that case_format)";
/// What an editor says when an agenda row's case does not match [`AGENDA_CASE_PATTERN`].
pub(super) const AGENDA_CASE_HINT: &str = "write the case number as NN/YY, such as 38/20 (PS 012/24 in a body with that case_format), or auto";
