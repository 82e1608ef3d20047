//! The `motebok` binary: parse the command line, resolve it once, call the
//! library, print, exit.

use std::process::ExitCode;

use clap::Parser;
use motebok::cli::{Cli, Command, MessageFormat, NewArgs, TemplatesCommand};
use motebok::config::RunConfig;
use motebok::diagnostic::Diagnostic;
use motebok::pipeline::{OutputLock, build, set_threads};
use motebok::report::{self, exit_code, print_diagnostics, print_error};
use motebok::{archive, init, output, schema, watch};

/// mimalloc instead of the system allocator: Typst's layout allocates and
/// frees small objects at a high rate, from every worker thread at once.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_huge_pages();
    let cli = Cli::parse();
    // The commands that read content (and so PDFs).
    if matches!(
        cli.command,
        Command::Build(_)
            | Command::Archive(_)
            | Command::Check(_)
            | Command::Watch(_)
            | Command::Approve(_)
            | Command::New(_)
    ) {
        draw_in_processes();
    }
    let result = match cli.command {
        Command::Build(args) => {
            RunConfig::build(&args, true).and_then(|c| run_build(&in_processes(c)))
        }
        Command::Archive(args) => RunConfig::archive(&args).and_then(|(c, mut site)| {
            let c = in_processes(c);
            site.build.compiler_processes = c.build.compiler_processes.clone();
            run_archive(&(c, site))
        }),
        Command::Check(args) => RunConfig::check(&args).map(|c| run_check(&in_processes(c))),
        Command::Watch(args) => RunConfig::watch(&args).and_then(|c| run_watch(&c)),
        Command::New(args) => Ok(run_new(&args)),
        Command::Approve(args) => RunConfig::approve(&args)
            .map(|c| outcome(motebok::approve::approve(&c).map(|done| done + "\n"))),
        Command::Init(args) => Ok(outcome(init::init(&args).map(|i| i.summary()))),
        Command::Templates(TemplatesCommand::Eject(args)) => {
            Ok(outcome(init::eject(&args.templates).map(|e| e.summary())))
        }
        Command::Templates(TemplatesCommand::List(args)) => {
            Ok(outcome(init::list_templates(args.templates.as_deref())))
        }
        Command::Schema(args) => Ok(outcome(schema::schema_command(
            &args.out,
            args.print.map(|p| p.file()),
        ))),
        Command::CompileWorker => {
            return motebok::pipeline::workers::serve(&give_back_freed_memory);
        }
        Command::DrawWorker => return motebok::load::drawing::serve(),
    };
    result.unwrap_or_else(|message| {
        print_error(&message);
        if output::interrupted() {
            ExitCode::from(130)
        } else {
            ExitCode::FAILURE
        }
    })
}

/// PDF attachments and figures are read and drawn in processes of this
/// binary, each limited in memory and processor time (see
/// `motebok::load::drawing`), by every command that reads content.
fn draw_in_processes() {
    match this_binary() {
        Some(exe) => motebok::load::drawing::draw_in_processes(exe),
        None => eprintln!(
            "warning: motebok cannot find its own binary, so it reads and draws PDF attachments \
             and figures in its own process, without limits on their memory and time"
        ),
    }
}

/// The binary this process runs. On Linux that is `/proc/self/exe`, the
/// file this process runs even when its path has been given to another file
/// since (an upgrade during a build) or removed.
fn this_binary() -> Option<std::path::PathBuf> {
    let running = std::path::Path::new("/proc/self/exe");
    if cfg!(target_os = "linux") && running.exists() {
        Some(running.to_path_buf())
    } else {
        std::env::current_exe().ok()
    }
}

/// A large build compiles in processes of this binary, one per worker thread,
/// each with a Typst cache of its own (see `motebok::pipeline::workers`).
/// Watch does not: it keeps its cache warm for the next edit.
fn in_processes(mut config: RunConfig) -> RunConfig {
    config.build.compiler_processes = this_binary();
    config
}

/// Prints what a command did, or its diagnostics.
fn outcome(result: Result<String, Vec<Diagnostic>>) -> ExitCode {
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(diags) => {
            print_diagnostics(&diags);
            ExitCode::FAILURE
        }
    }
}

