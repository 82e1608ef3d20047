//! `motebok archive`: every PDF plus a static site (`index.html`, `index.json`)
//! that CI can publish as it is.
//!
//! The index lists bodies, per body the years, per year the meetings with links
//! to their documents and the text of their decisions, so the page is
//! searchable. Draft minutes are left out unless asked for.

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::document::{DocumentKind, DraftRule, Scope, minutes_are_draft};
use crate::model::{Body, BodyContent, CaseItem, Meeting, Project};
use crate::output::Commit;
use crate::pipeline::{BuildConfig, BuildReport, build_with, plan};
use crate::render::Renderer;
use crate::view::{Labels, Phrases, date_text, minutes_status_name};

/// The template of the archive's front page.
pub const INDEX_TEMPLATE: &str = "arkiv.html.j2";

/// Version of the `index.json` format (see docs/archive.md).
pub const INDEX_FORMAT: u32 = 1;

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

/// One meeting in the index; paths are relative to the index.
#[derive(Debug, Serialize)]
pub struct IndexMeeting {
    /// Meeting number (`7/2020`).
    pub number: String,
    /// ISO date.
    pub date: String,
    /// Norwegian date.
    pub date_text: String,
    /// Place.
    pub place: String,
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
}

/// One case in the index.
#[derive(Debug, Serialize)]
pub struct IndexCase {
    /// Case number (`38/20`).
    pub case: String,
    /// Title.
    pub title: String,
    /// Kind as printed.
    pub kind: Option<String>,
    /// The case's documents under their kinds' archive keys: `paper`, when it has one.
    #[serde(flatten)]
    pub documents: Documents,
    /// The proposed decisions.
    pub proposed: Vec<String>,
    /// The decisions as adopted, from published minutes.
    pub adopted: Vec<String>,
    /// Postponement note.
    pub postponed: Option<String>,
    /// The case officer (*saksbehandler*), when written (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_officer: Option<String>,
    /// The archive reference (*arkivsak*), when written (left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_ref: Option<String>,
}

/// Builds every selected meeting and writes the archive's index beside the PDFs.
pub fn archive(config: &BuildConfig, filter: &[String]) -> BuildReport {
    build_with(config, filter, |project, renderer, report| {
        write_index(config, project, renderer, &mut report.commit)
    })
}

/// The index of what is in `output`.
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
    let dir = format!("{}/{}", body.id, meeting.slug);
    let phrases = Phrases::new(labels, body, meeting);
    let published = meeting
        .minutes
        .as_ref()
        .filter(|_| config.include_drafts || !minutes_are_draft(meeting));
    let cases = meeting
        .cases()
        .map(|item| IndexCase {
            case: item.case.to_string(),
            title: phrases.title(item),
            kind: item.kind.map(|k| labels.kind(k).to_owned()),
            documents: documents(config, &dir, meeting, Some(item)),
            proposed: phrases.proposed(item),
            adopted: published
                .and_then(|m| m.items.iter().find(|i| i.case == item.case))
                .map(|i| phrases.adopted(item, i).0)
                .unwrap_or_default(),
            postponed: item.postponed.clone(),
            case_officer: item.case_officer.clone(),
            archive_ref: item.archive_ref.clone(),
        })
        .collect();
    IndexMeeting {
        number: meeting.number.to_string(),
        date: meeting.date.to_string(),
        date_text: date_text(meeting.date),
        place: meeting.place.clone(),
        documents: documents(config, &dir, meeting, None),
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
            let document = linked.then(|| index_document(kind, meeting, path));
            (kind.spec().archive_key, document)
        })
        .collect();
    Documents(entries)
}

/// The index entry of the document of `kind` at `path`: a document that
/// follows the minutes' status is listed with it.
fn index_document(kind: DocumentKind, meeting: &Meeting, path: String) -> IndexDocument {
    let minutes = match kind.spec().draft {
        DraftRule::Never => None,
        DraftRule::WhileMinutesDraft { .. } => meeting.minutes.as_ref(),
    };
    match minutes {
        Some(minutes) => IndexDocument::Minutes(IndexMinutes {
            path,
            status: minutes_status_name(minutes.status),
            approved: minutes.approved.map(date_text),
        }),
        None => IndexDocument::Path(path),
    }
}

/// Writes `index.json` and `index.html` as part of the build's `commit` (so
/// that a failure undoes the whole build), and removes draft minutes left in
/// the output by earlier builds unless drafts are published.
fn write_index(
    config: &BuildConfig,
    project: &Project,
    renderer: &Renderer,
    commit: &mut Commit,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if !config.include_drafts {
        remove_drafts(config, project, &mut diagnostics);
    }
    let index = index(config, project, renderer.labels());
    match serde_json::to_vec_pretty(&index) {
        Ok(mut json) => {
            json.push(b'\n');
            if let Err(err) = commit.write(&config.output.join("index.json"), &json) {
                diagnostics.push(Diagnostic::error(format!(
                    "failed to write index.json ({err})"
                )));
            }
        }
        Err(err) => diagnostics.push(Diagnostic::error(format!(
            "failed to write index.json ({err})"
        ))),
    }
    match renderer.render_named(INDEX_TEMPLATE, minijinja::Value::from_serialize(&index)) {
        Ok(html) => {
            if let Err(err) = commit.write(&config.output.join("index.html"), html.as_bytes()) {
                diagnostics.push(Diagnostic::error(format!(
                    "failed to write index.html ({err})"
                )));
            }
        }
        Err(diag) => diagnostics.push(diag),
    }
    diagnostics
}

/// Removes the draft documents (draft minutes) that earlier builds left in the output.
fn remove_drafts(config: &BuildConfig, project: &Project, diagnostics: &mut Vec<Diagnostic>) {
    for job in plan(project) {
        let meeting = &project.bodies[job.body].meetings[job.meeting];
        let path = config.output.join(&job.path);
        if job.kind.is_draft(meeting)
            && path.is_file()
            && let Err(err) = std::fs::remove_file(&path)
        {
            diagnostics.push(Diagnostic::error(format!(
                "failed to remove the draft minutes {} from the archive ({err})",
                path.display()
            )));
        }
    }
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
            date: "2024-02-14".into(),
            date_text: "14. februar 2024".into(),
            place: "Oslo".into(),
            documents: documents(vec![
                ("summons", Some("s/2024-01/innkalling.pdf")),
                ("pack", None),
            ]),
            cases: vec![IndexCase {
                case: "1/24".into(),
                title: "Godkjenning".into(),
                kind: None,
                documents: documents(vec![("paper", None)]),
                proposed: vec![],
                adopted: vec![],
                postponed: None,
                case_officer: None,
                archive_ref: None,
            }],
        };
        assert_eq!(
            serde_json::to_string(&meeting).unwrap(),
            concat!(
                r#"{"number":"1/2024","date":"2024-02-14","date_text":"14. februar 2024","#,
                r#""place":"Oslo","summons":"s/2024-01/innkalling.pdf","pack":null,"#,
                r#""cases":[{"case":"1/24","title":"Godkjenning","kind":null,"paper":null,"#,
                r#""proposed":[],"adopted":[],"postponed":null}]}"#
            )
        );
    }
}
