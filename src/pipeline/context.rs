//! A job's template context (pipeline stage): what its template receives, its
//! source, and a hash of the context that stands for the source.
//!
//! Every document of a meeting shares most of its context (the body, the
//! meeting with all its papers, the words); a build makes that part once per
//! meeting ([`Contexts`]) and hashes it once, so that telling an unchanged
//! document costs a hash of its own small part, not a render.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use minijinja::Value;
use siphasher::sip::SipHasher13;

use super::plan::Job;
use crate::diagnostic::Diagnostic;
use crate::document::DocumentKind;
use crate::model::Project;
use crate::render::{Renderer, Split};
use crate::view::{
    Labels, MeetingContext, document_context, item_context, meeting_context, previous_minutes,
};

/// The template context of a job (see [`crate::view::job_context`]).
pub fn job_context(project: &Project, labels: &Labels, job: &Job) -> Value {
    let shared = meeting_context(project, labels, job.body, job.meeting);
    with_extras(project, labels, job, &shared)
}

/// Renders a job's Typst source: the document as one source (what
/// `--keep-typst` writes and diagnostics point into, see
/// [`crate::render::split`]).
pub fn render_job(renderer: &Renderer, project: &Project, job: &Job) -> Result<String, Diagnostic> {
    render_job_split(renderer, project, job).map(|split| split.plain)
}

/// Renders a job's Typst source, as compiled: the main file and its shared
/// parts, and the document as one source.
pub fn render_job_split(
    renderer: &Renderer,
    project: &Project,
    job: &Job,
) -> Result<Split, Diagnostic> {
    let rendered = renderer.render(
        job.kind.template(),
        job_context(project, renderer.labels(), job),
    )?;
    Ok(split_job(job, &rendered))
}

/// A job's `rendered` source split at its shared parts, which go to the
/// folder of its meeting (see [`Split::of`]).
pub(super) fn split_job(job: &Job, rendered: &str) -> Split {
    let folder = job.path.parent().unwrap_or(std::path::Path::new(""));
    Split::of(rendered, &folder.to_string_lossy())
}

/// A job's context with its meeting's `shared` part: its item, and for the
/// pack the minutes its `referat` item approves.
fn with_extras(project: &Project, labels: &Labels, job: &Job, shared: &MeetingContext) -> Value {
    let own = own_parts(project, labels, job);
    combine(shared, own)
}

/// What a job's context has of its own: its `item`, and for the pack the
/// minutes its `referat` item approves.
fn own_parts(project: &Project, labels: &Labels, job: &Job) -> (Value, Option<Value>) {
    let item = item_context(project, labels, job.body, job.meeting, job.row);
    let previous = (job.kind == DocumentKind::Pack).then(|| {
        let content = &project.bodies[job.body];
        previous_minutes(labels, content, &content.meetings[job.meeting])
    });
    (item, previous)
}

/// A job's context from its meeting's `shared` part and its own parts.
fn combine(shared: &MeetingContext, (item, previous): (Value, Option<Value>)) -> Value {
    let context = document_context(shared, item);
    match previous {
        Some(previous) => minijinja::context! {
            previous_minutes => previous,
            ..context
        },
        None => context,
    }
}

/// The shared part of the contexts of one build, made once per meeting, with
/// its hash, and let go once the last of the meeting's jobs has taken it: a
/// large archive does not keep every meeting's context until the build ends
/// (61 MiB less at the peak on the 1 000-meeting benchmark archive).
pub struct Contexts {
    meetings: Vec<Vec<Mutex<Shared>>>,
}

/// One meeting's shared part, while jobs of the meeting are still to ask for it.
#[derive(Default)]
struct Shared {
    made: Option<Arc<(MeetingContext, u64)>>,
    /// Jobs of the meeting that have not asked yet.
    left: usize,
}

/// A job's context and the hash that stands for it (see [`Contexts::job`]).
pub struct HashedContext {
    /// What the template receives.
    pub value: Value,
    /// A hash of it, stable from run to run.
    pub hash: u64,
}

impl Contexts {
    /// An empty cache for the meetings of `project`, whose documents are `jobs`.
    pub fn new(project: &Project, jobs: &[Job]) -> Contexts {
        let mut meetings: Vec<Vec<Mutex<Shared>>> = project
            .bodies
            .iter()
            .map(|b| b.meetings.iter().map(|_| Mutex::default()).collect())
            .collect();
        for job in jobs {
            let slot = meetings[job.body][job.meeting].get_mut();
            slot.unwrap_or_else(|e| e.into_inner()).left += 1;
        }
        Contexts { meetings }
    }

