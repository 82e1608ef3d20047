//! Model, files: the project files a document shows (a case paper's figures),
//! by the virtual path the Typst world serves each under.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use super::{AgendaRow, Meeting};
use crate::diagnostic::Diagnostic;

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

/// Files drawn together on first use (every page of one attachment).
///
/// The drawings are kept only while a handle that asked for them lives (the
/// files of a document being compiled): a large archive would otherwise keep
/// the pages of every attachment it drew until the end of the build.
///
/// Drawing may fail (an attachment that takes more memory or time than its
/// drawing process may use, see [`crate::load::drawing`]): the failure is
/// reported at `blame`, the field that named the file, and the set is not
/// drawn again.
pub struct DrawnSet {
    drawn: Mutex<Weak<Drawings>>,
    /// Why drawing failed, once it did for good.
    failed: OnceLock<String>,
    draw: Box<dyn Fn() -> Result<Vec<Vec<u8>>, DrawFailure> + Send + Sync>,
    /// Where a failure is reported.
    blame: Option<Diagnostic>,
    /// What the drawings are made from (a hash of its bytes, and the
    /// bytes), when they may be found among the [`Recent`] ones.
    source: Option<Origin>,
}

/// Why a set could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawFailure {
    /// What went wrong, naming the file.
    pub message: String,
    /// Whether drawing the same bytes again would fail the same way (a
    /// drawing stopped by Ctrl-C would not): the drawing remembers a lasting
    /// failure for the next build; a set holds any failure.
    pub lasting: bool,
}

/// The bytes a set is drawn from, and their hash (which finds them).
type Origin = (u128, Arc<Vec<u8>>);

impl DrawnSet {
    /// A set of files that `draw` makes, all at once, when one is first
    /// needed, and which cannot fail.
    pub fn new(draw: impl Fn() -> Vec<Vec<u8>> + Send + Sync + 'static) -> Arc<DrawnSet> {
        Arc::new(DrawnSet {
            drawn: Mutex::new(Weak::new()),
            failed: OnceLock::new(),
            draw: Box::new(move || Ok(draw())),
            blame: None,
            source: None,
        })
    }

    /// A set drawn from the bytes `source` (with their hash) by `draw`, whose
    /// failure is reported at `blame` (its message replaced): while this
    /// process recently drew a set from the same bytes, its drawings are used
    /// again, not drawn anew (the next build in watch, the same attachment in
    /// another meeting).
    pub fn remembered(
        source: (u128, Arc<Vec<u8>>),
        blame: Diagnostic,
        draw: impl Fn() -> Result<Vec<Vec<u8>>, DrawFailure> + Send + Sync + 'static,
    ) -> Arc<DrawnSet> {
        Arc::new(DrawnSet {
            drawn: Mutex::new(Weak::new()),
            failed: OnceLock::new(),
            draw: Box::new(draw),
            blame: Some(blame),
            source: Some(source),
        })
    }

    /// The drawings: those a live handle holds, or recently drawn from the
    /// same source, or drawn now (one thread draws; the others that ask
    /// meanwhile wait for it); or why they cannot be drawn.
    fn drawings(&self) -> Result<Arc<Drawings>, String> {
        if let Some(failed) = self.failed.get() {
            return Err(failed.clone());
        }
        let mut drawn = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(drawings) = drawn.upgrade() {
            return Ok(drawings);
        }
        // It may have failed while this thread waited for the lock.
        if let Some(failed) = self.failed.get() {
            return Err(failed.clone());
        }
        let recent = self.source.as_ref().and_then(|source| RECENT.find(source));
        let drawings = match recent {
            Some(drawings) => drawings,
            None => {
                let drawings: Arc<Drawings> = match (self.draw)() {
                    Ok(drawn) => Arc::new(drawn.into_iter().map(Arc::from).collect()),
                    // Held for this set, whatever the failure: its other
                    // pages, and the other documents of this build, are not
                    // drawn again. Whether the next build tries again is
                    // the drawing's to say (`DrawFailure::lasting`).
                    Err(failure) => {
                        return Err(self.failed.get_or_init(|| failure.message).clone());
                    }
                };
                if let Some(source) = &self.source {
                    RECENT.remember(source, &drawings);
                }
                drawings
            }
        };
        *drawn = Arc::downgrade(&drawings);
        Ok(drawings)
    }

