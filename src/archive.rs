//! `motebok archive`: the internal set in the output folder, and the public
//! site in its own folder (`site/`), which CI can publish as it is.
//!
//! The site holds only public material: `index.html`, `index.json`, a
//! calendar per body, and the public versions of the published meetings'
//! PDFs (see [`crate::model::Project::public_version`]). The index lists
//! bodies, per body the years, per year the meetings with links to their
//! documents and the text of their decisions, so the page is searchable.
//! Draft minutes are left out unless asked for.

mod ics;
mod site;

use std::path::PathBuf;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::document::{DocumentKind, DraftRule, Scope};
use crate::model::{Body, BodyContent, CaseItem, Meeting, Project};
use crate::output::write_atomic;
use crate::pipeline::{BuildConfig, BuildReport, build_with};
use crate::render::Renderer;
use crate::view::{
    Labels, Phrases, meeting_status_name, minutes_status_name, restriction_label, restriction_name,
};

pub use self::site::DEFAULT_SITE;

/// The template of the archive's front page.
pub const INDEX_TEMPLATE: &str = "arkiv.html.j2";

/// Version of the `index.json` format (see docs/archive.md).
pub const INDEX_FORMAT: u32 = 1;

/// The settings of `motebok archive`.
#[derive(Debug, Clone)]
pub struct ArchiveConfig {
    /// The build of the internal set (into its output folder, drafts included).
    pub build: BuildConfig,
    /// The folder the public site is written to.
    pub site: PathBuf,
    /// Also publish draft minutes.
    pub include_drafts: bool,
}

/// What an archive run did: the internal build's report (with the site's
/// diagnostics), and the number of public documents in the site.
#[derive(Debug, Default)]
pub struct ArchiveReport {
    /// The internal build, with every diagnostic of the run.
    pub build: BuildReport,
    /// Public documents written to (or kept unchanged in) the site.
    pub published: usize,
}

/// `index.json`, and the context of the HTML template.
#[derive(Debug, Serialize)]
pub struct Index {
    /// Version of this format.
    pub format: u32,
    /// The bodies, by id.
    pub bodies: Vec<IndexBody>,
}

/// One body in the index.
#[derive(Debug, Serialize)]
pub struct IndexBody {
    /// Id (`nehs`).
    pub id: String,
    /// Full name.
    pub name: String,
    /// The organisation running its secretariat.
    pub organisation: String,
    /// Its calendar of published meetings, relative to the index.
    pub calendar: String,
    /// Years, newest first.
    pub years: Vec<IndexYear>,
}

/// One year of a body's meetings.
#[derive(Debug, Serialize)]
pub struct IndexYear {
    /// The year.
    pub year: i32,
    /// Its meetings, newest first.
    pub meetings: Vec<IndexMeeting>,
}

/// A number and its year as numbers (`{"number": 38, "year": 2020}`).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct NumberParts {
    /// Running number within the year.
    pub number: u32,
    /// The full year.
    pub year: i32,
}

/// A case number as parts (`{"series": "PS", "number": 12, "year": 2024}`);
/// `series` only for a body whose `case_format` has series.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct CaseParts {
    /// The series prefix (`PS`), for a body with series.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    /// Running number within the year (and series).
    pub number: u32,
    /// The full year.
    pub year: i32,
}

/// One meeting in the index; paths are relative to the index.
#[derive(Debug, Serialize)]
pub struct IndexMeeting {
    /// Meeting number (`7/2020`).
    pub number: String,
    /// The meeting number as numbers.
    pub number_parts: NumberParts,
    /// ISO date.
    pub date: String,
    /// Norwegian date.
    pub date_text: String,
    /// The meeting's title as written (`Ekstraordinært møte`); left out when
    /// not written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `sent` (only published meetings are listed).
    pub status: &'static str,
    /// Place.
    pub place: String,
    /// When the meeting is closed: why.
    pub closed: Option<IndexRestriction>,
    /// The meeting's documents under their kinds' archive keys: `summons`,
    /// `pack`, and `minutes` when published.
    #[serde(flatten)]
    pub documents: Documents,
    /// The cases in agenda order.
    pub cases: Vec<IndexCase>,
}

