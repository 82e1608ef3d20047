//! The command line: clap definitions; [`crate::config`] resolves them once.
//!
//! The doc comments are the `--help` text. Options several commands share are
//! flattened groups: [`ProjectArgs`] (where content and templates are) for
//! every command that reads a project, [`OutputArgs`] for those that write
//! documents, [`BuildArgs`] for `build` and `archive`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Build everything into the output folder, and the public site (index.html, index.json,
    /// public PDFs) into its own folder.
    Archive(ArchiveArgs),
    /// Approve a meeting's draft minutes: final, with the decisions written out and a digest kept.
    Approve(ApproveArgs),
    /// Start a new project: a body with a roster, a first meeting, README, .gitignore and CI.
    Init(InitArgs),
    /// Work with the built-in templates.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Write the JSON Schemas of body.yaml, meeting.yaml and minutes.yaml, so that editors
    /// complete and check the content files while typing.
    Schema(SchemaArgs),
    /// Compile the documents a build sends on standard input (motebok starts it itself).
    #[command(name = "compile-worker", hide = true)]
    CompileWorker,
    /// Read or draw the PDF sent on standard input (motebok starts it itself).
    #[command(name = "draw-worker", hide = true)]
    DrawWorker,
}

/// The subcommands of `motebok templates`.
#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Copy the built-in templates into the project's templates folder to customise them;
    /// files already there are kept.
    Eject(EjectArgs),
    /// List the templates a build uses, and whether each is built in or the project's.
    List(ListArgs),
}

/// Options of `motebok templates eject`.
#[derive(Debug, Clone, Args)]
pub struct EjectArgs {
    /// The templates folder to copy them into.
    #[arg(
        long,
        visible_alias = "dir",
        value_name = "DIR",
        default_value = "templates"
    )]
    pub templates: PathBuf,
}

/// Options of `motebok templates list`.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Folder of templates that override the built-in ones file by file
    /// [default: templates, when it exists].
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// Options of `motebok init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The folder to create the project in (created if missing).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The body's id, its folder under content/ (default: from the folder's name).
    #[arg(long, value_name = "ID")]
    pub body: Option<String>,
    /// The body's name as printed on its documents (default: the folder's name,
    /// or the id when --body is given).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

/// Options of `motebok schema`.
#[derive(Debug, Clone, Args)]
pub struct SchemaArgs {
    /// The folder to write the schemas into (created if missing); content files point at it
    /// from their first line.
    #[arg(long, value_name = "DIR", default_value = crate::schema::SCHEMA_FOLDER)]
    pub out: PathBuf,
    /// Print the schema of one kind of content file instead of writing the files.
    #[arg(long, value_name = "FILE", value_enum, conflicts_with = "out")]
    pub print: Option<SchemaFileArg>,
}

/// A kind of content file `motebok schema --print` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFileArg {
    /// body.yaml.
    Body,
    /// meeting.yaml.
    Meeting,
    /// minutes.yaml.
    Minutes,
}

impl SchemaFileArg {
    /// The kind of content file.
    pub fn file(self) -> crate::schema::ContentFile {
        use crate::schema::ContentFile as F;
        match self {
            SchemaFileArg::Body => F::Body,
            SchemaFileArg::Meeting => F::Meeting,
            SchemaFileArg::Minutes => F::Minutes,
        }
    }
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
    /// Folder the public site is written to: index.html, index.json, a calendar
    /// per body and the public versions of the published meetings' PDFs.
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub site: PathBuf,
}

/// Options of `motebok approve`.
#[derive(Debug, Clone, Args)]
pub struct ApproveArgs {
    /// The meeting whose draft minutes were approved: `<body>/<meeting folder>` (`nehs/2020-07`).
    #[arg(value_name = "BODY/MEETING")]
    pub meeting: String,
    /// The date the minutes were approved, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: String,
    /// The meeting that approved them, N/YYYY (`7/2021`).
    #[arg(long, value_name = "N/YYYY")]
    pub at: Option<String>,
    /// The project's folders.
    #[command(flatten)]
    pub project: ProjectArgs,
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

/// Where the project's folders are (every command that reads a project).
#[derive(Debug, Clone, Args)]
pub struct ProjectArgs {
    /// Folder with the bodies and meetings (YAML and Markdown).
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub content: PathBuf,
    /// Folder of minijinja templates that override the built-in ones file by file
    /// [default: templates, when it exists].
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// Where documents are written (every command that writes them).
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Folder the PDFs are written to.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub output: PathBuf,
    /// Also write each document's generated Typst source (`.typ`) beside its PDF.
    #[arg(long)]
    pub keep_typst: bool,
}

/// Options of `motebok build` (and `archive`).
#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// The project's folders.
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Where documents go.
    #[command(flatten)]
    pub output: OutputArgs,
    /// PDF standards, overriding the defaults (PDF/A-2a and PDF/UA-1; draft
    /// minutes PDF/UA-1): `none`, or a comma-separated list of 1.7, 2.0, a-2b,
    /// a-2u, a-2a, a-3b, a-3u, a-3a, a-4, ua-1.
    #[arg(long, value_name = "LIST")]
    pub pdf_standard: Option<String>,
    /// Compile every document, also those unchanged since the last build.
    #[arg(long)]
    pub force: bool,
    /// Number of documents compiled at once (default: one per core); with fewer than the
    /// cores, each document's own work is spread over the cores left, as the typst CLI does.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Print only errors and warnings.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// How to print results.
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
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
    /// Where documents go.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Watch only these bodies or meetings (`nehs`, `nehs/2020-07`); default: all.
    #[arg(value_name = "MEETING")]
    pub meetings: Vec<String>,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    /// Lines for people, with a progress bar on a terminal.
    Human,
    /// One JSON object per line (each document, each diagnostic, a summary), for CI.
    Json,
}

/// A PDF standard `--pdf-standard` can name.
///
/// The list is parsed by [`crate::config`] rather than by clap, so that a wrong
/// name gets motebok's own message; the names are these values'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PdfStandardArg {
    /// PDF 1.7.
    #[value(name = "1.7")]
    V1_7,
    /// PDF 2.0.
    #[value(name = "2.0")]
    V2_0,
    /// PDF/A-2b.
    #[value(name = "a-2b")]
    A2b,
    /// PDF/A-2u.
    #[value(name = "a-2u")]
    A2u,
    /// PDF/A-2a.
    #[value(name = "a-2a")]
    A2a,
    /// PDF/A-3b.
    #[value(name = "a-3b")]
    A3b,
    /// PDF/A-3u.
    #[value(name = "a-3u")]
    A3u,
    /// PDF/A-3a.
    #[value(name = "a-3a")]
    A3a,
    /// PDF/A-4.
    #[value(name = "a-4")]
    A4,
    /// PDF/UA-1.
    #[value(name = "ua-1")]
    Ua1,
}

impl PdfStandardArg {
    /// The Typst PDF standard.
    pub fn standard(self) -> typst_pdf::PdfStandard {
        use typst_pdf::PdfStandard as S;
        match self {
            PdfStandardArg::V1_7 => S::V_1_7,
            PdfStandardArg::V2_0 => S::V_2_0,
            PdfStandardArg::A2b => S::A_2b,
            PdfStandardArg::A2u => S::A_2u,
            PdfStandardArg::A2a => S::A_2a,
            PdfStandardArg::A3b => S::A_3b,
            PdfStandardArg::A3u => S::A_3u,
            PdfStandardArg::A3a => S::A_3a,
            PdfStandardArg::A4 => S::A_4,
            PdfStandardArg::Ua1 => S::Ua_1,
        }
    }
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