    /// The error that drawing failed with `message`, where it is reported.
    fn failure(&self, message: String) -> Diagnostic {
        match &self.blame {
            Some(blame) => Diagnostic {
                message,
                ..blame.clone()
            },
            None => Diagnostic::error(message),
        }
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
    /// clones made from now on) then holds its set's drawings. A file that
    /// cannot be drawn has no bytes here: [`FileBytes::try_get`] and
    /// [`FileBytes::draw`] tell why, and a document is compiled only when it
    /// drew every file it shows.
    pub fn get(&self) -> Arc<[u8]> {
        self.try_get().unwrap_or_else(|_| Arc::from([]))
    }

    /// The bytes, as [`FileBytes::get`], or why they cannot be drawn.
    pub fn try_get(&self) -> Result<Arc<[u8]>, String> {
        match &self.0 {
            Source::Ready(bytes) => Ok(bytes.clone()),
            Source::Drawn { set, index, held } => {
                let drawings = held_drawings(set, held)?;
                Ok(drawings
                    .get(*index)
                    .cloned()
                    .unwrap_or_else(|| Arc::from([])))
            }
        }
    }

    /// Draws the file now when it is drawn later and was not yet: the error,
    /// where the file was named, when it cannot be.
    pub fn draw(&self) -> Result<(), Diagnostic> {
        match &self.0 {
            Source::Ready(_) => Ok(()),
            Source::Drawn { set, held, .. } => match held_drawings(set, held) {
                Ok(_) => Ok(()),
                Err(message) => Err(set.failure(message)),
            },
        }
    }

    /// Whether the file is drawn from another (when a document shows it).
    pub fn is_drawn(&self) -> bool {
        matches!(self.0, Source::Drawn { .. })
    }
}

/// The drawings of `set`, which a handle holds in `held` once drawn.
fn held_drawings<'a>(
    set: &DrawnSet,
    held: &'a OnceLock<Arc<Drawings>>,
) -> Result<&'a Arc<Drawings>, String> {
    if let Some(drawings) = held.get() {
        return Ok(drawings);
    }
    let drawings = set.drawings()?;
    Ok(held.get_or_init(|| drawings))
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
        DrawnSet::remembered(origin, Diagnostic::error(""), move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(Vec::clone(&pages))
        })
    }

    /// A set that fails is drawn once, its handles hold no bytes, and its
    /// error is the one it was made to blame, with the failure's message.
    #[test]
    fn a_failed_drawing_is_blamed_where_its_file_was_named() {
        let blame = Diagnostic::error("").field("agenda[4].attachments[0].file");
        for lasting in [true, false] {
            let draws = Arc::new(AtomicUsize::new(0));
            let counter = draws.clone();
            let origin = (0x5eed_0004 + u128::from(lasting), Arc::new(vec![1u8]));
            let set = DrawnSet::remembered(origin, blame.clone(), move || {
                counter.fetch_add(1, Ordering::SeqCst);
                Err(DrawFailure {
                    message: "too much".to_owned(),
                    lasting,
                })
            });
            let page = FileBytes::drawn(&set, 0);
            assert!(page.is_drawn());
            let error = page.draw().unwrap_err();
            assert_eq!(error.message, "too much");
            assert_eq!(
                error.field.as_deref(),
                Some("agenda[4].attachments[0].file")
            );
            assert!(page.get().is_empty());
            assert_eq!(page.draw(), Err(error));
            assert_eq!(draws.load(Ordering::SeqCst), 1, "lasting: {lasting}");
        }
        assert_eq!(FileBytes::ready(vec![1u8]).draw(), Ok(()));
        assert!(!FileBytes::ready(vec![1u8]).is_drawn());
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
