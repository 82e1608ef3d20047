//! A job's template context (pipeline stage): what its template receives, and its source.

use minijinja::Value;
use minijinja::context;

use super::plan::Job;
use crate::diagnostic::Diagnostic;
use crate::model::{AgendaRow, BodyContent, CaseItem, Meeting, Project};
use crate::render::Renderer;

fn case_item(meeting: &Meeting, row: Option<usize>) -> Option<&CaseItem> {
    match meeting.agenda.get(row?)? {
        AgendaRow::Case(item) => Some(item),
        AgendaRow::Break { .. } => None,
    }
}

/// The template context of a job.
pub fn job_context(project: &Project, job: &Job) -> Value {
    let content: &BodyContent = &project.bodies[job.body];
    let meeting = &content.meetings[job.meeting];
    let case_numbers: Vec<&str> = meeting.cases().map(|c| c.case.as_str()).collect();
    context! {
        body => Value::from_serialize(&content.body),
        meeting => Value::from_serialize(meeting),
        item => case_item(meeting, job.row).map(Value::from_serialize).unwrap_or(Value::from(())),
        case_numbers => case_numbers,
    }
}

/// Renders a job's Typst source.
pub fn render_job(renderer: &Renderer, project: &Project, job: &Job) -> Result<String, Diagnostic> {
    renderer.render(job.kind.template(), job_context(project, job))
}
