//! The whole pipeline on a fuzzed `meeting.yaml` (mini fixture, as in
//! `load_meeting`): when the content loads without errors, every document except
//! the pack (which repeats the summons and case papers) is rendered and compiled
//! as `motebok build --dry-run` would, to the default PDF standards. Any error
//! then is a finding: content the loader accepts must print.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use motebok::load;
use motebok::pipeline::{self, BuildConfig};
use motebok::document::DocumentKind;

fuzz_target!(|data: &[u8]| {
    let content = common::scratch_fixture("mini");
    std::fs::write(content.join("styret/2024-01/meeting.yaml"), data).unwrap();
    let (project, diags) = load::load_project(content);
    if diags.has_errors() {
        return;
    }
    let mut config = BuildConfig::in_project(content.parent().unwrap());
    config.templates = common::root().join("templates");
    config.dry_run = true;
    config.force = true;
    let renderer = common::renderer();
    let jobs: Vec<pipeline::Job> = pipeline::plan(&project)
        .into_iter()
        .filter(|job| job.kind != DocumentKind::Pack)
        .collect();
    // As `build --dry-run` does: on the pipeline's own workers (deep stacks),
    // writing nothing.
    let report = pipeline::build_jobs(&config, &project, renderer, &jobs, None);
    typst::comemo::evict(4);
    let errors = common::errors_only(&report.diagnostics.0);
    if !errors.is_empty() {
        panic!(
            "content that loads without errors fails to build:\n{}\ninput: {:?}",
            errors.join("\n"),
            String::from_utf8_lossy(data)
        );
    }
});
