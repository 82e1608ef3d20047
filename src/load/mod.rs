//! Load stage: reads `content/` into the model, reporting every problem with file, line and field.
//!
//! The stage is split along its seams: [`source`] reads and cleans text and
//! parses YAML (the only place that opens content files), `messages` words
//! YAML and serde errors for people, [`schema`] holds the raw shapes of the
//! files, and `body`, `meeting`, `agenda`, `minutes` (with `attendance` and
//! `actions`) resolve them against each other; `cycle` carries case numbers
//! and action points from one meeting of a body to the next, and `identity`
//! keeps body ids and meeting numbers apart. Files are opened through
//! [`crate::fsread`]: confined to `content/`, regular files only, bounded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fsread;
use crate::model::{BodyContent, BodySources, Project};

mod actions;
mod agenda;
mod approval;
pub mod approved;
mod assets;
mod attachments;
mod attendance;
mod blocks;
mod body;
mod branding;
mod case_number;
mod chars;
mod cycle;
mod decisions;
mod deputies;
pub mod drawing;
mod identity;
mod image_check;
mod item;
mod limits;
mod meeting;
mod messages;
mod minutes;
mod pdf_work;
mod prefetch;
pub(crate) mod schema;
mod source;
mod votes;

pub use source::{BODY_FILE, MAX_FILE_BYTES, MEETING_FILE, MINUTES_FILE};

/// Loads every body and meeting under `content_dir`.
///
/// Returns what could be loaded and all diagnostics; callers must not build
/// when the diagnostics contain errors.
pub fn load_project(content_dir: &Path) -> (Project, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut project = Project::default();
    let entries = match source::sub_folders(content_dir, content_dir, BODY_FILE, &mut diags) {
        Ok(dirs) => dirs,
        Err(err) => {
            diags.push(
                Diagnostic::error(format!("failed to read content folder ({err})"))
                    .in_file(content_dir),
            );
            return (project, diags);
        }
    };
    // Body ids name output folders: each is taken by one body.yaml.
    let mut ids = HashMap::new();
    for dir in entries {
        // Whatever is there is read, so that what cannot be is reported.
        if fsread::exists(&dir.join(BODY_FILE))
            && let Some((body, sources)) = load_body_dir(content_dir, &dir, &mut ids, &mut diags)
        {
            project.bodies.push(body);
            project.sources.push(sources);
        }
    }
    if project.bodies.is_empty() && !diags.has_errors() {
        diags.push(
            Diagnostic::error(format!(
                "no bodies found: expected folders with a {BODY_FILE}, such as content/nehs/{BODY_FILE}"
            ))
            .in_file(content_dir),
        );
    }
    (project, diags)
}

/// Loads one body folder: `body.yaml` and every meeting folder under it.
fn load_body_dir(
    content_dir: &Path,
    dir: &Path,
    ids: &mut HashMap<String, PathBuf>,
    diags: &mut Diagnostics,
) -> Option<(BodyContent, BodySources)> {
    let body = body::load_body(content_dir, &dir.join(BODY_FILE), ids, diags)?;
    let mut raws = Vec::new();
    match source::sub_folders(content_dir, dir, MEETING_FILE, diags) {
        Ok(dirs) => {
            let dirs: Vec<&PathBuf> = dirs
                .iter()
                .filter(|d| fsread::exists(&d.join(MEETING_FILE)))
                .collect();
            // Each meeting.yaml is read on its own, in parallel; what they
            // report is joined in folder order.
            let read: Vec<(Option<identity::RawMeeting>, Diagnostics)> = crate::threads::pool()
                .install(|| {
                    dirs.par_iter()
                        .map(|dir| {
                            let mut found = Diagnostics::default();
                            let raw = identity::read_meeting(content_dir, dir, &mut found);
                            (raw, found)
                        })
                        .collect()
                });
            for (raw, found) in read {
                diags.extend(found.0);
                raws.extend(raw);
            }
        }
        Err(err) => {
            diags.push(Diagnostic::error(format!("failed to read folder ({err})")).in_file(dir))
        }
    }
    // Meetings are resolved in date order: case numbers, the previous meeting and
    // action points run from one meeting to the next.
    raws.sort_by(|a, b| a.date.cmp(&b.date).then(a.dir.cmp(&b.dir)));
    identity::check_unique_numbers(&raws, diags);
    let mut cycle = cycle::Cycle::default();
    let mut meetings = Vec::new();
    let mut sources = BodySources {
        dir: PathBuf::from(dir),
        meetings: Vec::new(),
    };
    let papers = prefetch::Papers::prefetch(content_dir, &raws);
    for raw in raws {
        let resolved =
            meeting::resolve_meeting(content_dir, raw, &body, (&mut cycle, &papers), diags);
        if let Some((meeting, meeting_sources)) = resolved {
            meetings.push(meeting);
            sources.meetings.push(meeting_sources);
        }
    }
    Some((BodyContent { body, meetings }, sources))
}
