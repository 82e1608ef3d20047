//! Model, sources: the side table of where each body, meeting and case paper
//! was read from. The domain types hold no paths; watch, incremental builds and
//! error tracing look them up here by index.

use std::path::{Path, PathBuf};

/// Where the content of a project was read from, index-aligned with
/// [`Project::bodies`](super::Project), their meetings and agenda rows.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    bodies: Vec<BodySources>,
}

/// Where one body was read from.
#[derive(Debug, Clone, Default)]
pub struct BodySources {
    /// The body's folder.
    pub dir: PathBuf,
    /// Its meetings, in the order of the body's meetings.
    pub meetings: Vec<MeetingSources>,
}

/// Where one meeting was read from.
#[derive(Debug, Clone, Default)]
pub struct MeetingSources {
    /// The meeting's folder.
    pub dir: PathBuf,
    /// The case paper file of each agenda row, if it has one.
    pub papers: Vec<Option<PathBuf>>,
}

impl SourceMap {
    /// Adds the next body.
    pub fn push(&mut self, body: BodySources) {
        self.bodies.push(body);
    }

    /// The folder of body `body`.
    pub fn body_dir(&self, body: usize) -> &Path {
        &self.bodies[body].dir
    }

    /// The folder of meeting `meeting` of body `body`.
    pub fn meeting_dir(&self, body: usize, meeting: usize) -> &Path {
        &self.bodies[body].meetings[meeting].dir
    }

    /// The case paper file of agenda row `row`, if it has one.
    pub fn paper(&self, body: usize, meeting: usize, row: usize) -> Option<&Path> {
        self.bodies[body].meetings[meeting]
            .papers
            .get(row)?
            .as_deref()
    }
}

impl SourceMap {
    /// The sources of the meetings `keep` keeps (by body and meeting index),
    /// index-aligned with a project that keeps the same meetings.
    pub fn retain(&self, keep: impl Fn(usize, usize) -> bool) -> SourceMap {
        let bodies = self
            .bodies
            .iter()
            .enumerate()
            .map(|(b, body)| BodySources {
                dir: body.dir.clone(),
                meetings: (body.meetings.iter().enumerate())
                    .filter(|(m, _)| keep(b, *m))
                    .map(|(_, meeting)| meeting.clone())
                    .collect(),
            })
            .collect();
        SourceMap { bodies }
    }
}