/// Sets the number of worker threads and holds the output folder's lock for
/// `command` as long as the returned value lives; build and archive also stop
/// cleanly on Ctrl-C and SIGTERM.
fn prepare(config: &RunConfig, command: &str) -> Result<OutputLock, String> {
    if let Some(jobs) = config.jobs {
        set_threads(Some(jobs))
            .map_err(|err| format!("failed to set up {jobs} worker threads ({err})"))?;
    }
    if command != "watch" {
        output::stop_on_signals()
            .map_err(|err| format!("failed to install the Ctrl-C handler ({err})"))?;
    }
    let output = &config.build.output;
    let lock = OutputLock::acquire(output, command, |holder| {
        eprintln!(
            "waiting for {holder} to finish with {} (at most {} s)",
            output.display(),
            output::lock_timeout().as_secs()
        )
    })
    .map_err(|err| format!("failed to lock {} ({err})", output.display()))?;
    if lock.cleaned() > 0 && !config.quiet {
        eprintln!(
            "removed {} temporary files that an interrupted run left in {}",
            lock.cleaned(),
            output.display()
        );
    }
    Ok(lock)
}

/// The exit code of a build or archive run: 130 when it was interrupted.
fn run_exit_code(report: &motebok::pipeline::BuildReport) -> ExitCode {
    if output::interrupted() {
        ExitCode::from(130)
    } else {
        exit_code(report)
    }
}

fn print_run(report: &motebok::pipeline::BuildReport, config: &RunConfig) {
    report::print_build(report, &config.build.output, config.quiet, config.format);
}

fn run_build(config: &RunConfig) -> Result<ExitCode, String> {
    let _lock = prepare(config, "build")?;
    let report = build(&config.build, &config.meetings);
    print_run(&report, config);
    Ok(run_exit_code(&report))
}

fn run_archive((config, site): &(RunConfig, archive::ArchiveConfig)) -> Result<ExitCode, String> {
    let _lock = prepare(config, "archive")?;
    let report = archive::archive(site, &config.meetings);
    print_run(&report.build, config);
    if config.format == MessageFormat::Human && !report.build.failed() && !config.quiet {
        println!(
            "published {} public documents, index.html and index.json to {}",
            report.published,
            site.site.display()
        );
    }
    Ok(run_exit_code(&report.build))
}

fn run_check(config: &RunConfig) -> ExitCode {
    let report = build(&config.build, &[]);
    report::print_check(&report, &config.build.output);
    exit_code(&report)
}

fn run_watch(config: &RunConfig) -> Result<ExitCode, String> {
    let _lock = prepare(config, "watch")?;
    let build = &config.build;
    let templates = if build.templates.is_dir() {
        build.templates.display().to_string()
    } else {
        "the built-in templates".to_owned()
    };
    println!(
        "watching {} and {templates} (Ctrl-C stops)",
        build.content.display()
    );
    match watch::watch(
        build,
        &config.meetings,
        &report::print_rebuild,
        &give_back_freed_memory,
    ) {
        Ok(()) => {
            println!("stopped watching");
            Ok(ExitCode::SUCCESS)
        }
        Err(diag) => {
            eprintln!("{diag}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Turns transparent huge pages off for this process and the compiler
/// processes it starts (the setting is inherited through `exec`).
///
/// mimalloc asks for huge pages on its arenas, where the kernel allows them on
/// request, so a thread or a compiler process that touches a little of a
/// region holds 2 MiB of it. On the 200-meeting benchmark archive, 16 jobs
/// held 1127 MiB (the sum of the processes' proportional set sizes) with huge
/// pages and 675 MiB without, in the same wall time; with 1 and 2 jobs the
/// CPU time is the same either way.
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes one integer and no pointers; it only
    // sets a flag of this process. Failure (an old kernel) leaves things as
    // they were, which is harmless.
    unsafe {
        // The kernel reads each argument as an unsigned long.
        let (on, unused): (libc::c_ulong, libc::c_ulong) = (1, 0);
        libc::prctl(libc::PR_SET_THP_DISABLE, on, unused, unused, unused);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}

/// Returns the memory the allocator holds freed to the system.
fn give_back_freed_memory() {
    // SAFETY: `mi_collect` has no preconditions: any thread may call it at
    // any time; it only frees and decommits memory no allocation holds.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

fn run_new(args: &NewArgs) -> ExitCode {
    let date = match &args.date {
        None => motebok::derive::Date::today(),
        Some(text) => match motebok::derive::Date::parse(text) {
            Some(date) => date,
            None => {
                print_error(&format!(
                    "--date {text}: not a valid date\n  = help: write the date as YYYY-MM-DD, such as 2021-01-20"
                ));
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
            print_diagnostics(&diags.0);
            ExitCode::FAILURE
        }
    }
}