/// Documents by the archive key of their kind, in the order of the table of
/// kinds; `None` (null) when a document is absent.
#[derive(Debug, Default)]
pub struct Documents(pub Vec<(&'static str, Option<IndexDocument>)>);

impl Serialize for Documents {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, document) in &self.0 {
            map.serialize_entry(key, document)?;
        }
        map.end()
    }
}

/// A document in the index.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum IndexDocument {
    /// Its path.
    Path(String),
    /// A document that follows the minutes' status: its path and that status.
    Minutes(IndexMinutes),
}

/// Published minutes.
#[derive(Debug, Serialize)]
pub struct IndexMinutes {
    /// The PDF.
    pub path: String,
    /// `draft` or `final`.
    pub status: &'static str,
    /// When final: the date approved, as printed.
    pub approved: Option<String>,
    /// When final: the date approved, ISO.
    pub approved_date: Option<String>,
}

/// Why an item or meeting is not public.
#[derive(Debug, Serialize)]
pub struct IndexRestriction {
    /// `exempt` or `closed`.
    pub kind: &'static str,
    /// The legal basis as printed, when given.
    pub basis: Option<String>,
    /// The mark as printed (`Unntatt offentlighet, Offl. § 13`).
    pub label: String,
}

/// One case in the index.
#[derive(Debug, Serialize)]
pub struct IndexCase {
    /// Case number (`38/20`).
    pub case: String,
    /// The case number as parts: series (if any), number, full year.
    pub case_parts: CaseParts,
    /// Title (the public title of a restricted item).
    pub title: String,
    /// Kind as printed.
    pub kind: Option<String>,
    /// When the item is exempt or closed: why (its paper, proposed decision
    /// and decisions are withheld).
    pub restriction: Option<IndexRestriction>,
    /// The case's documents under their kinds' archive keys: `paper`, when it has one.
    #[serde(flatten)]
    pub documents: Documents,
    /// The proposed decisions.
    pub proposed: Vec<String>,
    /// The decisions as adopted, from published minutes.
    pub adopted: Vec<String>,
    /// Postponement note.
    pub postponed: Option<String>,
    /// The computed values of the case paper's data blocks (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<serde_json::Value>,
    /// The case officer (*saksbehandler*), when written (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_officer: Option<String>,
    /// The archive reference (*arkivsak*), when written (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_ref: Option<String>,
}

/// Builds every selected meeting's internal documents into the output folder,
/// then the public site: every published meeting's public documents, the
/// index and the calendars.
pub fn archive(config: &ArchiveConfig, filter: &[String]) -> ArchiveReport {
    let mut published = 0;
    let build = build_with(&config.build, filter, |project, renderer, _report| {
        let (count, diagnostics) = site::publish(config, project, renderer);
        published = count;
        diagnostics
    });
    ArchiveReport { build, published }
}

/// The index of what is in the folder `config.output` (the site).
pub fn index(config: &BuildConfig, project: &Project, labels: &Labels) -> Index {
    let bodies = project
        .bodies
        .iter()
        .map(|content| body_entry(config, content, labels))
        .collect();
    Index {
        format: INDEX_FORMAT,
        bodies,
    }
}

/// A body's entry: its meetings, newest first, grouped by year.
fn body_entry(config: &BuildConfig, content: &BodyContent, labels: &Labels) -> IndexBody {
    let body = &content.body;
    let mut years: Vec<IndexYear> = Vec::new();
    for meeting in content.meetings.iter().rev() {
        let entry = meeting_entry(config, body, meeting, labels);
        let year = meeting.date.year;
        match years.iter_mut().find(|y| y.year == year) {
            Some(y) => y.meetings.push(entry),
            None => years.push(IndexYear {
                year,
                meetings: vec![entry],
            }),
        }
    }
    IndexBody {
        calendar: ics::calendar_path(body),
        id: body.id.clone(),
        name: body.name.clone(),
        organisation: body.organisation.clone(),
        years,
    }
}

