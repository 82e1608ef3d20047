//! The embedded Typst world: in-memory sources, bundled fonts, no file access.
//!
//! Generated documents need nothing but their own source (with the shared
//! parts it includes, see [`crate::render::split`]), the fonts and the
//! project files the load stage read for them (a case paper's figures, served
//! from memory by virtual path): content is escaped into that source, so a
//! document never reads the file system. Any other file request is denied,
//! which confines even a hostile template to its own text and those files.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::model::FileMap;
use crate::render::SplitSource;

/// The house font (Carlito, metric-compatible with Calibri; SIL Open Font License).
const HOUSE_FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/Carlito-Regular.ttf"),
    include_bytes!("../fonts/Carlito-Bold.ttf"),
    include_bytes!("../fonts/Carlito-Italic.ttf"),
    include_bytes!("../fonts/Carlito-BoldItalic.ttf"),
];

/// Fonts and the standard library, loaded once and shared by every compilation.
pub struct Typesetter {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// Texts known to print or not (see [`Typesetter::can_print`]).
    printable: Mutex<HashMap<String, Arc<OnceLock<bool>>>>,
    /// The last source of each document, when kept (see [`Typesetter::keep_sources`]).
    sources: Mutex<Option<HashMap<String, Source>>>,
    /// The shared parts parsed since the last [`Typesetter::forget_parts`],
    /// when sources are not kept: a meeting's documents include the same
    /// parts, parsed once for all of them.
    parts: Mutex<HashMap<FileId, Source>>,
}

/// Evicts from Typst's cache what no document used in the last `max_age`
/// evictions, and forgets the shared parts parsed so far, which are there
/// for what the cache holds (those of the documents at work are theirs
/// until they are done).
pub fn evict(max_age: usize) {
    typst::comemo::evict(max_age);
    Typesetter::shared().forget_parts();
}

/// The most shared parts [`Typesetter::part`] remembers: a meeting's
/// documents share a few tens (the set-up module, the summons, the papers).
const MAX_PARTS: usize = 1024;

/// The family of [`HOUSE_FONTS`], which the bundled templates set.
const HOUSE_FONT: &str = "Carlito";

