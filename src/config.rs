//! Command-line arguments resolved and validated once into the settings of a run
//! (as typst-cli's `CompileConfig`): nothing after this looks at raw arguments.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use typst_pdf::PdfStandard;

use crate::approve::ApproveConfig;
use crate::archive::ArchiveConfig;
use crate::cli::{
    ApproveArgs, ArchiveArgs, BuildArgs, MessageFormat, OutputArgs, PdfStandardArg, ProjectArgs,
    WatchArgs,
};
use crate::pipeline::BuildConfig;
use crate::report;

/// The templates folder a project has by default, relative to the working
/// directory; used only when it exists (built-in templates otherwise).
pub const DEFAULT_TEMPLATES: &str = "templates";

/// A build, check, watch or archive run, resolved.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// What the pipeline needs.
    pub build: BuildConfig,
    /// The bodies or meetings selected (`nehs`, `nehs/2020-07`); empty for all.
    pub meetings: Vec<String>,
    /// Documents compiled at once, when limited.
    pub jobs: Option<usize>,
    /// Print only errors and warnings.
    pub quiet: bool,
    /// How results are printed.
    pub format: MessageFormat,
}

impl RunConfig {
    /// `motebok build` and `motebok archive` (which publishes drafts only when
    /// `include_drafts`).
    pub fn build(args: &BuildArgs, include_drafts: bool) -> Result<RunConfig, String> {
        let pdf_standards = args
            .pdf_standard
            .as_deref()
            .map(parse_standards)
            .transpose()
            .map_err(|message| format!("--pdf-standard: {message}"))?;
        let mut build = base_config(&args.project, &args.output)?;
        build.pdf_standards = pdf_standards;
        build.force = args.force;
        build.include_drafts = include_drafts;
        build.progress = report::progress_bar(args.quiet, args.message_format);
        Ok(RunConfig {
            build,
            meetings: args.meetings.clone(),
            jobs: args.jobs.map(check_jobs).transpose()?,
            quiet: args.quiet,
            format: args.message_format,
        })
    }

    /// `motebok archive`: the internal build (drafts included) and the site.
    pub fn archive(args: &ArchiveArgs) -> Result<(RunConfig, ArchiveConfig), String> {
        let run = RunConfig::build(&args.build, true)?;
        let site = ArchiveConfig {
            build: run.build.clone(),
            site: args.site.clone(),
            include_drafts: args.include_drafts,
        };
        site.check_site()?;
        Ok((run, site))
    }

    /// `motebok approve`: the meeting, the date and the approving meeting, checked.
    pub fn approve(args: &ApproveArgs) -> Result<ApproveConfig, String> {
        let date = crate::model::Date::parse(&args.date)
            .ok_or_else(|| format!("--date {}: not a date; write it as YYYY-MM-DD", args.date))?;
        let at = args
            .at
            .as_deref()
            .map(|n| {
                crate::model::MeetingNumber::parse(n).ok_or_else(|| {
                    format!("--at {n}: not a meeting number; write the number and the full year, such as 7/2021")
                })
            })
            .transpose()?;
        Ok(ApproveConfig {
            content: args.project.content.clone(),
            templates: templates_folder(args.project.templates.as_deref())?,
            meeting: args.meeting.clone(),
            date,
            at,
        })
    }

    /// `motebok watch`.
    pub fn watch(args: &WatchArgs) -> Result<RunConfig, String> {
        Ok(RunConfig {
            build: base_config(&args.project, &args.output)?,
            meetings: args.meetings.clone(),
            jobs: None,
            quiet: false,
            format: MessageFormat::Human,
        })
    }

    /// `motebok check`: everything a build does but writing.
    pub fn check(args: &ProjectArgs) -> Result<RunConfig, String> {
        let output = OutputArgs {
            output: PathBuf::from("output"),
            keep_typst: false,
        };
        let mut build = base_config(args, &output)?;
        build.dry_run = true;
        build.force = true;
        Ok(RunConfig {
            build,
            meetings: Vec::new(),
            jobs: None,
            quiet: true,
            format: MessageFormat::Human,
        })
    }
}

