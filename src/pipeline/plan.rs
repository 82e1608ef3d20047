//! Planning (pipeline stage): the documents of a project, from the table of kinds.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, did_you_mean};
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

/// The most bodies and meetings an unmatched filter's error lists.
const FILTER_LISTED: usize = 12;

/// An error for each entry of `filter` (`nehs`, `nehs/2020-07`) that selects
/// no meeting of `project`, with the closest name and what there is.
pub fn unmatched_filters(project: &Project, filter: &[String]) -> Vec<Diagnostic> {
    let mut names = Vec::new();
    for content in &project.bodies {
        names.push(content.body.id.clone());
        for meeting in &content.meetings {
            names.push(format!("{}/{}", content.body.id, meeting.slug));
        }
    }
    filter
        .iter()
        .filter(|f| {
            let f = f.trim_end_matches('/');
            !project.bodies.iter().any(|c| {
                f == c.body.id
                    || c.meetings
                        .iter()
                        .any(|m| f == format!("{}/{}", c.body.id, m.slug))
            })
        })
        .map(|f| {
            let listed = names
                .iter()
                .take(FILTER_LISTED)
                .cloned()
                .collect::<Vec<_>>();
            let more = names.len().saturating_sub(FILTER_LISTED);
            let mut there = format!("the bodies and meetings are: {}", listed.join(", "));
            if more > 0 {
                there.push_str(&format!(" and {more} more"));
            }
            if names.is_empty() {
                there = "there are no meetings".to_owned();
            }
            let hint = match did_you_mean(f.trim_end_matches('/'), names.iter().map(String::as_str))
            {
                Some(best) => format!("did you mean `{best}`? {there}"),
                None => there,
            };
            let f = f.trim_end_matches('/');
            Diagnostic::error(format!("MEETING `{f}` matches no body or meeting")).hint(hint)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_that_matches_nothing_is_named() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let (project, _) = crate::load::load_project(&root);
        let filter = |f: &[&str]| {
            let f: Vec<String> = f.iter().map(|s| s.to_string()).collect();
            unmatched_filters(&project, &f)
        };
        assert!(filter(&["nehs", "nehs/2020-07/", "nuit/2022-03"]).is_empty());
        let errors = filter(&["nehs/2020-7", "nehs"]);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("`nehs/2020-7`"),
            "{}",
            errors[0].message
        );
        let hint = errors[0].hint.as_deref().unwrap_or_default();
        assert!(hint.contains("did you mean `nehs/2020-07`?"), "{hint}");
        assert!(hint.contains("pspds/2021-06"), "{hint}");
    }
}
