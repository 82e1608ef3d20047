//! View stage, labels: the words and formulaic phrases documents print, from
//! `labels.yaml` in the templates folder (or the built-in copy).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::minutes::ProtocolLabels;
use crate::diagnostic::{Diagnostic, Position};
use crate::model::{
    ActionStatus, Adopted, Body, CaseItem, Formula, Kind, Language, Meeting, MinutesItem, Proposed,
    RestrictionKind, Role, Standing,
};

/// The labels file in a templates folder.
pub const LABELS_FILE: &str = "labels.yaml";

/// The labels shipped with motebok, used when a templates folder has none.
#[cfg(test)]
const BUILTIN_LABELS: &str = include_str!("../../templates/labels.yaml");

/// Words and formulaic phrases printed in documents (`templates/labels.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    roles: RoleLabels,
    kinds: KindLabels,
    action_status: StatusLabels,
    decision_heading: String,
    meeting_title: String,
    standing_titles: StandingTitles,
    decisions: FormulaLabels,
    /// Absent from a project's own copy written before it existed: the
    /// built-in words are used then.
    #[serde(default)]
    restrictions: Option<RestrictionLabels>,
    /// The words of the formal record; a labels file written before it had
    /// them gets the built-in ones.
    #[serde(default = "builtin_protocol")]
    protocol: ProtocolLabels,
    /// The language's code (`nb`), declared by the PDFs; a file written
    /// before it had one is bokmål.
    #[serde(default = "default_language")]
    pub(super) language: String,
    /// Month and weekday names and the long form of a date; a file written
    /// before it had them gets the built-in (bokmål) ones.
    #[serde(default = "builtin_dates")]
    pub(super) dates: DateLabels,
    /// The fixed words templates print (`labels.agenda`, …); words a file
    /// lacks are the built-in file's of its language.
    #[serde(default)]
    pub(super) words: BTreeMap<String, String>,
    /// The language these labels are for.
    #[serde(skip)]
    pub(super) own: Language,
    /// The labels of the other languages, chosen by a body's `language`.
    #[serde(skip)]
    pub(super) others: Vec<Labels>,
}

/// The built-in `protocol` section.
fn builtin_protocol() -> ProtocolLabels {
    Labels::builtin_in(Language::Bokmal).protocol
}

/// How dates print (`dates` in a labels file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DateLabels {
    /// January to December.
    pub(super) months: Vec<String>,
    /// Monday to Sunday.
    pub(super) weekdays: Vec<String>,
    /// The long form, with `{day}`, `{month}` and `{year}`.
    pub(super) long: String,
}

/// The built-in `dates` section (bokmål).
fn builtin_dates() -> DateLabels {
    Labels::builtin_in(Language::Bokmal).dates
}

/// The code of a labels file written before it named its language.
fn default_language() -> String {
    Language::Bokmal.code().to_owned()
}