impl Typesetter {
    /// The process-wide instance (fonts are parsed once).
    pub fn shared() -> Arc<Typesetter> {
        static SHARED: OnceLock<Arc<Typesetter>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(Typesetter::new())).clone()
    }

    fn new() -> Typesetter {
        let fonts: Vec<Font> = HOUSE_FONTS
            .into_iter()
            .chain(typst_assets::fonts())
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let book = FontBook::from_fonts(&fonts);
        Typesetter {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            printable: Mutex::new(HashMap::new()),
            sources: Mutex::new(None),
            parts: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps the last source of every document from now on, so that the next
    /// compilation of a document edits it rather than starting anew: the
    /// text that did not change keeps its place (its spans) in the syntax
    /// tree, and Typst's cache recognises what it laid out before (watch,
    /// where one paragraph changes between two builds of a pack).
    pub fn keep_sources(&self) {
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        sources.get_or_insert_with(HashMap::new);
    }

    /// Forgets the kept sources (they are kept again from now on): after a
    /// build of every document, of which only the few edited next are worth
    /// their memory.
    pub fn forget_sources(&self) {
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sources) = sources.as_mut() {
            sources.clear();
        }
    }

    /// Forgets the shared parts parsed so far: when a meeting's documents
    /// are done, together with Typst's cache (which is what they are for).
    pub fn forget_parts(&self) {
        let mut parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
        *parts = HashMap::new();
    }

    /// The shared part `id` of text `text`: as kept sources are (see
    /// [`Typesetter::source`]), else the one parsed before with the same
    /// text, else a new one, remembered until [`Typesetter::forget_parts`].
    /// A summons and every case paper are parts of the pack too: parsed
    /// once, not once per document.
    fn part(&self, id: FileId, text: &str) -> Source {
        if self
            .sources
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
        {
            return self.source(id, text.to_owned());
        }
        let known = {
            let parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
            parts.get(&id).filter(|s| s.text() == text).cloned()
        };
        if let Some(source) = known {
            return source;
        }
        // Parsed outside the lock: the documents of a build compile in parallel.
        let source = Source::new(id, text.to_owned());
        let mut parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded for a caller that never forgets them (a meeting has tens).
        if parts.len() >= MAX_PARTS {
            parts.clear();
        }
        parts.insert(id, source.clone());
        source
    }

    /// The source `text` of the document `id`: the kept source edited to
    /// `text` when sources are kept, else a new one.
    fn source(&self, id: FileId, text: String) -> Source {
        let key = format!("{:?}", id.get());
        let kept = {
            let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
            let Some(sources) = sources.as_mut() else {
                return Source::new(id, text);
            };
            sources.remove(&key)
        };
        // Edited outside the lock: the documents of a rebuild compile in parallel.
        let source = match kept {
            Some(mut source) => {
                source.replace(&text);
                source
            }
            None => Source::new(id, text),
        };
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sources) = sources.as_mut() {
            sources.insert(key, source.clone());
        }
        source
    }

    /// Whether `c` prints in the house font or a fallback Typst picks for it.
    ///
    /// Font coverage alone is not enough: Typst picks one fallback font by
    /// similarity, and a font may list a character it cannot draw in running
    /// text (New Computer Modern Math lists `✕`). Characters all four Carlito
    /// faces have are fine; for the others a tiny document is typeset in
    /// regular, bold and italic and exported as PDF/A, which refuses empty
    /// boxes. The answer is remembered.
    pub fn can_print(&self, c: char) -> bool {
        let mut unlimited = usize::MAX;
        self.try_print(c, &mut unlimited).unwrap_or(true)
    }

    /// Whether the combining `mark` can be drawn on `base` (Typst shapes the
    /// pair with the font chosen for the base).
    pub fn can_combine(&self, base: char, mark: char) -> bool {
        let mut unlimited = usize::MAX;
        self.try_combine(base, mark, &mut unlimited).unwrap_or(true)
    }

    /// Like [`Typesetter::can_print`], with at most `budget` questions
    /// beyond the house font (each may be a trial typesetting), counted
    /// down: `None` when the budget is spent.
    pub fn try_print(&self, c: char, budget: &mut usize) -> Option<bool> {
        let in_house = self
            .fonts
            .iter()
            .filter(|font| font.info().family == HOUSE_FONT)
            .all(|font| font.info().coverage.contains(u32::from(c)));
        if in_house {
            return Some(true);
        }
        self.prints(&c.to_string(), budget)
    }

    /// Like [`Typesetter::can_combine`], within `budget` (see
    /// [`Typesetter::try_print`]).
    pub fn try_combine(&self, base: char, mark: char, budget: &mut usize) -> Option<bool> {
        self.prints(&format!("{base}{mark}"), budget)
    }

    /// Whether `text` typesets without an empty box, in regular, bold and
    /// italic; `None` when that needs a trial and `budget` is spent.
    fn prints(&self, text: &str, budget: &mut usize) -> Option<bool> {
        // The budget is spent whether the answer is known or not, so that
        // what a file is told does not depend on which files were checked
        // before it (they are checked in parallel).
        *budget = budget.checked_sub(1)?;
        let cell = {
            let mut cache = self.printable.lock().unwrap_or_else(|e| e.into_inner());
            cache.entry(text.to_owned()).or_default().clone()
        };
        // One thread typesets a text; the others that ask meanwhile wait for
        // its answer (a hundred papers with the same arrow asked at once).
        Some(*cell.get_or_init(|| {
            let any_font = text.chars().any(|c| {
                self.fonts
                    .iter()
                    .any(|font| font.info().coverage.contains(u32::from(c)))
            });
            any_font && Self::trial_apart(text)
        }))
    }

    /// [`Typesetter::trial`] on a thread of its own: Typst works on worker
    /// threads, and a worker of the pool that waited for that work could take
    /// up another task meanwhile, which may wait for this very answer (a
    /// deadlock). A thread outside the pool waits without taking up work.
    fn trial_apart(text: &str) -> bool {
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(16 * 1024 * 1024)
                .spawn_scoped(scope, || Self::trial(text))
                .map(|handle| handle.join().unwrap_or(false))
                .unwrap_or_else(|_| Self::trial(text))
        })
    }

    /// Typesets `text` in regular, bold and italic and exports it as PDF/A,
    /// which refuses empty boxes: whether it prints.
    fn trial(text: &str) -> bool {
        let escaped = crate::text::escape_markup(text);
        let source = format!(
            "#set text(font: \"{HOUSE_FONT}\", lang: \"nb\")\n{escaped} #strong[{escaped}] #emph[{escaped}] #strong(emph[{escaped}])"
        );
        let world = DocumentWorld::new(Typesetter::shared(), "probe.typ", source);
        typst::compile::<PagedDocument>(&world)
            .output
            .ok()
            .is_some_and(|document| {
                let standards = typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2a]);
                standards.is_ok_and(|standards| {
                    let options = typst_pdf::PdfOptions {
                        standards,
                        // PDF/A requires a date.
                        timestamp: Datetime::from_ymd(2000, 1, 1)
                            .map(typst_pdf::Timestamp::new_utc),
                        ..typst_pdf::PdfOptions::default()
                    };
                    typst_pdf::pdf(&document, &options).is_ok()
                })
            })
    }

    /// Names of the font families available to templates.
    pub fn families(&self) -> Vec<String> {
        self.book
            .families()
            .map(|(name, _)| name.to_owned())
            .collect()
    }
}

/// One document to compile: its generated source in the shared typesetter.
pub struct DocumentWorld {
    typesetter: Arc<Typesetter>,
    main: Source,
    /// The shared parts the main source includes or imports (see
    /// [`crate::render::split`]), in their order.
    parts: Vec<Source>,
    /// Project files the document may show, by virtual path (`/<hash>/x.png`).
    files: FileMap,
}

