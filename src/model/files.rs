//! Model, files: the project files a document shows (a case paper's figures),
//! by the virtual path the Typst world serves each under.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use super::{AgendaRow, Meeting};

/// A file a case paper shows, read at load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperFile {
    /// The virtual path its Typst source names it by (`/<hash>/tidslinje.png`).
    /// The hash is of what the file is made from, so the path names its bytes.
    pub path: String,
    /// Its bytes.
    pub bytes: FileBytes,
}

/// Files by virtual path, as the Typst world serves them.
pub type FileMap = BTreeMap<String, FileBytes>;

/// The bytes of a file a document shows: read at load, or drawn the first
/// time a document needs them (the pages of an attachment, which take far
/// longer to draw than to read, and which a build whose documents are all
/// unchanged never needs).
#[derive(Clone)]
pub struct FileBytes(Source);

#[derive(Clone)]
enum Source {
    Ready(Arc<[u8]>),
    Drawn {
        set: Arc<DrawnSet>,
        index: usize,
        /// The set's drawings, held once this handle asked for them.
        held: OnceLock<Arc<Drawings>>,
    },
}

/// The files of a [`DrawnSet`], drawn.
type Drawings = Vec<Arc<[u8]>>;

/// Files drawn together on first use (every page of one attachment), by a
/// drawing that cannot fail: what could fail was checked at load.
///
/// The drawings are kept only while a handle that asked for them lives (the
/// files of a document being compiled): a large archive would otherwise keep
/// the pages of every attachment it drew until the end of the build.
pub struct DrawnSet {
    drawn: Mutex<Weak<Drawings>>,
    draw: Box<dyn Fn() -> Vec<Vec<u8>> + Send + Sync>,
}

impl DrawnSet {
    /// A set of files that `draw` makes, all at once, when one is first needed.
    pub fn new(draw: impl Fn() -> Vec<Vec<u8>> + Send + Sync + 'static) -> Arc<DrawnSet> {
        Arc::new(DrawnSet {
            drawn: Mutex::new(Weak::new()),
            draw: Box::new(draw),
        })
    }

    /// The drawings: those a live handle holds, or drawn now (one thread
    /// draws; the others that ask meanwhile wait for it).
    fn drawings(&self) -> Arc<Drawings> {
        let mut drawn = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(drawings) = drawn.upgrade() {
            return drawings;
        }
        let drawings: Arc<Drawings> = Arc::new((self.draw)().into_iter().map(Arc::from).collect());
        *drawn = Arc::downgrade(&drawings);
        drawings
    }
}

impl FileBytes {
    /// Bytes at hand.
    pub fn ready(bytes: impl Into<Arc<[u8]>>) -> FileBytes {
        FileBytes(Source::Ready(bytes.into()))
    }

    /// File `index` of `set`, drawn when first needed.
    pub fn drawn(set: &Arc<DrawnSet>, index: usize) -> FileBytes {
        FileBytes(Source::Drawn {
            set: set.clone(),
            index,
            held: OnceLock::new(),
        })
    }

    /// The bytes, drawn now when they were not yet; this handle (and its
    /// clones made from now on) then holds its set's drawings.
    pub fn get(&self) -> Arc<[u8]> {
        match &self.0 {
            Source::Ready(bytes) => bytes.clone(),
            Source::Drawn { set, index, held } => {
                let drawings = held.get_or_init(|| set.drawings());
                drawings
                    .get(*index)
                    .cloned()
                    .unwrap_or_else(|| Arc::from([]))
            }
        }
    }
}

impl fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Ready(bytes) => write!(f, "FileBytes({} bytes)", bytes.len()),
            Source::Drawn { index, .. } => write!(f, "FileBytes(drawn file {index})"),
        }
    }
}

/// Files are equal when their bytes are: a drawn file is the same file as
/// long as it is the same drawing of the same set.
impl PartialEq for FileBytes {
    fn eq(&self, other: &FileBytes) -> bool {
        match (&self.0, &other.0) {
            (Source::Ready(a), Source::Ready(b)) => a == b,
            (
                Source::Drawn {
                    set: a, index: i, ..
                },
                Source::Drawn {
                    set: b, index: j, ..
                },
            ) => Arc::ptr_eq(a, b) && i == j,
            _ => false,
        }
    }
}

impl Eq for FileBytes {}

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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A set is drawn once while a handle holds its drawings, and again
    /// only after every holder is gone.
    #[test]
    fn drawings_are_shared_while_held_and_then_let_go() {
        let draws = Arc::new(AtomicUsize::new(0));
        let counter = draws.clone();
        let set = DrawnSet::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            vec![b"one".to_vec(), b"two".to_vec()]
        });
        let model = [FileBytes::drawn(&set, 0), FileBytes::drawn(&set, 1)];
        assert_eq!(
            draws.load(Ordering::SeqCst),
            0,
            "not drawn before it is needed"
        );
        let job: Vec<FileBytes> = model.to_vec();
        assert_eq!(&*job[1].get(), b"two");
        assert_eq!(&*job[0].get(), b"one");
        assert_eq!(draws.load(Ordering::SeqCst), 1, "drawn once for both pages");
        drop(job);
        assert_eq!(&*model[0].clone().get(), b"one");
        assert_eq!(draws.load(Ordering::SeqCst), 2, "drawn again once let go");
        assert_eq!(model[0], FileBytes::drawn(&set, 0));
        assert_ne!(model[0], model[1]);
    }
}