/// How exempt and closed items are marked, and the notice that replaces what
/// the public versions withhold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RestrictionLabels {
    exempt: String,
    closed: String,
    exempt_notice: String,
    closed_notice: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StandingTitles {
    innkalling: String,
    referat: String,
    referat_without_date: String,
    eventuelt: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormulaLabels {
    innkalling: String,
    referat: String,
    referat_without_date: String,
    orientering: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleLabels {
    leader: String,
    member: String,
    observer: String,
    secretariat: String,
    /// Added after the first labels files; those get the built-in word.
    #[serde(default = "builtin_deputy_leader")]
    deputy_leader: String,
    /// As `deputy_leader`.
    #[serde(default = "builtin_deputy")]
    deputy: String,
}

/// The built-in word for the deputy leader.
fn builtin_deputy_leader() -> String {
    Labels::builtin_in(Language::Bokmal).roles.deputy_leader
}

/// The built-in word for a deputy.
fn builtin_deputy() -> String {
    Labels::builtin_in(Language::Bokmal).roles.deputy
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindLabels {
    godkjenning: String,
    orientering: String,
    #[serde(rename = "drøfting")]
    drofting: String,
    tilslutning: String,
    beslutning: String,
    anbefaling: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusLabels {
    open: String,
    closed: String,
}

impl Default for Labels {
    fn default() -> Self {
        Labels::builtin()
    }
}

impl Labels {
    /// The labels shipped with motebok: bokmål, carrying the other languages.
    pub fn builtin() -> Labels {
        Labels::builtin_in(Language::Bokmal).with_languages(vec![
            Labels::builtin_in(Language::Nynorsk),
            Labels::builtin_in(Language::English),
        ])
    }

    /// Parses the text of a labels file.
    #[allow(clippy::result_large_err)]
    pub fn parse(text: &str) -> Result<Labels, Diagnostic> {
        // A key written twice in a mapping of words would otherwise count
        // once, the last one, silently (content files refuse it too).
        if let Some((at, key)) = crate::locate::duplicate_key(text) {
            return Err(Diagnostic::error(format!(
                "invalid labels: the key `{key}` is written twice in the same mapping"
            ))
            .at(Some(at), Some(text))
            .hint("keep one of them: YAML does not say which one counts"));
        }
        serde_yaml_ng::from_str(text).map_err(|err| {
            let position = err.location().map(|l| Position {
                line: l.line(),
                column: l.column(),
            });
            let message = err.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message);
            Diagnostic::error(format!("invalid labels: {message}"))
                .at(position, Some(text))
                .hint("compare with templates/labels.yaml in motebok's repository")
        })
    }

    /// How `role` prints.
    pub fn role(&self, role: Role) -> &str {
        let r = &self.roles;
        match role {
            Role::Leader => &r.leader,
            Role::Member => &r.member,
            Role::Observer => &r.observer,
            Role::Secretariat => &r.secretariat,
            Role::DeputyLeader => &r.deputy_leader,
            Role::Deputy => &r.deputy,
        }
    }

    /// How `kind` prints.
    pub fn kind(&self, kind: Kind) -> &str {
        let k = &self.kinds;
        match kind {
            Kind::Godkjenning => &k.godkjenning,
            Kind::Orientering => &k.orientering,
            Kind::Drøfting => &k.drofting,
            Kind::Tilslutning => &k.tilslutning,
            Kind::Beslutning => &k.beslutning,
            Kind::Anbefaling => &k.anbefaling,
        }
    }

    /// How an action point's status prints.
    pub fn action_status(&self, status: ActionStatus) -> &str {
        match status {
            ActionStatus::Open => &self.action_status.open,
            ActionStatus::Closed => &self.action_status.closed,
        }
    }

    /// The title of a meeting of `body` that has none written.
    pub fn meeting_title(&self, body: &Body) -> String {
        self.meeting_title.replace("{body}", &body.name)
    }

    /// The words of the formal record (`protocol`).
    pub(super) fn protocol(&self) -> &ProtocolLabels {
        &self.protocol
    }

    /// The heading of the proposed decision, when an item has none written.
    pub fn decision_heading(&self) -> &str {
        &self.decision_heading
    }

    /// The restriction words of these labels, or the built-in ones.
    fn restrictions(&self) -> &RestrictionLabels {
        static BUILTIN: std::sync::OnceLock<RestrictionLabels> = std::sync::OnceLock::new();
        self.restrictions.as_ref().unwrap_or_else(|| {
            BUILTIN.get_or_init(|| {
                Labels::builtin_in(Language::Bokmal)
                    .restrictions
                    .expect("the built-in labels.yaml has restrictions")
            })
        })
    }

    /// The mark of a restricted item (`Unntatt offentlighet`).
    pub fn restriction(&self, kind: RestrictionKind) -> &str {
        let r = self.restrictions();
        match kind {
            RestrictionKind::Exempt => &r.exempt,
            RestrictionKind::Closed => &r.closed,
        }
    }

    /// The notice printed where the public versions withhold a restricted item.
    pub fn withheld_notice(&self, kind: RestrictionKind) -> &str {
        let r = self.restrictions();
        match kind {
            RestrictionKind::Exempt => &r.exempt_notice,
            RestrictionKind::Closed => &r.closed_notice,
        }
    }
}

/// The formulaic phrases of one meeting: titles of standing items, proposed
/// decisions written out, decisions as adopted.
pub struct Phrases<'a> {
    labels: &'a Labels,
    body: &'a Body,
    /// The previous meeting's date as printed, when known.
    previous: Option<String>,
}

impl<'a> Phrases<'a> {
    /// The phrases of `meeting` of `body`, in the body's language.
    pub fn new(labels: &'a Labels, body: &'a Body, meeting: &Meeting) -> Self {
        let labels = labels.for_language(body.language);
        Phrases {
            labels,
            body,
            previous: meeting.previous.as_ref().map(|p| labels.date(p.date)),
        }
    }

    /// Fills `{body}`, `{subject}` and `{date}` into `phrase`.
    fn fill(&self, phrase: &str) -> String {
        phrase
            .replace("{body}", &self.body.name)
            .replace("{subject}", &self.body.short_name)
            .replace("{date}", self.previous.as_deref().unwrap_or_default())
    }

    /// The item's title: as written, or its standing item's.
    pub fn title(&self, item: &CaseItem) -> String {
        let titles = &self.labels.standing_titles;
        let phrase = match (&item.title, item.standing) {
            (Some(title), _) => return title.clone(),
            (None, None) => return String::new(),
            (None, Some(Standing::Innkalling)) => &titles.innkalling,
            (None, Some(Standing::Referat)) if self.previous.is_some() => &titles.referat,
            (None, Some(Standing::Referat)) => &titles.referat_without_date,
            (None, Some(Standing::Eventuelt)) => &titles.eventuelt,
        };
        self.fill(phrase)
    }

    /// The proposed decisions, written out.
    pub fn proposed(&self, item: &CaseItem) -> Vec<String> {
        let formulas = &self.labels.decisions;
        let phrase = match &item.proposed {
            None => return Vec::new(),
            Some(Proposed::Written(list)) => return list.clone(),
            Some(Proposed::Formula(Formula::ApproveSummons)) => &formulas.innkalling,
            Some(Proposed::Formula(Formula::ApproveMinutes)) if self.previous.is_some() => {
                &formulas.referat
            }
            Some(Proposed::Formula(Formula::ApproveMinutes)) => &formulas.referat_without_date,
            Some(Proposed::Formula(Formula::TakeNote)) => &formulas.orientering,
        };
        vec![self.fill(phrase)]
    }

    /// The decisions the minutes record for `case`, and whether they differ
    /// from the proposed ones.
    pub fn adopted(&self, case: &CaseItem, item: &MinutesItem) -> (Vec<String>, bool) {
        match &item.decision {
            None => (Vec::new(), false),
            Some(Adopted::AsProposed) => (self.proposed(case), false),
            Some(Adopted::Written(list)) => {
                let amended = case.has_proposal() && *list != self.proposed(case);
                (list.clone(), amended)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bokmål body without members, branding or footer.
    fn body(id: &str, name: &str, short_name: &str) -> Body {
        Body {
            id: id.to_owned(),
            name: name.to_owned(),
            short_name: short_name.to_owned(),
            organisation: String::new(),
            branding: crate::model::Branding::default(),
            case_format: crate::model::CaseFormat::default(),
            footer: None,
            members: Vec::new(),
            language: crate::model::Language::Bokmal,
        }
    }

    #[test]
    fn restriction_words_fall_back_to_the_built_in_ones() {
        let own = BUILTIN_LABELS.split("\nrestrictions:").next().unwrap();
        let labels = Labels::parse(own).expect("a copy without restrictions is valid");
        assert!(labels.restrictions.is_none());
        assert_eq!(
            labels.restriction(RestrictionKind::Exempt),
            "Unntatt offentlighet"
        );
        assert!(
            labels
                .withheld_notice(RestrictionKind::Closed)
                .contains("lukket møte")
        );
    }

    #[test]
    fn builtin_labels_name_every_role_kind_and_status() {
        let labels = Labels::builtin();
        assert_eq!(labels.role(Role::Leader), "Leder");
        assert_eq!(labels.role(Role::Observer), "Observatør");
        assert_eq!(labels.kind(Kind::Drøfting), "Drøfting");
        assert_eq!(labels.action_status(ActionStatus::Open), "Åpen");
        assert_eq!(labels.action_status(ActionStatus::Closed), "Lukket");
        assert_eq!(labels.decision_heading, "Forslag til vedtak");
        for kind in Kind::ALL {
            assert_eq!(labels.kind(kind).to_lowercase(), kind.name());
        }
    }

    #[test]
    fn bad_labels_are_located() {
        let err = Labels::parse("roles:\n  leder: Leder\n").unwrap_err();
        assert!(
            err.message.starts_with("invalid labels: "),
            "{}",
            err.message
        );
        assert_eq!(err.position.map(|p| p.line), Some(2));
    }

    /// A word written twice in a labels file is an error at the second
    /// one, not the last one silently winning.
    #[test]
    fn a_word_written_twice_is_located() {
        let (head, tail) = BUILTIN_LABELS
            .split_once("\nwords:\n")
            .expect("labels have words");
        let twice = format!("{head}\nwords:\n  agenda: Dagsorden\n  agenda: Saksliste\n{tail}");
        let err = Labels::parse(&twice).unwrap_err();
        assert_eq!(
            err.message,
            "invalid labels: the key `agenda` is written twice in the same mapping"
        );
        let line = head.lines().count() + 3;
        assert_eq!(err.position.map(|p| (p.line, p.column)), Some((line, 3)));
    }

    fn meeting(previous: Option<&str>) -> Meeting {
        Meeting {
            slug: "2024-01".to_owned(),
            number: crate::model::MeetingNumber::parse("1/2024").unwrap(),
            date: crate::model::Date::parse("2024-01-10").unwrap(),
            start: None,
            end: None,
            place: String::new(),
            video_link: None,
            chair: None,
            title: None,
            previous: previous.map(|d| crate::model::Previous {
                date: crate::model::Date::parse(d).unwrap(),
                number: None,
            }),
            order_note: None,
            notes: None,
            roster: Vec::new(),
            agenda: Vec::new(),
            span: None,
            action_status: Vec::new(),
            minutes: None,
            status: crate::model::MeetingStatus::Sent,
            closed: None,
        }
    }

    fn item(standing: Standing, proposed: Option<Proposed>) -> CaseItem {
        CaseItem {
            standing: Some(standing),
            duration: 5,
            proposed,
            ..CaseItem::bare("1/24")
        }
    }

    #[test]
    fn phrases_fill_body_subject_and_date() {
        let labels = Labels::builtin();
        let body = body("rad", "Rådet for testing", "Rådet");
        let minutes = item(
            Standing::Referat,
            Some(Proposed::Formula(Formula::ApproveMinutes)),
        );
        let known = Phrases::new(&labels, &body, &meeting(Some("2023-11-16")));
        assert_eq!(
            known.title(&minutes),
            "Godkjenning av referat fra møte i Rådet for testing 16. november 2023"
        );
        assert_eq!(
            known.proposed(&minutes),
            ["Rådet godkjenner referatet fra møtet 16. november 2023."]
        );
        let unknown = Phrases::new(&labels, &body, &meeting(None));
        assert_eq!(
            unknown.title(&minutes),
            "Godkjenning av referat fra forrige møte i Rådet for testing"
        );
        assert_eq!(
            unknown.proposed(&minutes),
            ["Rådet godkjenner referatet fra forrige møte."]
        );
        let eventuelt = item(Standing::Eventuelt, None);
        assert_eq!(unknown.title(&eventuelt), "Eventuelt");
        assert!(unknown.proposed(&eventuelt).is_empty());
    }

    #[test]
    fn a_labels_file_from_before_the_formal_record_still_parses() {
        let old = BUILTIN_LABELS
            .split("\n# Møteprotokollen")
            .next()
            .unwrap()
            .replace("  deputy_leader: Nestleder\n", "")
            .replace("  deputy: Varamedlem\n", "");
        assert!(!old.contains("protocol:") && !old.contains("deputy"));
        let labels = Labels::parse(&old).unwrap();
        assert_eq!(labels.role(Role::Deputy), "Varamedlem");
        assert_eq!(labels.role(Role::DeputyLeader), "Nestleder");
        assert!(format!("{:?}", labels.protocol()).contains("Enstemmig vedtatt."));
    }

    #[test]
    fn a_body_can_reword_the_labels() {
        let text = BUILTIN_LABELS
            .replace("leader: Leder", "leader: Styreleder")
            .replace(
                "innkalling: \"{subject} godkjenner innkalling og dagsorden.\"",
                "innkalling: \"{subject} vedtar innkallingen.\"",
            );
        let labels = Labels::parse(&text).unwrap();
        assert_eq!(labels.role(Role::Leader), "Styreleder");
        let body = body("nuit", "Nasjonalt utvalg", "NUIT");
        let summons = item(
            Standing::Innkalling,
            Some(Proposed::Formula(Formula::ApproveSummons)),
        );
        let phrases = Phrases::new(&labels, &body, &meeting(None));
        assert_eq!(phrases.proposed(&summons), ["NUIT vedtar innkallingen."]);
    }
}