/// A meeting's entry, linking the documents in the output.
fn meeting_entry(
    config: &BuildConfig,
    body: &Body,
    meeting: &Meeting,
    labels: &Labels,
) -> IndexMeeting {
    // Words and dates as the body's documents print them.
    let labels = labels.for_language(body.language);
    let dir = format!("{}/{}", body.id, meeting.slug);
    let phrases = Phrases::new(labels, body, meeting);
    let published = meeting
        .minutes
        .as_ref()
        .filter(|_| config.include_drafts || !crate::document::minutes_are_draft(meeting));
    let century = meeting.date.year - meeting.date.year % 100;
    let cases = meeting
        .cases()
        .map(|item| IndexCase {
            case: item.case.to_string(),
            case_parts: CaseParts {
                series: (!item.case.series.is_none()).then(|| item.case.series.as_str().to_owned()),
                number: item.case.number,
                year: century + i32::try_from(item.case.year).unwrap_or_default(),
            },
            title: phrases.title(item),
            kind: item.kind.map(|k| labels.kind(k).to_owned()),
            restriction: item
                .restriction
                .as_ref()
                .map(|r| index_restriction(labels, r)),
            documents: documents(config, &dir, meeting, Some(item), labels),
            proposed: phrases.proposed(item),
            adopted: published
                .and_then(|m| m.items.iter().find(|i| i.case == item.case))
                .map(|i| phrases.adopted(item, i).0)
                .unwrap_or_default(),
            postponed: item.postponed.clone(),
            blocks: item
                .blocks
                .iter()
                .map(crate::blocks::Block::values)
                .collect(),
            case_officer: item.case_officer.clone(),
            archive_ref: item.archive_ref.clone(),
        })
        .collect();
    IndexMeeting {
        number: meeting.number.to_string(),
        number_parts: NumberParts {
            number: meeting.number.number,
            year: meeting.number.year,
        },
        date: meeting.date.to_string(),
        date_text: labels.date(meeting.date),
        title: meeting.title.clone(),
        status: meeting_status_name(meeting.status),
        place: meeting.place.clone(),
        closed: meeting
            .closed
            .as_ref()
            .map(|r| index_restriction(labels, r)),
        documents: documents(config, &dir, meeting, None, labels),
        cases,
    }
}

/// The documents of the meeting (`item` `None`) or of one of its cases, in the
/// folder `dir`: each kind of that scope under its archive key, linked when it
/// exists, is published (not a draft, unless drafts are) and is in the output.
fn documents(
    config: &BuildConfig,
    dir: &str,
    meeting: &Meeting,
    item: Option<&CaseItem>,
    labels: &Labels,
) -> Documents {
    let scope = if item.is_some() {
        Scope::Item
    } else {
        Scope::Meeting
    };
    let entries = DocumentKind::ALL
        .into_iter()
        .filter(|kind| kind.spec().scope == scope)
        .map(|kind| {
            let published =
                kind.exists(meeting, item) && (config.include_drafts || !kind.is_draft(meeting));
            let path = format!(
                "{dir}/{}",
                kind.file_name(item.map(|i| i.slug()).as_deref())
            );
            let linked = published && config.output.join(&path).is_file();
            let document = linked.then(|| index_document(kind, meeting, path, labels));
            (kind.spec().archive_key, document)
        })
        .collect();
    Documents(entries)
}

/// The index entry of the document of `kind` at `path`: a document that
/// follows the minutes' status is listed with it.
fn index_document(
    kind: DocumentKind,
    meeting: &Meeting,
    path: String,
    labels: &Labels,
) -> IndexDocument {
    let minutes = match kind.spec().draft {
        DraftRule::Never => None,
        DraftRule::WhileMinutesDraft { .. } => meeting.minutes.as_ref(),
    };
    match minutes {
        Some(minutes) => IndexDocument::Minutes(IndexMinutes {
            path,
            status: minutes_status_name(minutes.status),
            approved: minutes.approved.map(|d| labels.date(d)),
            approved_date: minutes.approved.map(|d| d.to_string()),
        }),
        None => IndexDocument::Path(path),
    }
}

/// How a restriction is listed.
fn index_restriction(labels: &Labels, r: &crate::model::Restriction) -> IndexRestriction {
    IndexRestriction {
        kind: restriction_name(r.kind),
        basis: r.basis.clone(),
        label: restriction_label(labels, r),
    }
}

