//! Model, files: the project files a document shows (a case paper's figures),
//! by the virtual path the Typst world serves each under.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{AgendaRow, Meeting};

/// A file a case paper shows, read at load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperFile {
    /// The virtual path its Typst source names it by (`/<hash>/tidslinje.png`).
    pub path: String,
    /// Its bytes.
    pub bytes: Arc<[u8]>,
}

/// Files by virtual path, as the Typst world serves them.
pub type FileMap = BTreeMap<String, Arc<[u8]>>;

impl Meeting {
    /// The files the meeting's documents may show: every case paper's figures.
    pub fn files(&self) -> FileMap {
        self.agenda
            .iter()
            .filter_map(|row| match row {
                AgendaRow::Case(item) => Some(&item.assets.files),
                _ => None,
            })
            .flatten()
            .map(|file| (file.path.clone(), file.bytes.clone()))
            .collect()
    }
}

/// What a case item shows besides its text: its paper's figures and its attachments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assets {
    /// The files its documents show (figures and attachment pages), by virtual path.
    pub files: Vec<PaperFile>,
    /// Documents attached to the item, in order.
    pub attachments: Vec<Attachment>,
}

/// A document attached to a case item (*vedlegg*): a PDF whose pages follow the
/// case paper in the meeting pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The title it is listed under (`Status program`).
    pub title: String,
    /// The file name it was given (`vedlegg/35-21-status.pdf`), relative to the meeting folder.
    pub file: String,
    /// Its pages, each converted to a drawing (SVG), by virtual path, in order.
    pub pages: Vec<String>,
}