/// Most documents compiled at once. Each compiling thread reserves a large
/// stack and holds a document in memory; more threads than this only cost
/// memory, however many cores there are.
pub const MAX_JOBS: usize = 256;

/// `--jobs`, checked: 0 means one, more than [`MAX_JOBS`] is an error.
fn check_jobs(jobs: usize) -> Result<usize, String> {
    if jobs > MAX_JOBS {
        return Err(format!(
            "--jobs: {jobs} is too many; at most {MAX_JOBS} documents can be compiled at once"
        ));
    }
    Ok(jobs.max(1))
}

/// The settings every run shares, with the defaults of the rest.
fn base_config(project: &ProjectArgs, output: &OutputArgs) -> Result<BuildConfig, String> {
    Ok(BuildConfig {
        content: project.content.clone(),
        templates: templates_folder(project.templates.as_deref())?,
        output: output.output.clone(),
        keep_typst: output.keep_typst,
        dry_run: false,
        pdf_standards: None,
        force: false,
        include_drafts: true,
        progress: None,
        compiler_processes: None,
    })
}

/// The templates folder overriding the built-in templates: `--templates DIR`,
/// which must exist, or `templates`, used when it exists.
pub fn templates_folder(given: Option<&Path>) -> Result<PathBuf, String> {
    match given {
        None => Ok(PathBuf::from(DEFAULT_TEMPLATES)),
        Some(dir) if dir.is_dir() => Ok(dir.to_path_buf()),
        Some(dir) if dir.exists() => Err(format!("--templates {}: not a folder", dir.display())),
        Some(dir) => Err(format!(
            "--templates {}: no such folder\n  = help: leave --templates out to build with the built-in templates, \
             or run `motebok templates eject --templates {}` to start a templates folder there",
            dir.display(),
            dir.display()
        )),
    }
}

/// Parses a `--pdf-standard` value: `none`, or names such as `a-2b,ua-1`
/// (the values of [`PdfStandardArg`]).
pub fn parse_standards(text: &str) -> Result<Vec<PdfStandard>, String> {
    if text.trim() == "none" {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|name| {
            PdfStandardArg::from_str(name.trim(), false)
                .map(PdfStandardArg::standard)
                .map_err(|_| {
                    let names: Vec<String> = PdfStandardArg::value_variants()
                        .iter()
                        .filter_map(|v| v.to_possible_value())
                        .map(|v| v.get_name().to_owned())
                        .collect();
                    format!(
                        "`{}` is not a supported PDF standard: expected none, or a comma-separated list of {}",
                        name.trim(),
                        names.join(", ")
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standards_parse_as_before() {
        assert_eq!(parse_standards("none"), Ok(Vec::new()));
        assert_eq!(
            parse_standards("a-2b, ua-1"),
            Ok(vec![PdfStandard::A_2b, PdfStandard::Ua_1])
        );
        assert_eq!(
            parse_standards("a-9z"),
            Err("`a-9z` is not a supported PDF standard: expected none, or a comma-separated list of \
                 1.7, 2.0, a-2b, a-2u, a-2a, a-3b, a-3u, a-3a, a-4, ua-1"
                .to_owned())
        );
        assert!(parse_standards("none,ua-1").is_err());
    }

    #[test]
    fn jobs_are_bounded() {
        assert_eq!(check_jobs(0), Ok(1));
        assert_eq!(check_jobs(8), Ok(8));
        assert_eq!(check_jobs(MAX_JOBS), Ok(MAX_JOBS));
        let err = check_jobs(1_000_000).unwrap_err();
        assert!(err.contains("at most 256"), "{err}");
    }

    #[test]
    fn a_given_templates_folder_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(templates_folder(None), Ok(PathBuf::from("templates")));
        assert_eq!(
            templates_folder(Some(dir.path())),
            Ok(dir.path().to_path_buf())
        );
        let missing = dir.path().join("nosuch");
        let err = templates_folder(Some(&missing)).unwrap_err();
        assert!(err.contains("no such folder"), "{err}");
    }
}
