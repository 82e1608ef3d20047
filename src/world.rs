//! The embedded Typst world: one in-memory source, bundled fonts, no file access.
//!
//! Generated documents need nothing but their own source and the fonts: content
//! is escaped into that source, so a document never reads another file. Any other
//! file request is denied, which confines even a hostile template to its own text.

use std::sync::{Arc, OnceLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

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
}

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
        }
    }

    /// Whether some bundled font has a glyph for `c`.
    pub fn can_print(&self, c: char) -> bool {
        self.fonts
            .iter()
            .any(|font| font.info().coverage.contains(u32::from(c)))
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
}

impl DocumentWorld {
    /// A world whose main file is `source`, named `name` (a virtual path such as
    /// `nehs/2020-07/innkalling.typ`, used in diagnostics).
    pub fn new(typesetter: Arc<Typesetter>, name: &str, source: String) -> DocumentWorld {
        let vpath = VirtualPath::new(name)
            .unwrap_or_else(|_| VirtualPath::new("document.typ").expect("valid path"));
        let id = RootedPath::new(VirtualRoot::Project, vpath).intern();
        DocumentWorld {
            typesetter,
            main: Source::new(id, source),
        }
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
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
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
}
