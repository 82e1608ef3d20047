//! Markdown → Typst → PDF through the real templates: arbitrary Markdown, placed
//! in the mini fixture's case paper 4/24 (`paper`, first byte not 0x01) or in the
//! agenda description of case 3/24 (input starting with byte 0x01; the summons),
//! must compile without Typst errors. When the text would also pass the loader's
//! checks (no images/HTML, printable characters) it is compiled to the PDF
//! standards the pipeline uses, and export errors count too.
#![no_main]

#[path = "common.rs"]
mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use motebok::model::{AgendaRow, Project};
use motebok::pipeline::{self, Job};
use motebok::document::DocumentKind;
use motebok::{load, markdown};

fn base() -> &'static Project {
    static P: OnceLock<Project> = OnceLock::new();
    P.get_or_init(|| {
        let (project, diags) = load::load_project(&common::fixture("mini"));
        assert!(!diags.has_errors(), "fixture does not load: {diags:?}");
        project
    })
}

fuzz_target!(|data: &[u8]| {
    let (description_mode, data) = match data.split_first() {
        Some((1, rest)) => (true, rest),
        _ => (false, data),
    };
    let Ok(md) = std::str::from_utf8(data) else { return };
    let mut project = base().clone();
    let meeting = &mut project.bodies[0].meetings[0];
    let mut found = false;
    for row in &mut meeting.agenda {
        if let AgendaRow::Case(item) = row {
            if description_mode && item.case.to_string() == "3/24" {
                item.description = Some(md.to_owned());
                found = true;
            } else if !description_mode && item.case.to_string() == "4/24" {
                item.paper = Some(md.to_owned());
                found = true;
            }
        }
    }
    assert!(found);
    let kind = if description_mode { DocumentKind::Summons } else { DocumentKind::CasePaper };
    let job: Job = pipeline::plan(&project)
        .into_iter()
        .find(|j| {
            j.kind == kind
                && (description_mode || j.path.file_name().is_some_and(|n| n == "sak-04-24.pdf"))
        })
        .expect("job planned");
    let source = pipeline::render_job(common::renderer(), &project, &job)
        .unwrap_or_else(|d| panic!("template error: {d}\nmarkdown: {md:?}"));
    let strict = markdown::check(md).is_empty() && common::loader_accepts_chars(md);
    let standards = if strict {
        kind.standards(&project.bodies[0].meetings[0]).to_vec()
    } else {
        Vec::new()
    };
    if let Err(diags) = common::compile("fuzz.typ", source.clone(), standards) {
        let errors = common::errors_only(&diags);
        if !errors.is_empty() {
            panic!(
                "generated document does not compile (standards applied: {strict}):\n{}\nmarkdown: {md:?}\ntypst from markdown: {:?}",
                errors.join("\n"),
                markdown::to_typst(md)
            );
        }
    }
});
