//! The `motebok` binary: parse the command line, run the pipeline, print, exit.

use std::process::ExitCode;

use clap::Parser;
use motebok::cli::{ArchiveArgs, BuildArgs, Cli, Command, NewArgs, ProjectArgs, WatchArgs};
use motebok::pipeline::{BuildConfig, BuildReport, OutputLock, Progress, build, parse_standards};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => run_build(&args),
        Command::Check(args) => run_check(&args),
        Command::Watch(args) => run_watch(&args),
        Command::New(args) => run_new(&args),
        Command::Archive(args) => run_archive(&args),
    }
}

fn run_new(args: &NewArgs) -> ExitCode {
    let date = match &args.date {
        None => motebok::derive::Date::today(),
        Some(text) => match motebok::derive::Date::parse(text) {
            Some(date) => date,
            None => {
                eprintln!(
                    "error: --date {text}: not a valid date\n  = help: write the date as YYYY-MM-DD, such as 2021-01-20"
                );
                return ExitCode::FAILURE;
            }
        },
    };
    match motebok::scaffold::new_meeting(&args.content, &args.body, date) {
        Ok(new) => {
            println!(
                "wrote {}: meeting {}, {}, standing items {} and Eventuelt",
                new.path.display(),
                new.number,
                motebok::derive::norwegian_date(date),
                new.cases.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(diags) => {
            for diag in &diags.0 {
                eprintln!("{diag}\n");
            }
            ExitCode::FAILURE
        }
    }
}

fn run_watch(args: &WatchArgs) -> ExitCode {
    let config = BuildConfig {
        content: args.project.content.clone(),
        templates: args.project.templates.clone(),
        output: args.output.clone(),
        keep_typst: args.keep_typst,
        dry_run: false,
        pdf_standards: None,
        force: false,
        include_drafts: true,
        progress: None,
    };
    let _lock = match lock_output(&config) {
        Ok(lock) => lock,
        Err(code) => return code,
    };
    println!(
        "watching {} and {} (Ctrl-C stops)",
        config.content.display(),
        config.templates.display()
    );
    let print = |report: &BuildReport, what: &str| {
        for diag in &report.diagnostics.0 {
            eprintln!("{diag}\n");
        }
        let mut names: Vec<String> = report
            .documents
            .iter()
            .filter(|d| !d.unchanged)
            .map(|d| d.path.display().to_string())
            .collect();
        names.sort();
        let outcome = if report.failed() {
            format!(
                "failed with {} errors; the last good PDFs are kept",
                report.diagnostics.error_count()
            )
        } else if names.is_empty() {
            "no document changed".to_owned()
        } else if names.len() > 6 {
            format!("rebuilt {} documents", names.len())
        } else {
            format!("rebuilt {}", names.join(", "))
        };
        println!("{what}: {outcome} ({} ms)", report.elapsed.as_millis());
    };
    match motebok::watch::watch(&config, &args.meetings, &print) {
        Ok(()) => {
            println!("stopped watching");
            ExitCode::SUCCESS
        }
        Err(diag) => {
            eprintln!("{diag}");
            ExitCode::FAILURE
        }
    }
}

/// The build configuration from the command line, or the exit code of a bad option.
fn build_config(args: &BuildArgs, include_drafts: bool) -> Result<BuildConfig, ExitCode> {
    if let Some(jobs) = args.jobs {
        if let Err(err) = motebok::pipeline::set_threads(Some(jobs.max(1))) {
            eprintln!("error: failed to set up {jobs} worker threads ({err})");
            return Err(ExitCode::FAILURE);
        }
    }
    let pdf_standards = match args.pdf_standard.as_deref().map(parse_standards) {
        None => None,
        Some(Ok(list)) => Some(list),
        Some(Err(message)) => {
            eprintln!("error: --pdf-standard: {message}");
            return Err(ExitCode::FAILURE);
        }
    };
    Ok(BuildConfig {
        content: args.project.content.clone(),
        templates: args.project.templates.clone(),
        output: args.output.clone(),
        keep_typst: args.keep_typst,
        dry_run: false,
        pdf_standards,
        force: args.force,
        include_drafts,
        progress: progress_bar(args),
    })
}

/// A progress bar on stderr for builds of many documents, when it is a terminal.
fn progress_bar(args: &BuildArgs) -> Option<Progress> {
    use std::io::IsTerminal;
    if args.quiet || args.message_format == "json" || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40.cyan/blue} {pos}/{len} documents ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(Progress(std::sync::Arc::new(move |done, total| {
        if total < 20 {
            return;
        }
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if done == total {
            bar.finish_and_clear();
        }
    })))
}

/// Holds the output folder's lock for the rest of the run.
fn lock_output(config: &BuildConfig) -> Result<OutputLock, ExitCode> {
    OutputLock::acquire(&config.output, || {
        eprintln!(
            "waiting for another motebok build on {} to finish",
            config.output.display()
        )
    })
    .map_err(|err| {
        eprintln!("error: failed to lock {} ({err})", config.output.display());
        ExitCode::FAILURE
    })
}

fn run_build(args: &BuildArgs) -> ExitCode {
    let config = match build_config(args, true) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let _lock = match lock_output(&config) {
        Ok(lock) => lock,
        Err(code) => return code,
    };
    let report = build(&config, &args.meetings);
    if args.message_format == "json" {
        print_json(&report, &config);
    } else {
        print_report(&report, &config, args.quiet, "wrote");
    }
    exit_code(&report)
}

fn run_archive(args: &ArchiveArgs) -> ExitCode {
    let config = match build_config(&args.build, args.include_drafts) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let _lock = match lock_output(&config) {
        Ok(lock) => lock,
        Err(code) => return code,
    };
    let report = motebok::archive::archive(&config, &args.build.meetings);
    if args.build.message_format == "json" {
        print_json(&report, &config);
        return exit_code(&report);
    }
    print_report(&report, &config, args.build.quiet, "wrote");
    if !report.failed() && !args.build.quiet {
        println!(
            "wrote {} and {}",
            config.output.join("index.html").display(),
            config.output.join("index.json").display()
        );
    }
    exit_code(&report)
}

fn run_check(args: &ProjectArgs) -> ExitCode {
    let config = BuildConfig {
        content: args.content.clone(),
        templates: args.templates.clone(),
        output: "output".into(),
        keep_typst: false,
        dry_run: true,
        pdf_standards: None,
        force: true,
        include_drafts: true,
        progress: None,
    };
    let report = build(&config, &[]);
    print_report(&report, &config, true, "checked");
    if !report.failed() {
        println!(
            "checked {} documents: {} errors, {} warnings",
            report.documents.len(),
            report.diagnostics.error_count(),
            report.diagnostics.warning_count()
        );
    }
    exit_code(&report)
}

fn print_report(report: &BuildReport, config: &BuildConfig, quiet: bool, verb: &str) {
    let mut documents: Vec<_> = report.documents.iter().collect();
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    if !quiet {
        for doc in documents.iter().filter(|d| !d.unchanged) {
            println!(
                "{verb} {} ({} {}, {} ms)",
                config.output.join(&doc.path).display(),
                doc.pages,
                if doc.pages == 1 { "page" } else { "pages" },
                doc.elapsed.as_millis()
            );
        }
    }
    for diag in &report.diagnostics.0 {
        eprintln!("{diag}\n");
    }
    if report.failed() {
        eprintln!(
            "build failed: {} errors, {} warnings; no output was changed",
            report.diagnostics.error_count(),
            report.diagnostics.warning_count()
        );
    } else if !quiet {
        let unchanged = report.documents.len() - report.compiled();
        let skipped = if unchanged > 0 {
            format!(
                " ({} compiled, {unchanged} unchanged since the last build)",
                report.compiled()
            )
        } else {
            String::new()
        };
        println!(
            "built {} documents{skipped}, {} pages in {:.2} s ({} warnings)",
            report.documents.len(),
            report.pages(),
            report.elapsed.as_secs_f64(),
            report.diagnostics.warning_count()
        );
    }
}

/// One JSON object per line: each document, each diagnostic, then a summary.
fn print_json(report: &BuildReport, config: &BuildConfig) {
    use serde_json::json;
    let mut documents: Vec<_> = report.documents.iter().collect();
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    for doc in documents {
        let line = json!({
            "type": "document",
            "path": config.output.join(&doc.path),
            "pages": doc.pages,
            "compiled": !doc.unchanged,
            "ms": doc.elapsed.as_millis() as u64,
        });
        println!("{line}");
    }
    for diag in &report.diagnostics.0 {
        let line = json!({
            "type": "diagnostic",
            "severity": if diag.is_error() { "error" } else { "warning" },
            "file": diag.file,
            "line": diag.position.map(|p| p.line),
            "column": diag.position.map(|p| p.column),
            "field": diag.field,
            "message": diag.message,
            "hint": diag.hint,
        });
        println!("{line}");
    }
    let line = json!({
        "type": "summary",
        "success": !report.failed(),
        "documents": report.documents.len(),
        "compiled": report.compiled(),
        "pages": report.pages(),
        "errors": report.diagnostics.error_count(),
        "warnings": report.diagnostics.warning_count(),
        "ms": report.elapsed.as_millis() as u64,
    });
    println!("{line}");
}

fn exit_code(report: &BuildReport) -> ExitCode {
    if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
