//! A build's settings (pipeline stage), resolved once from the command line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use typst_pdf::PdfStandard;

/// Settings of one build, resolved from the command line.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// The content folder.
    pub content: PathBuf,
    /// The project's templates folder, overriding the built-in templates file
    /// by file when it exists (the built-in ones alone when it does not).
    pub templates: PathBuf,
    /// The output folder.
    pub output: PathBuf,
    /// Also write each document's generated Typst source beside its PDF.
    pub keep_typst: bool,
    /// Write nothing (check only).
    pub dry_run: bool,
    /// PDF standards for every document, overriding the default of each kind
    /// (see [`crate::document::DocumentKind::standards`]).
    pub pdf_standards: Option<Vec<PdfStandard>>,
    /// Compile every document, even those unchanged since the last build.
    pub force: bool,
    /// Also build and publish draft minutes (archive).
    pub include_drafts: bool,
    /// Told when each document is done, with the number of documents planned.
    pub progress: Option<Progress>,
    /// The motebok binary, to compile the documents of a build of more
    /// documents than worker threads in processes of it, one per worker
    /// (see [`crate::pipeline::workers`]); `None` compiles in this process.
    /// The binary sets it for the builds it runs once (build, check,
    /// archive), not for watch, whose cache stays warm for the next edit;
    /// a build of one worker that has it clears that cache after each
    /// document.
    pub compiler_processes: Option<PathBuf>,
}

/// A callback for progress display: `(documents done, documents planned)`.
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

impl BuildConfig {
    /// A configuration with the default folders under `root` and default settings.
    pub fn in_project(root: &Path) -> BuildConfig {
        BuildConfig {
            content: root.join("content"),
            templates: root.join("templates"),
            output: root.join("output"),
            keep_typst: false,
            dry_run: false,
            pdf_standards: None,
            force: false,
            include_drafts: true,
            progress: None,
            compiler_processes: None,
        }
    }
}

/// Parses a `--pdf-standard` value: `none`, or names such as `a-2b,ua-1`.
pub fn parse_standards(text: &str) -> Result<Vec<PdfStandard>, String> {
    if text.trim() == "none" {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|name| {
            Ok(match name.trim() {
                "1.7" => PdfStandard::V_1_7,
                "2.0" => PdfStandard::V_2_0,
                "a-2b" => PdfStandard::A_2b,
                "a-2u" => PdfStandard::A_2u,
                "a-2a" => PdfStandard::A_2a,
                "a-3b" => PdfStandard::A_3b,
                "a-3u" => PdfStandard::A_3u,
                "a-3a" => PdfStandard::A_3a,
                "a-4" => PdfStandard::A_4,
                "ua-1" => PdfStandard::Ua_1,
                other => {
                    return Err(format!(
                        "`{other}` is not a supported PDF standard: expected none, or a comma-separated list of 1.7, 2.0, a-2b, a-2u, a-2a, a-3b, a-3u, a-3a, a-4, ua-1"
                    ));
                }
            })
        })
        .collect()
}
