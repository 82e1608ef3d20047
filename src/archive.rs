//! `motebok archive`: every PDF plus a static site (`index.html`, `index.json`)
//! that CI can publish as it is.
//!
//! The index lists bodies, per body the years, per year the meetings with links
//! to their documents and the text of their decisions, so the page is
//! searchable. Draft minutes are left out unless asked for.

use std::path::Path;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::model::Project;
use crate::output::write_atomic;
use crate::pipeline::{BuildConfig, BuildReport, build_with, is_draft};
use crate::render::Renderer;

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
    /// The summons.
    pub summons: Option<String>,
    /// The meeting pack.
    pub pack: Option<String>,
    /// The minutes, when published.
    pub minutes: Option<IndexMinutes>,
    /// The cases in agenda order.
    pub cases: Vec<IndexCase>,
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
    /// The case paper, when it has one.
    pub paper: Option<String>,
    /// The proposed decisions.
    pub proposed: Vec<String>,
    /// The decisions as adopted, from published minutes.
    pub adopted: Vec<String>,
    /// Postponement note.
    pub postponed: Option<String>,
}

/// Builds every selected meeting and writes the archive's index beside the PDFs.
pub fn archive(config: &BuildConfig, filter: &[String]) -> BuildReport {
    build_with(config, filter, |project, renderer, _report| {
        write_index(config, project, renderer)
    })
}

fn existing(output: &Path, path: String) -> Option<String> {
    output.join(&path).is_file().then_some(path)
}

/// The index of what is in `output`.
pub fn index(config: &BuildConfig, project: &Project, labels: &crate::view::Labels) -> Index {
    let output = &config.output;
    let mut bodies = Vec::new();
    for content in &project.bodies {
        let body = &content.body;
        let mut years: Vec<IndexYear> = Vec::new();
        for meeting in content.meetings.iter().rev() {
            let dir = format!("{}/{}", body.id, meeting.slug);
            let published = meeting
                .minutes
                .as_ref()
                .filter(|_| config.include_drafts || !is_draft(meeting));
            let minutes = published.and_then(|m| {
                existing(output, format!("{dir}/referat.pdf")).map(|path| IndexMinutes {
                    path,
                    status: crate::view::minutes_status_name(m.status),
                    approved: m.approved.map(crate::view::date_text),
                })
            });
            let phrases = crate::view::Phrases::new(labels, body, meeting);
            let cases = meeting
                .cases()
                .map(|item| {
                    let adopted = published
                        .and_then(|m| m.items.iter().find(|i| i.case == item.case))
                        .map(|i| phrases.adopted(item, i).0)
                        .unwrap_or_default();
                    IndexCase {
                        case: item.case.to_string(),
                        title: phrases.title(item),
                        kind: item.kind.map(|k| labels.kind(k).to_owned()),
                        paper: existing(output, format!("{dir}/sak-{}.pdf", item.slug())),
                        proposed: phrases.proposed(item),
                        adopted,
                        postponed: item.postponed.clone(),
                    }
                })
                .collect();
            let entry = IndexMeeting {
                number: meeting.number.to_string(),
                date: meeting.date.to_string(),
                date_text: crate::view::date_text(meeting.date),
                place: meeting.place.clone(),
                summons: existing(output, format!("{dir}/innkalling.pdf")),
                pack: existing(output, format!("{dir}/motepakke.pdf")),
                minutes,
                cases,
            };
            let year = meeting.date.year;
            match years.iter_mut().find(|y| y.year == year) {
                Some(y) => y.meetings.push(entry),
                None => years.push(IndexYear {
                    year,
                    meetings: vec![entry],
                }),
            }
        }
        bodies.push(IndexBody {
            id: body.id.clone(),
            name: body.name.clone(),
            organisation: body.organisation.clone(),
            years,
        });
    }
    Index {
        format: INDEX_FORMAT,
        bodies,
    }
}

/// Writes `index.json` and `index.html`, and removes draft minutes left in the
/// output by earlier builds unless drafts are published.
fn write_index(config: &BuildConfig, project: &Project, renderer: &Renderer) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if !config.include_drafts {
        for content in &project.bodies {
            for meeting in content.meetings.iter().filter(|m| is_draft(m)) {
                let path = config
                    .output
                    .join(&content.body.id)
                    .join(&meeting.slug)
                    .join("referat.pdf");
                if path.is_file() {
                    if let Err(err) = std::fs::remove_file(&path) {
                        diagnostics.push(Diagnostic::error(format!(
                            "failed to remove the draft minutes {} from the archive ({err})",
                            path.display()
                        )));
                    }
                }
            }
        }
    }
    let index = index(config, project, renderer.labels());
    match serde_json::to_vec_pretty(&index) {
        Ok(mut json) => {
            json.push(b'\n');
            if let Err(err) = write_atomic(&config.output.join("index.json"), &json) {
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
            if let Err(err) = write_atomic(&config.output.join("index.html"), html.as_bytes()) {
                diagnostics.push(Diagnostic::error(format!(
                    "failed to write index.html ({err})"
                )));
            }
        }
        Err(diag) => diagnostics.push(diag),
    }
    diagnostics
}
