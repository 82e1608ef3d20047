//! Planning (pipeline stage): the documents of a project, from the table of kinds.

use std::path::{Path, PathBuf};

use crate::document::{DocumentKind, Scope};
use crate::model::{AgendaRow, Meeting, Project};

/// One document to produce.
#[derive(Debug, Clone)]
pub struct Job {
    /// Index of the body in the project.
    pub body: usize,
    /// Index of the meeting in the body.
    pub meeting: usize,
    /// What kind of document.
    pub kind: DocumentKind,
    /// For a document per agenda item (a case paper): the agenda row index.
    pub row: Option<usize>,
    /// Output path relative to the output folder (`nehs/2020-07/innkalling.pdf`).
    pub path: PathBuf,
}

/// Lists every document of every meeting: per meeting, the kinds in the order
/// of the table, and a kind per item once for each case that has it.
pub fn plan(project: &Project) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (body, content) in project.bodies.iter().enumerate() {
        for (index, meeting) in content.meetings.iter().enumerate() {
            let dir = PathBuf::from(&content.body.id).join(&meeting.slug);
            let at = Place {
                body,
                meeting: index,
                dir: &dir,
            };
            for kind in DocumentKind::ALL {
                plan_kind(&at, meeting, kind, &mut jobs);
            }
        }
    }
    jobs
}

/// Where the documents of one meeting go.
struct Place<'a> {
    body: usize,
    meeting: usize,
    dir: &'a Path,
}

/// Adds the documents of `kind` that `meeting` has.
fn plan_kind(at: &Place<'_>, meeting: &Meeting, kind: DocumentKind, jobs: &mut Vec<Job>) {
    let job = |row, name: String| Job {
        body: at.body,
        meeting: at.meeting,
        kind,
        row,
        path: at.dir.join(name),
    };
    match kind.spec().scope {
        Scope::Meeting => {
            if kind.exists(meeting, None) {
                jobs.push(job(None, kind.file_name(None)));
            }
        }
        Scope::Item => {
            for (r, row) in meeting.agenda.iter().enumerate() {
                if let AgendaRow::Case(item) = row
                    && kind.exists(meeting, Some(item))
                {
                    jobs.push(job(Some(r), kind.file_name(Some(&item.slug()))));
                }
            }
        }
    }
}
