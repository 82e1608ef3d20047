//! The command line: clap definitions, resolved into configs by the binary.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Turns structured meeting content into the official PDF meeting pack.
#[derive(Debug, Parser)]
#[command(name = "motebok", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every meeting's summons, case papers and meeting pack into the output folder.
    Build(BuildArgs),
    /// Check all content and templates without writing anything.
    Check(ProjectArgs),
    /// Build, then rebuild the affected documents on every saved change (Ctrl-C stops).
    Watch(WatchArgs),
    /// Write the skeleton of a body's next meeting: number, standing items, chair.
    New(NewArgs),
    /// Build everything and write a static archive site (index.html, index.json) beside the PDFs.
    Archive(ArchiveArgs),
}

/// Options of `motebok archive`.
#[derive(Debug, Clone, Args)]
pub struct ArchiveArgs {
    /// The build's options.
    #[command(flatten)]
    pub build: BuildArgs,
    /// Also publish draft minutes (left out by default).
    #[arg(long)]
    pub include_drafts: bool,
}

/// Options of `motebok new`.
#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// The body (its id, such as `nehs`).
    #[arg(value_name = "BODY")]
    pub body: String,
    /// The meeting's date, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Folder with the bodies and meetings.
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
}

/// Where the project's folders are.
#[derive(Debug, Clone, Args)]
pub struct ProjectArgs {
    /// Folder with the bodies and meetings (YAML and Markdown).
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
    /// Folder with the minijinja templates that produce Typst.
    #[arg(long, value_name = "DIR", default_value = "templates")]
    pub templates: PathBuf,
}

/// Options of `motebok build`.
#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// The project's folders.
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Folder the PDFs are written to.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub output: PathBuf,
    /// Also write each document's generated Typst source (`.typ`) beside its PDF.
    #[arg(long)]
    pub keep_typst: bool,
    /// PDF standards, overriding the defaults (PDF/A-2a and PDF/UA-1; draft
    /// minutes PDF/UA-1): `none`, or a list such as `a-2b,ua-1`.
    #[arg(long, value_name = "LIST")]
    pub pdf_standard: Option<String>,
    /// Compile every document, also those unchanged since the last build.
    #[arg(long)]
    pub force: bool,
    /// Number of documents compiled at once (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Print only errors and warnings.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// How to print results: `human`, or `json` (one JSON object per line, for CI).
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = ["human", "json"])]
    pub message_format: String,
    /// Build only these bodies or meetings (`nehs`, `nehs/2020-07`); default: all.
    #[arg(value_name = "MEETING")]
    pub meetings: Vec<String>,
}

/// Options of `motebok watch`.
#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// The project's folders.
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Folder the PDFs are written to.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub output: PathBuf,
    /// Also write each document's generated Typst source (`.typ`) beside its PDF.
    #[arg(long)]
    pub keep_typst: bool,
    /// Watch only these bodies or meetings (`nehs`, `nehs/2020-07`); default: all.
    #[arg(value_name = "MEETING")]
    pub meetings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
