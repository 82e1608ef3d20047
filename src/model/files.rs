//! Model, files: the project files a document shows (a case paper's figures),
//! by the virtual path the Typst world serves each under.

use std::collections::{BTreeMap, VecDeque};
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
    /// What the drawings are made from (a hash of its bytes, and the
    /// bytes), when they may be found among the [`Recent`] ones.
    source: Option<Origin>,
}

/// The bytes a set is drawn from, and their hash (which finds them).
type Origin = (u128, Arc<Vec<u8>>);

impl DrawnSet {
    /// A set of files that `draw` makes, all at once, when one is first needed.
    pub fn new(draw: impl Fn() -> Vec<Vec<u8>> + Send + Sync + 'static) -> Arc<DrawnSet> {
        DrawnSet::with_source(None, draw)
    }

    /// A set as [`DrawnSet::new`] makes, drawn from the bytes `source` (with
    /// their hash): while this process recently drew a set from the same
    /// bytes, its drawings are used again, not drawn anew (the next build in
    /// watch, the same attachment in another meeting).
    pub fn remembered(
        source: (u128, Arc<Vec<u8>>),
        draw: impl Fn() -> Vec<Vec<u8>> + Send + Sync + 'static,
    ) -> Arc<DrawnSet> {
        DrawnSet::with_source(Some(source), draw)
    }

    fn with_source(
        source: Option<Origin>,
        draw: impl Fn() -> Vec<Vec<u8>> + Send + Sync + 'static,
    ) -> Arc<DrawnSet> {
        Arc::new(DrawnSet {
            drawn: Mutex::new(Weak::new()),
            draw: Box::new(draw),
            source,
        })
    }

    /// The drawings: those a live handle holds, or recently drawn from the
    /// same source, or drawn now (one thread draws; the others that ask
    /// meanwhile wait for it).
    fn drawings(&self) -> Arc<Drawings> {
        let mut drawn = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(drawings) = drawn.upgrade() {
            return drawings;
        }
        let recent = self.source.as_ref().and_then(|source| RECENT.find(source));
        let drawings = recent.unwrap_or_else(|| {
            let drawings: Arc<Drawings> =
                Arc::new((self.draw)().into_iter().map(Arc::from).collect());
            if let Some(source) = &self.source {
                RECENT.remember(source, &drawings);
            }
            drawings
        });
        *drawn = Arc::downgrade(&drawings);
        drawings
    }
}

/// The most bytes of drawings [`Recent`] holds. Drawing an attachment takes
/// far longer than compiling its pages (an attachment page is drawn in 10 to
/// 50 ms), and a drawn page is 0.5 to 1 MB of SVG: this holds the attachments
/// of a large meeting, for the next build in watch.
const RECENT_BYTES: usize = 32 << 20;

/// The drawings this process made or used last, with what they were drawn
/// from, up to [`RECENT_BYTES`] of both (those longest unused go first).
struct Recent {
    entries: Mutex<VecDeque<(Origin, Arc<Drawings>)>>,
    /// The most bytes held.
    budget: usize,
}

static RECENT: Recent = Recent::new(RECENT_BYTES);

/// Whether two sources are the same bytes (the hash only finds them: it is
/// no proof, and content is untrusted).
fn same(a: &Origin, b: &Origin) -> bool {
    a.0 == b.0 && (Arc::ptr_eq(&a.1, &b.1) || a.1 == b.1)
}

impl Recent {
    const fn new(budget: usize) -> Recent {
        Recent {
            entries: Mutex::new(VecDeque::new()),
            budget,
        }
    }

    /// The drawings of `source`, now the last used.
    fn find(&self, source: &Origin) -> Option<Arc<Drawings>> {
        let mut recent = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let at = recent.iter().position(|(s, _)| same(s, source))?;
        let entry = recent.remove(at)?;
        let drawings = entry.1.clone();
        recent.push_back(entry);
        Some(drawings)
    }