impl DocumentWorld {
    /// A world whose main file is `source`, named `name` (a virtual path such as
    /// `nehs/2020-07/innkalling.typ`, used in diagnostics).
    pub fn new(typesetter: Arc<Typesetter>, name: &str, source: String) -> DocumentWorld {
        let vpath = VirtualPath::new(name)
            .unwrap_or_else(|_| VirtualPath::new("document.typ").expect("valid path"));
        let id = RootedPath::new(VirtualRoot::Project, vpath).intern();
        let main = typesetter.source(id, source);
        DocumentWorld {
            typesetter,
            main,
            parts: Vec::new(),
            files: FileMap::new(),
        }
    }

    /// The world with the shared parts of `source` to serve, by virtual path;
    /// its main source is `source.main`.
    pub fn split(typesetter: Arc<Typesetter>, name: &str, source: &SplitSource) -> DocumentWorld {
        let parts = source
            .parts
            .iter()
            .enumerate()
            .map(|(k, part)| {
                // Part names are made of letters, digits, `-` and `_`, so
                // their paths are valid (the fallback keeps the indices).
                let vpath = VirtualPath::new(&part.path).unwrap_or_else(|_| {
                    VirtualPath::new(format!("/felles/{k}.typ")).expect("valid path")
                });
                let id = RootedPath::new(VirtualRoot::Project, vpath).intern();
                typesetter.part(id, &part.text)
            })
            .collect();
        let mut world = DocumentWorld::new(typesetter, name, source.main.clone());
        world.parts = parts;
        world
    }

    /// Which file `id` is: the main source (`Some(None)`), the shared part at
    /// this index (`Some(Some(k))`), or neither.
    pub fn which(&self, id: FileId) -> Option<Option<usize>> {
        if id == self.main.id() {
            Some(None)
        } else {
            self.parts.iter().position(|p| p.id() == id).map(Some)
        }
    }

    /// The world with `files` to serve, by virtual path.
    pub fn with_files(mut self, files: FileMap) -> DocumentWorld {
        self.files = files;
        self
    }

    /// The project file `id` names, if the document may read it: its bytes,
    /// or why it could not be drawn (a build draws what a source names
    /// before compiling it, so this is for a path a template made up).
    fn project_file(&self, id: FileId) -> Option<Result<Arc<[u8]>, String>> {
        let path = id.get();
        if !matches!(path.root(), VirtualRoot::Project) {
            return None;
        }
        self.files
            .get(path.vpath().get_with_slash())
            .map(|file| file.try_get())
    }

    /// The main source.
    pub fn source_text(&self) -> &Source {
        &self.main
    }
}

impl World for DocumentWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.typesetter.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.typesetter.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.which(id) {
            Some(None) => Ok(self.main.clone()),
            Some(Some(k)) => Ok(self.parts[k].clone()),
            None => Err(FileError::AccessDenied),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(which) = self.which(id) {
            let source = which.map_or(&self.main, |k| &self.parts[k]);
            Ok(Bytes::from_string(source.clone()))
        } else if let Some(file) = self.project_file(id) {
            file.map(Bytes::new)
                .map_err(|message| FileError::Other(Some(message.into())))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.typesetter.fonts.get(index).cloned()
    }

    /// There is no "today": documents are dated from their content, so builds
    /// are reproducible. `datetime.today()` in a template is an error.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_include_the_house_font() {
        let families = Typesetter::shared().families();
        assert!(families.iter().any(|f| f == "Carlito"), "{families:?}");
        assert!(
            families.iter().any(|f| f == "DejaVu Sans Mono"),
            "{families:?}"
        );
    }

    /// A shared part is parsed once for the documents that include it, and
    /// parsed anew when its text changed: never a stale part.
    #[test]
    fn a_part_is_parsed_once_and_anew_when_its_text_changed() {
        let t = Typesetter::new();
        let path = VirtualPath::new("/felles/m/sak.typ").expect("valid path");
        let id = RootedPath::new(VirtualRoot::Project, path).intern();
        let first = t.part(id, "= Sak");
        let again = t.part(id, "= Sak");
        assert!(std::ptr::eq(first.root(), again.root()), "the same parse");
        let edited = t.part(id, "= Sak 2");
        assert_eq!(edited.text(), "= Sak 2");
        assert!(!std::ptr::eq(first.root(), edited.root()));
        t.forget_parts();
        let after = t.part(id, "= Sak 2");
        assert_eq!(after.text(), "= Sak 2");
        assert!(!std::ptr::eq(edited.root(), after.root()), "forgotten");
    }

    #[test]
    fn printable_means_typst_can_draw_it() {
        let t = Typesetter::shared();
        for c in ['a', 'ø', '«', '–', '§', '€', '✓', '→', '☺', '\u{FFFD}'] {
            assert!(t.can_print(c), "{c:?} prints");
        }
        // No font has it; New Computer Modern Math lists `✕` but Typst's
        // fallback cannot draw it in running text.
        for c in ['😀', '✕', '\u{10FFFD}'] {
            assert!(!t.can_print(c), "{c:?} does not print");
        }
        assert!(t.can_combine('e', '\u{301}'));
        assert!(!t.can_combine('•', '\u{20D0}'));
    }
}
