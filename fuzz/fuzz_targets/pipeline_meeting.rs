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
    let typesetter = common::shared_typesetter();
    for job in pipeline::plan(&project) {
        if job.kind == DocumentKind::Pack {
            continue;
        }
        let (project, job, config, typesetter) =
            (project.clone(), job.clone(), config.clone(), typesetter.clone());
        let result = common::with_big_stack(move || {
            // A dry run writes nothing; the staging area stays empty.
            let staging = motebok::output::Staging::default();
            pipeline::build_job(renderer, &typesetter, &project, &job, &config, None, &staging)
                .map(|_| ())
                .map_err(|diags| (job.path.clone(), common::errors_only(&diags)))
        });
        typst::comemo::evict(4);
        if let Err((path, errors)) = result {
            if !errors.is_empty() {
                panic!(
                    "content that loads without errors fails to build {}:\n{}\ninput: {:?}",
                    path.display(),
                    errors.join("\n"),
                    String::from_utf8_lossy(data)
                );
            }
        }
    }
});