    /// Holds `drawings`, letting go of those longest unused beyond the budget
    /// (a set larger than the whole budget is not held).
    fn remember(&self, source: &Origin, drawings: &Arc<Drawings>) {
        let size = |(s, d): (&Origin, &Drawings)| {
            s.1.len() + d.iter().map(|file| file.len()).sum::<usize>()
        };
        if size((source, drawings)) > self.budget {
            return;
        }
        let mut recent = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        recent.retain(|(s, _)| !same(s, source));
        recent.push_back((source.clone(), drawings.clone()));
        let mut total: usize = recent.iter().map(|(s, d)| size((s, d))).sum();
        while total > self.budget {
            let Some((s, d)) = recent.pop_front() else {
                break;
            };
            total -= size((&s, &d));
        }
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

    /// A set that counts its drawings in `draws` and draws `pages`.
    fn counted_set(origin: Origin, draws: &Arc<AtomicUsize>, pages: &[&[u8]]) -> Arc<DrawnSet> {
        let (counter, pages) = (draws.clone(), pages.iter().map(|p| p.to_vec()).collect());
        DrawnSet::remembered(origin, move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Vec::clone(&pages)
        })
    }

    /// The same attachment read again (the next build in watch, another
    /// meeting) is not drawn again while the process remembers it, though
    /// no handle holds its drawings.
    #[test]
    fn the_same_bytes_read_again_are_not_drawn_again() {
        let draws = Arc::new(AtomicUsize::new(0));
        let origin = || (0x5eed_0001, Arc::new(b"%PDF-1.7 the same".to_vec()));
        let first = counted_set(origin(), &draws, &[b"page"]);
        assert_eq!(&*FileBytes::drawn(&first, 0).get(), b"page");
        drop(first);
        let again = counted_set(origin(), &draws, &[b"drawn anew"]);
        assert_eq!(&*FileBytes::drawn(&again, 0).get(), b"page");
        assert_eq!(draws.load(Ordering::SeqCst), 1, "drawn once");
    }

    /// The hash only finds a drawing: other bytes with the same hash (a
    /// crafted attachment) are drawn from their own bytes.
    #[test]
    fn other_bytes_with_the_same_hash_are_drawn_from_their_own() {
        let draws = Arc::new(AtomicUsize::new(0));
        let one = counted_set(
            (0x5eed_0002, Arc::new(b"%PDF-1.7 one".to_vec())),
            &draws,
            &[b"one"],
        );
        assert_eq!(&*FileBytes::drawn(&one, 0).get(), b"one");
        let other = counted_set(
            (0x5eed_0002, Arc::new(b"%PDF-1.7 other".to_vec())),
            &draws,
            &[b"other"],
        );
        assert_eq!(&*FileBytes::drawn(&other, 0).get(), b"other");
        assert_eq!(draws.load(Ordering::SeqCst), 2);
    }

    /// What was used last stays; what was used longest ago goes first.
    #[test]
    fn the_drawings_used_longest_ago_go_first() {
        let recent = Recent::new(30);
        let origin = |n: u8| (u128::from(n), Arc::new(vec![n; 5]));
        let drawn = |n: u8| Arc::new(vec![Arc::from(vec![n; 5])]);
        for n in 1..=3 {
            recent.remember(&origin(n), &drawn(n)); // 10 bytes each
        }
        assert!(recent.find(&origin(1)).is_some(), "all three fit");
        recent.remember(&origin(4), &drawn(4));
        assert!(
            recent.find(&origin(2)).is_none(),
            "the least recently used went"
        );
        for n in [1, 3, 4] {
            assert_eq!(recent.find(&origin(n)), Some(drawn(n)), "{n} stays");
        }
    }

    /// Drawings larger than the whole budget are not remembered.
    #[test]
    fn drawings_beyond_the_budget_are_not_remembered() {
        let draws = Arc::new(AtomicUsize::new(0));
        let big = vec![b'x'; RECENT_BYTES + 1];
        let origin = || (0x5eed_0003, Arc::new(b"%PDF-1.7 big".to_vec()));
        let set = counted_set(origin(), &draws, &[&big]);
        assert_eq!(FileBytes::drawn(&set, 0).get().len(), big.len());
        drop(set);
        let again = counted_set(origin(), &draws, &[&big]);
        assert_eq!(FileBytes::drawn(&again, 0).get().len(), big.len());
        assert_eq!(draws.load(Ordering::SeqCst), 2, "drawn again");
    }
}