/// What the archive's page (`arkiv.html.j2`) is rendered from: the index,
/// with the words of the page (`labels`: of the bodies' language when they
/// share one, else the project's) and of each body's section, in its own
/// language (`body_labels`, by body id).
fn page_context(index: &Index, project: &Project, renderer: &Renderer) -> minijinja::Value {
    use minijinja::Value;
    let labels = renderer.labels();
    let languages: Vec<_> = project.bodies.iter().map(|c| c.body.language).collect();
    let page = match languages.split_first() {
        Some((first, rest)) if rest.iter().all(|l| l == first) => labels.for_language(*first),
        _ => labels,
    };
    let body_labels: std::collections::BTreeMap<&str, Value> = project
        .bodies
        .iter()
        .map(|c| {
            let words = labels.for_language(c.body.language).site_words();
            (c.body.id.as_str(), Value::from_serialize(words))
        })
        .collect();
    minijinja::context! {
        labels => Value::from_serialize(page.site_words()),
        body_labels => body_labels,
        ..Value::from_serialize(index)
    }
}

/// Writes `index.json` and `index.html` into `config.output` (the site).
fn write_index(config: &BuildConfig, project: &Project, renderer: &Renderer) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let index = index(config, project, renderer.labels());
    let write = |name: &str, bytes: &[u8], diagnostics: &mut Vec<Diagnostic>| {
        let path = config.output.join(name);
        if let Err(err) = write_atomic(&path, bytes) {
            diagnostics.push(Diagnostic::error(format!(
                "failed to write {} ({err})",
                path.display()
            )));
        }
    };
    match serde_json::to_vec_pretty(&index) {
        Ok(mut json) => {
            json.push(b'\n');
            write("index.json", &json, &mut diagnostics);
        }
        Err(err) => diagnostics.push(Diagnostic::error(format!(
            "failed to write index.json ({err})"
        ))),
    }
    match renderer.render_named(INDEX_TEMPLATE, page_context(&index, project, renderer)) {
        Ok(html) => write("index.html", html.as_bytes(), &mut diagnostics),
        Err(diag) => diagnostics.push(diag),
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_serialize_in_place_and_in_table_order() {
        let documents = |entries: Vec<(&'static str, Option<&str>)>| {
            let entries = entries
                .into_iter()
                .map(|(key, path)| (key, path.map(|p| IndexDocument::Path(p.to_owned()))))
                .collect();
            Documents(entries)
        };
        let meeting = IndexMeeting {
            number: "1/2024".into(),
            number_parts: NumberParts {
                number: 1,
                year: 2024,
            },
            date: "2024-02-14".into(),
            date_text: "14. februar 2024".into(),
            title: None,
            status: "sent",
            place: "Oslo".into(),
            closed: None,
            documents: documents(vec![
                ("summons", Some("s/2024-01/innkalling.pdf")),
                ("pack", None),
            ]),
            cases: vec![IndexCase {
                case: "1/24".into(),
                case_parts: CaseParts {
                    series: None,
                    number: 1,
                    year: 2024,
                },
                title: "Godkjenning".into(),
                kind: None,
                restriction: None,
                documents: documents(vec![("paper", None)]),
                proposed: vec![],
                adopted: vec![],
                postponed: None,
                blocks: vec![],
                case_officer: None,
                archive_ref: None,
            }],
        };
        assert_eq!(
            serde_json::to_string(&meeting).unwrap(),
            concat!(
                r#"{"number":"1/2024","number_parts":{"number":1,"year":2024},"#,
                r#""date":"2024-02-14","date_text":"14. februar 2024","status":"sent","#,
                r#""place":"Oslo","closed":null,"summons":"s/2024-01/innkalling.pdf","pack":null,"#,
                r#""cases":[{"case":"1/24","case_parts":{"number":1,"year":2024},"#,
                r#""title":"Godkjenning","kind":null,"restriction":null,"paper":null,"#,
                r#""proposed":[],"adopted":[],"postponed":null}]}"#
            )
        );
    }
}