    /// The context of `job` and its hash: the hash of its meeting's shared
    /// part (made the first time one of the meeting's jobs asks), then of
    /// its own part. The parts are hashed as the JSON they serialise to,
    /// which tells `1` from `1.0` and a list from a map.
    pub fn job(&self, project: &Project, labels: &Labels, job: &Job) -> HashedContext {
        let made = {
            let mut slot = self.meetings[job.body][job.meeting]
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let made = slot
                .made
                .get_or_insert_with(|| {
                    let shared = meeting_context(project, labels, job.body, job.meeting);
                    let mut hasher = SipHasher13::new();
                    for value in shared.values() {
                        hash_json(&mut hasher, value);
                    }
                    let hash = hasher.finish();
                    Arc::new((shared, hash))
                })
                .clone();
            // The meeting's last job lets it go, and so does a job beyond
            // those counted (which made it anew).
            slot.left = slot.left.saturating_sub(1);
            if slot.left == 0 {
                slot.made = None;
            }
            made
        };
        let (shared, shared_hash) = &*made;
        let (item, previous) = own_parts(project, labels, job);
        let mut hasher = SipHasher13::new();
        shared_hash.hash(&mut hasher);
        hash_json(&mut hasher, &item);
        if let Some(previous) = &previous {
            hash_json(&mut hasher, previous);
        }
        HashedContext {
            value: combine(shared, (item, previous)),
            hash: hasher.finish(),
        }
    }
}

/// Feeds `value`, as JSON, into `hasher`.
fn hash_json(hasher: &mut SipHasher13, value: &Value) {
    // Writing into a hasher cannot fail; contexts are plain data, so they serialise.
    let _ = serde_json::to_writer(HashWriter(hasher), value);
    // An end mark, so that two values hash apart from one value that reads as both.
    hasher.write_u8(0xff);
}

/// Feeds what is written into a hasher.
struct HashWriter<'a, H>(&'a mut H);

impl<H: Hasher> std::io::Write for HashWriter<'_, H> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::plan;

    /// The examples' project, the built-in words and the project's jobs.
    fn examples() -> (Project, Labels, Vec<Job>) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let (project, _) = crate::load::load_project(&root);
        let jobs = plan(&project);
        (project, Labels::builtin(), jobs)
    }

    /// The cached, hashed context is the context, and equal contexts hash equal
    /// while a change anywhere in a meeting changes every hash of it.
    #[test]
    fn cached_contexts_are_the_contexts_and_hash_what_they_hold() {
        let (project, labels, jobs) = examples();
        let contexts = Contexts::new(&project, &jobs);
        let again = Contexts::new(&project, &jobs);
        let mut hashes = std::collections::HashSet::new();
        for job in &jobs {
            let hashed = contexts.job(&project, &labels, job);
            assert_eq!(hashed.value, job_context(&project, &labels, job), "{job:?}");
            assert_eq!(hashed.hash, again.job(&project, &labels, job).hash);
            // The documents of one meeting share a context; each has its own template.
            let key = (job.kind.template(), hashed.hash);
            assert!(hashes.insert(key), "two jobs hash alike: {job:?}");
        }
        let mut changed = project.clone();
        let meeting = &mut changed.bodies[jobs[0].body].meetings[jobs[0].meeting];
        meeting.place.push('!');
        let after = Contexts::new(&changed, &jobs);
        for job in jobs
            .iter()
            .filter(|j| (j.body, j.meeting) == (jobs[0].body, jobs[0].meeting))
        {
            assert_ne!(
                after.job(&changed, &labels, job).hash,
                contexts.job(&project, &labels, job).hash,
                "{job:?}"
            );
        }
    }

    /// A meeting's shared part is let go when the last of its jobs has
    /// asked, while the jobs still to ask find it; asking again makes it
    /// anew, the same.
    #[test]
    fn a_meetings_context_is_let_go_after_its_last_job() {
        let (project, labels, jobs) = examples();
        let first: Vec<&Job> = jobs
            .iter()
            .filter(|j| (j.body, j.meeting) == (jobs[0].body, jobs[0].meeting))
            .collect();
        assert!(first.len() > 1, "the first meeting has several documents");
        let contexts = Contexts::new(&project, &jobs);
        let slot = &contexts.meetings[jobs[0].body][jobs[0].meeting];
        let held = || slot.lock().unwrap().made.is_some();
        let mut hashes = Vec::new();
        for (n, job) in first.iter().enumerate() {
            hashes.push(contexts.job(&project, &labels, job).hash);
            assert_eq!(
                held(),
                n + 1 < first.len(),
                "after job {n} of {}",
                first.len()
            );
        }
        assert_eq!(contexts.job(&project, &labels, first[0]).hash, hashes[0]);
        assert!(!held(), "a job beyond those counted does not keep it");
        // Another meeting's part was not made.
        let other = &contexts.meetings[jobs.last().unwrap().body][jobs.last().unwrap().meeting];
        assert!(other.lock().unwrap().made.is_none());
        assert!(other.lock().unwrap().left > 0);
    }
}
