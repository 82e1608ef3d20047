//! Model, branding: a body's logo, house colours and letterhead, which the
//! built-in templates use on every document.

use super::{Body, FileMap, PaperFile};

/// The house colours the built-in templates use when a body gives none.
pub const DEFAULT_PRIMARY: &str = "#1f3864";
/// See [`DEFAULT_PRIMARY`].
pub const DEFAULT_ACCENT: &str = "#2e74b5";

/// How a body's documents look: all optional; a body without them looks as the
/// built-in templates do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Branding {
    /// The logo, if any.
    pub logo: Option<Logo>,
    /// The main colour of headings and titles (`#1f3864`), if given.
    pub primary: Option<String>,
    /// The accent colour of labels and rules (`#2e74b5`), if given.
    pub accent: Option<String>,
    /// Letterhead lines, printed beside the logo on the summons and the minutes.
    pub letterhead: Vec<String>,
}

/// A body's logo, read at load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// The file, by the virtual path the Typst world serves it under.
    pub file: PaperFile,
    /// What the logo says, for readers who cannot see it (PDF/UA).
    pub alt: String,
}

impl Body {
    /// The files the body's documents may show: its logo.
    pub fn files(&self) -> FileMap {
        self.branding
            .logo
            .iter()
            .map(|logo| (logo.file.path.clone(), logo.file.bytes.clone()))
            .collect()
    }
}
