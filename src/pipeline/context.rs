//! A job's template context (pipeline stage): what its template receives, and its source.

use minijinja::Value;

use super::plan::Job;
use crate::diagnostic::Diagnostic;
use crate::document::DocumentKind;
use crate::model::Project;
use crate::render::Renderer;
use crate::view::Labels;

/// The template context of a job (see [`crate::view::job_context`]).
pub fn job_context(project: &Project, labels: &Labels, job: &Job) -> Value {
    let context = crate::view::job_context(project, labels, job.body, job.meeting, job.row);
    if job.kind != DocumentKind::Pack {
        return context;
    }
    // The pack carries the minutes its `referat` item approves.
    let content = &project.bodies[job.body];
    let meeting = &content.meetings[job.meeting];
    minijinja::context! {
        previous_minutes => crate::view::previous_minutes(labels, content, meeting),
        ..context
    }
}

/// Renders a job's Typst source.
pub fn render_job(renderer: &Renderer, project: &Project, job: &Job) -> Result<String, Diagnostic> {
    renderer.render(
        job.kind.template(),
        job_context(project, renderer.labels(), job),
    )
}
