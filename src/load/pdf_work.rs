//! Load stage, the work of drawing a PDF page, bounded before it is done.
//!
//! hayro draws whatever a page asks for, with no bound on the work or the
//! memory it takes: 4 KB of nested forms, each drawing the next ten times,
//! ask for 10⁸ drawings (motebok aborted at 4 GB); a compressed stream of a
//! few kilobytes unpacks to gigabytes; an image may declare a billion pixels.
//! So before a page of an attachment or a figure is drawn, its content is
//! walked as hayro will draw it (into forms, tiling patterns, soft masks and
//! Type 3 glyphs, each time they are drawn), counting the operators, the
//! image pixels (as a JPEG 2000 or JBIG2 image's own data gives them, which
//! hayro believes over its dictionary) and the bytes unpacked, and the page
//! is refused once a count passes its limit. Every stream of the file must also unpack to at most
//! [`MAX_STREAM_BYTES`] (fonts, colour profiles and functions are unpacked
//! whole wherever they are used); that is measured by unpacking in bounded
//! steps where the compressed size alone does not settle it.
//!
//! Nesting is bounded too: of arrays and dictionaries (hayro parses them
//! recursively), of saved graphics states, and of clips and forms (which
//! Typst's PDF/A output bounds).
//!
//! What it leaves out: the size of shading textures (hayro draws a shading
//! pattern as an image as large as the shape it fills, which only following
//! the drawing's geometry would bound), JBIG2 region segments, PDF functions
//! (sample tables, PostScript calculators), deep page trees, and what hayro
//! parses inside object and cross-reference streams before this walk. Those
//! are bounded by the process the reading and drawing run in, whose memory
//! and processor time are limited (see [`super::drawing`]); this walk turns
//! what it can foresee into a precise message, and keeps a drawing within
//! what that process may use.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::rc::Rc;
use std::sync::Mutex;

use hayro_svg::hayro_syntax::Filter;
use hayro_svg::hayro_syntax::Pdf;
use hayro_svg::hayro_syntax::bit_reader::BitReader;
use hayro_svg::hayro_syntax::content::TypedIter;
use hayro_svg::hayro_syntax::content::ops::TypedInstruction;
use hayro_svg::hayro_syntax::object::dict::keys::{
    BITS_PER_COMPONENT, CHAR_PROCS, COLORS, COLUMNS, CONTENTS, DECODE_PARMS, DIFFERENCES, DP,
    ENCODING, EXT_G_STATE, FONT, FORM, G, H, HEIGHT, IM, IMAGE, IMAGE_MASK, JBIG2_GLOBALS, MASK,
    PATTERN, PREDICTOR, RESOURCES, ROWS, SMASK, SUBTYPE, TYPE3, W, WIDTH, XOBJECT,
};
use hayro_svg::hayro_syntax::object::{Array, Dict, Name, Object, ObjectIdentifier, Stream};
use hayro_svg::hayro_syntax::page::{Page, Resources};

/// The most content operators drawing one page may run, counting those of a
/// form each time it is drawn, one per glyph shown and one per resource
/// dictionary searched. The busiest real page measured ran 26 000; hayro
/// draws about a million a second, and Typst refuses an SVG of more than a
/// million elements (a path or a glyph each), which 2 million operations
/// come near.
pub(crate) const MAX_PAGE_OPERATIONS: u64 = 2_000_000;

/// The most image pixels drawing one page may decode, counting an image each
/// time it is drawn: an A4 page scanned at 600 dpi is 35 megapixels, which
/// took 1.2 s and 750 MB to draw and typeset. Each pixel is decoded,
/// encoded again as PNG, and decoded once more by Typst.
pub(crate) const MAX_PAGE_PIXELS: u64 = 50_000_000;

/// The most bytes drawing one page may unpack, counting a stream each time
/// it is unpacked (hayro unpacks a form, or an image, every time it draws it).
pub(crate) const MAX_PAGE_UNPACKED_BYTES: u64 = 512 << 20;

/// What all the pages of a PDF may take together: the drawings of an
/// attachment's pages are held together while its documents compile, and
/// ten pages at the limits took 4.5 GB (paths) to 5.8 GB (images drawn
/// small, many times). Measured at these limits: one page of 1.98 million
/// operations (filled squares) took 1.5 GB; four pages of a 49-megapixel
/// image each, 0.9 GB; 2.5 pages of 79 000 small images drawn, 1.1 GB.
const FILE: Cost = Cost {
    operations: MAX_PAGE_OPERATIONS,
    pixels: 4 * MAX_PAGE_PIXELS,
    unpacked: 2 * MAX_PAGE_UNPACKED_BYTES,
};

/// The operations an image drawn counts for, besides its pixels: each is an
/// image of its own in the SVG, encoded as PNG, and in Typst's PDF (79 000
/// draws of a 25 × 25 image a page took 7 KB each, as much as ten paths).
const IMAGE_OPERATIONS: u64 = 10;

/// The most bytes one stream of a PDF may unpack to: a scan of an A4 page at
/// 600 dpi is 104 MB uncompressed.
pub(crate) const MAX_STREAM_BYTES: u64 = 256 << 20;

/// The most bytes the streams of one PDF may unpack to together where their
/// compressed size alone does not bound them within [`MAX_STREAM_BYTES`],
/// as they are measured: 6 000 unused streams of 255 MiB each took 98 s to
/// measure. A 300-page scan at 600 dpi packed with Flate is about 330 MB.
pub(crate) const MAX_MEASURED_BYTES: u64 = 1 << 30;

/// The longest row a predictor (`/DecodeParms` `/Predictor`) may work in:
/// hayro allocates a row of `/Columns` × `/Colors` × `/BitsPerComponent` / 8
/// bytes however little data there is (`/Columns 4000000000` aborted it
/// within the check's own unpacking). A row of an image 60 000 pixels wide,
/// four colours of 16 bits, is 480 KB.
pub(crate) const MAX_ROW_BYTES: u64 = 16 << 20;

/// How deep hayro draws forms in forms; deeper ones it leaves out.
const HAYRO_MAX_DEPTH: u32 = 50;

/// How deep patterns, soft masks and glyphs may nest: hayro has no bound on
/// them (a tiling pattern that fills with itself overflows its stack).
const MAX_DEPTH: u32 = 64;

/// How many graphics states (`q`) may be saved at once in one content
/// stream: hayro copies its whole state for each, and 1.9 million of them
/// (4 MB of `q `, 4 KB packed) aborted it. Real pages nest a handful; the
/// PDF standard's own advice is 28.
const MAX_SAVED_STATES: usize = 256;

/// How many clips and forms may be in effect at once: hayro-svg draws each
/// inside the last, as a group, and Typst writes each group as a saved
/// graphics state, which PDF/A bounds: 26 nested clips (or forms) were
/// typeset, 27 failed the whole document ("PDF/A-2a error: the PDF has too
/// high q nesting"). This leaves room for the groups Typst itself places
/// the drawing in.
const MAX_CLIP_DEPTH: u32 = 24;

/// How deep arrays and dictionaries may nest, in the file and in content
/// streams: hayro parses them recursively, and 500 000 `[` overflowed its
/// stack (reading the file, or walking a page's content). Real files nest a
/// few deep.
pub(crate) const MAX_SYNTAX_DEPTH: usize = 256;

/// The limits of one page.
const PAGE: Cost = Cost {
    operations: MAX_PAGE_OPERATIONS,
    pixels: MAX_PAGE_PIXELS,
    unpacked: MAX_PAGE_UNPACKED_BYTES,
};

/// Why a PDF cannot be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The stream of this object number unpacks to more than [`MAX_STREAM_BYTES`].
    Stream(i32),
    /// The streams of the file unpack to more than [`MAX_MEASURED_BYTES`]
    /// together.
    Measured,
    /// The stream of this object number has a predictor whose rows are
    /// longer than [`MAX_ROW_BYTES`].
    Row(i32),
    /// The file nests arrays or dictionaries more than [`MAX_SYNTAX_DEPTH`] deep.
    Syntax,
    /// Drawing this page (counted from 1) would take too much.
    Page(usize, Excess),
    /// Drawing all the pages would take too much.
    File(Excess),
}

/// What drawing would take too much of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Excess {
    Operations,
    Pixels,
    Unpacked,
    Nesting,
    SavedStates,
    Clips,
    Syntax,
    /// Elements of the drawn page's SVG (shapes, glyphs, pictures).
    Elements,
    /// Bytes of the drawn page's SVG, counting what is linked each time.
    Drawing,
}

impl Refusal {
    /// The message for the PDF `what` names (``attachment `vedlegg/a.pdf` ``).
    pub(crate) fn message(&self, what: &str) -> String {
        let hint = "print it to a new PDF file (or flatten it) and use that";
        let excess = |excess: &Excess, limits: Cost| match excess {
            Excess::Operations => format!(
                "more than {} million drawing operations",
                limits.operations / 1_000_000
            ),
            Excess::Pixels => format!(
                "more than {} megapixels of images",
                limits.pixels / 1_000_000
            ),
            Excess::Unpacked => format!(
                "more than {} MiB of compressed data to unpack",
                limits.unpacked >> 20
            ),
            Excess::Nesting => format!("patterns or glyphs nested more than {MAX_DEPTH} deep"),
            Excess::SavedStates => {
                format!("graphics states saved more than {MAX_SAVED_STATES} deep")
            }
            Excess::Clips => format!("clips or forms nested more than {MAX_CLIP_DEPTH} deep"),
            Excess::Syntax => {
                format!("arrays or dictionaries nested more than {MAX_SYNTAX_DEPTH} deep")
            }
            Excess::Elements => format!(
                "more than {} million shapes, glyphs and pictures drawn, the most Typst reads",
                MAX_DRAWN_ELEMENTS / 1_000_000
            ),
            Excess::Drawing => format!(
                "more than {} MiB of drawing, counting a shape as often as it is used",
                if limits == FILE {
                    MAX_FILE_DRAWN_BYTES
                } else {
                    MAX_DRAWN_BYTES
                } >> 20
            ),
        };
        match self {
            Refusal::Stream(object) => format!(
                "{what} has a compressed stream (object {object}) that unpacks to more than {} MiB; {hint}",
                MAX_STREAM_BYTES >> 20
            ),
            Refusal::Measured => format!(
                "{what} has compressed streams that unpack to more than {} MiB in all; {hint}",
                MAX_MEASURED_BYTES >> 20
            ),
            Refusal::Row(object) => format!(
                "{what} has a compressed stream (object {object}) whose rows are longer than {} MiB; {hint}",
                MAX_ROW_BYTES >> 20
            ),
            Refusal::Syntax => format!(
                "{what} has arrays or dictionaries nested more than {MAX_SYNTAX_DEPTH} deep; {hint}"
            ),
            Refusal::Page(page, e) => format!(
                "{what} page {page} is too complex to draw ({}); {hint}",
                excess(e, PAGE)
            ),
            Refusal::File(e) => format!(
                "{what} is too complex to draw ({} in all); {hint}",
                excess(e, FILE)
            ),
        }
    }
}

/// Checks, before hayro parses the PDF `bytes`, that its arrays and
/// dictionaries nest at most [`MAX_SYNTAX_DEPTH`] deep.
pub(crate) fn check_syntax(bytes: &[u8]) -> Result<(), Refusal> {
    match too_deep(bytes) {
        true => Err(Refusal::Syntax),
        false => Ok(()),
    }
}

/// Whether the PDF syntax `bytes` (a file, or a content stream) opens more
/// than [`MAX_SYNTAX_DEPTH`] arrays and dictionaries at once. Strings,
/// comments, stream data and inline image data are skipped; a closing
/// bracket without its opening one is not counted, so a file opening more
/// than it closes counts as deeper, never shallower, than it is.
fn too_deep(bytes: &[u8]) -> bool {
    let token = |at: usize, word: &[u8]| {
        bytes[at..].starts_with(word)
            && (at == 0 || white(bytes[at - 1]) || b">]".contains(&bytes[at - 1]))
            && bytes.get(at + word.len()).is_none_or(|&b| white(b))
    };
    // From `at`, past the next `end` that stands alone as a token.
    let past = |at: usize, end: &[u8]| {
        (at..bytes.len())
            .find(|&i| token(i, end))
            .map_or(bytes.len(), |i| i + end.len())
    };
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        at += 1;
        match byte {
            b'%' => {
                while bytes.get(at).is_some_and(|&b| b != b'\n' && b != b'\r') {
                    at += 1;
                }
            }
            b'(' => {
                let mut open = 1;
                while let Some(&b) = bytes.get(at) {
                    at += 1;
                    match b {
                        b'\\' => at += 1,
                        b'(' => open += 1,
                        b')' => {
                            open -= 1;
                            if open == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            b'<' if bytes.get(at) == Some(&b'<') => {
                at += 1;
                depth += 1;
            }
            b'<' => {
                while bytes.get(at).is_some_and(|&b| b != b'>') {
                    at += 1;
                }
                at += 1;
            }
            b'>' if bytes.get(at) == Some(&b'>') => {
                at += 1;
                depth = depth.saturating_sub(1);
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b's' if token(at - 1, b"stream") => at = past(at, b"endstream"),
            b'I' if token(at - 1, b"ID") => at = past(at, b"EI"),
            _ => {}
        }
        if depth > MAX_SYNTAX_DEPTH {
            return true;
        }
    }
    false
}

/// Checks that the pages `pages` (counted from 0) of `pdf` can be drawn
/// within the limits, each and together, and that every stream of the file
/// unpacks within [`MAX_STREAM_BYTES`]. Pages out of range are left out.
pub(crate) fn check(pdf: &Pdf, pages: impl IntoIterator<Item = usize>) -> Result<(), Refusal> {
    let mut known = Known::default();
    let mut measured = 0u64;
    for object in pdf.objects() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if rows_too_long(&stream) {
            return Err(Refusal::Row(stream.obj_id().obj_number));
        }
        if most_unpacked(&stream) > MAX_STREAM_BYTES {
            let too_large = Refusal::Stream(stream.obj_id().obj_number);
            let len = unpacked_len(&stream, MAX_STREAM_BYTES).ok_or(too_large)?;
            known.unpacked.insert(stream.obj_id(), len);
            measured += len;
            if measured > MAX_MEASURED_BYTES {
                return Err(Refusal::Measured);
            }
        }
    }
    let mut file_left = FILE;
    for n in pages {
        let Some(page) = pdf.pages().get(n) else {
            continue;
        };
        let mut walk = Walk::new(&mut known, PAGE.min(file_left));
        let spent = walk.spent(|walk| walk.page(page)).map_err(|excess| {
            // Whichever limit was the nearer.
            if file_left.of(excess) < PAGE.of(excess) {
                Refusal::File(excess)
            } else {
                Refusal::Page(n + 1, excess)
            }
        })?;
        file_left = file_left.less(spent);
    }
    Ok(())
}

/// Checks the pages `drawn` (SVGs, the first of them page `first`, counted
/// from 1) for what Typst, in motebok's own process, will make of them (the
/// check runs where they were drawn, in the drawing process):
///
/// - the PNG pictures hayro put in them (it draws images, and shading
///   patterns as large as the shape they fill, which the walk does not
///   follow, as pictures), which Typst unpacks again, at 8 bytes a pixel on
///   each thread that does, once for each use: their pixels count against
///   the limits of a page and of a file (a 746-byte PDF filling two shapes
///   of 20 000² points with a shading drew 1 MB of SVG, and took motebok
///   6.2 GB; one texture of 49 megapixels filled through 200 patterns took
///   it 54 s);
/// - the nodes usvg makes (a `<use>` copies what it links to): at most a
///   million, the most it reads;
/// - the bytes of drawing, counting what an element links to (by `<use>`,
///   or `url(#…)` for a mask, clip or pattern) each time it is linked, as
///   Typst writes it again each time: a glyph of a million segments shown
///   200 times, 7 KB of PDF, took motebok past 3 GB and aborted; one mask
///   of 500 000 squares used 400 000 times would have run for hours.
pub(crate) fn check_drawn(drawn: &[Vec<u8>], first: usize) -> Result<(), Refusal> {
    let mut file = Weight::default();
    for (i, svg) in drawn.iter().enumerate() {
        let page = svg_weight(svg);
        let excess = if page.nodes > MAX_DRAWN_ELEMENTS {
            Some(Excess::Elements)
        } else if page.pixels > PAGE.pixels {
            Some(Excess::Pixels)
        } else if page.bytes > MAX_DRAWN_BYTES {
            Some(Excess::Drawing)
        } else {
            None
        };
        if let Some(excess) = excess {
            return Err(Refusal::Page(first + i, excess));
        }
        file = file.plus(page);
        if file.pixels > FILE.pixels {
            return Err(Refusal::File(Excess::Pixels));
        }
        if file.bytes > MAX_FILE_DRAWN_BYTES {
            return Err(Refusal::File(Excess::Drawing));
        }
    }
    Ok(())
}

/// The most bytes of drawing a page's SVG may come to, counting what is
/// linked each time it is linked: a page of 999 999 filled squares (the
/// operation limit) came to 88 MB; real pages, 0.1 to 1 MB.
const MAX_DRAWN_BYTES: u64 = 128 << 20;

/// The most bytes of drawing all the pages of a file may come to: 300 real
/// pages of 1 MB each fit.
const MAX_FILE_DRAWN_BYTES: u64 = 1 << 30;

/// What Typst will make of a drawn page: see [`check_drawn`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Weight {
    /// The nodes usvg makes.
    nodes: u64,
    /// The bytes of drawing, counting linked elements each time.
    bytes: u64,
    /// The pixels of pictures, counting linked ones each time.
    pixels: u64,
}

impl Weight {
    fn plus(self, other: Weight) -> Weight {
        Weight {
            nodes: self.nodes.saturating_add(other.nodes),
            bytes: self.bytes.saturating_add(other.bytes),
            pixels: self.pixels.saturating_add(other.pixels),
        }
    }

    /// What linking to an element of this weight adds: usvg copies an
    /// element a `<use>` links to (nodes), not one a `url(#…)` names.
    fn linked(self, by_use: bool) -> Weight {
        Weight {
            nodes: if by_use { self.nodes } else { 0 },
            ..self
        }
    }
}

/// The most nodes usvg, with which Typst reads an SVG, makes of one: it
/// refuses an SVG of more ("nodes limit reached", at a line of the
/// generated source). A page of 999 999 filled squares (the operation
/// limit) drew 1 000 000 elements, which Typst read; a page of 600 000
/// glyphs (each a `<use>` of the glyph's path: two nodes) it did not.
const MAX_DRAWN_ELEMENTS: u64 = 1_000_000;

/// What Typst will make of the SVG `svg`, as hayro writes one (elements
/// only, their attribute values in double quotes; see [`check_drawn`]):
/// each element counts one node, the bytes of its tag and the pixels of the
/// pictures in it, and what it links to, again for each link.
fn svg_weight(svg: &[u8]) -> Weight {
    /// An element: where its subtree ends (the index of the next element
    /// not in it), its `id`, its own weight, and what it links to (an id,
    /// and whether by `<use>`).
    struct Element<'a> {
        end: usize,
        id: Option<&'a [u8]>,
        own: Weight,
        links: Vec<(&'a [u8], bool)>,
        /// Whether it is a definition (in `<defs>`), drawn only where linked.
        defined: bool,
    }
    /// The value of the attribute that `name` (with `="`) starts in `tag`.
    fn value<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
        let at = tag.windows(name.len()).position(|w| w == name)? + name.len();
        let len = tag[at..].iter().position(|&b| b == b'"')?;
        Some(&tag[at..at + len])
    }
    /// The ids that `url(#…)` names in `tag`.
    fn urls(tag: &[u8]) -> impl Iterator<Item = &[u8]> {
        const URL: &[u8] = b"url(#";
        let mut at = 0;
        std::iter::from_fn(move || {
            let start = at + tag[at..].windows(URL.len()).position(|w| w == URL)? + URL.len();
            let len = tag[start..].iter().position(|&b| b == b')')?;
            at = start + len;
            Some(&tag[start..start + len])
        })
    }
    let mut elements: Vec<Element<'_>> = Vec::new();
    // The elements open, and whether each is a `<defs>`.
    let mut open: Vec<(usize, bool)> = Vec::new();
    let mut at = 0;
    while let Some(lt) = svg[at..].iter().position(|&b| b == b'<') {
        let start = at + lt + 1;
        let mut quoted = false;
        let end = svg[start..]
            .iter()
            .position(|&b| {
                quoted ^= b == b'"';
                b == b'>' && !quoted
            })
            .map_or(svg.len(), |n| start + n);
        let tag = &svg[start..end];
        at = (end + 1).min(svg.len());
        match tag.first() {
            Some(b'/') => {
                if let Some((element, _)) = open.pop() {
                    let next = elements.len();
                    let element: &mut Element<'_> = &mut elements[element];
                    element.end = next;
                }
            }
            Some(b'?' | b'!') | None => {}
            Some(_) => {
                let index = elements.len();
                let mut links: Vec<(&[u8], bool)> = urls(tag).map(|id| (id, false)).collect();
                if tag.starts_with(b"use")
                    && let Some(id) = value(tag, b"href=\"#")
                {
                    links.push((id, true));
                }
                elements.push(Element {
                    end: index + 1,
                    id: value(tag, b" id=\""),
                    own: Weight {
                        nodes: 1,
                        bytes: tag.len() as u64 + 2,
                        pixels: png_pixels(tag),
                    },
                    links,
                    defined: open.iter().any(|&(_, defs)| defs),
                });
                if !tag.ends_with(b"/") {
                    let defs =
                        tag.starts_with(b"defs") && matches!(tag.get(4), Some(b' ' | b'/') | None);
                    open.push((index, defs));
                }
            }
        }
    }
    for (element, _) in open {
        let end = elements.len();
        elements[element].end = end;
    }
    let ids: HashMap<&[u8], usize> = elements
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.id.map(|id| (id, i)))
        .collect();
    /// The weight of the element `i` and what it links to; of its subtree
    /// when `subtree`. Subtrees linked to are worked out once; a link back
    /// into what is being counted counts nothing (usvg skips such a use).
    fn weight(
        i: usize,
        subtree: bool,
        elements: &[Element<'_>],
        ids: &HashMap<&[u8], usize>,
        known: &mut HashMap<usize, Option<Weight>>,
    ) -> Weight {
        let end = if subtree {
            elements[i].end.max(i + 1)
        } else {
            i + 1
        };
        let mut total = Weight::default();
        for element in &elements[i..end] {
            total = total.plus(element.own);
            for &(id, by_use) in &element.links {
                let Some(&linked) = ids.get(id) else {
                    continue;
                };
                let of_linked = match known.get(&linked) {
                    Some(Some(w)) => *w,
                    Some(None) => Weight::default(),
                    None => {
                        known.insert(linked, None);
                        let w = weight(linked, true, elements, ids, known);
                        known.insert(linked, Some(w));
                        w
                    }
                };
                total = total.plus(of_linked.linked(by_use));
            }
        }
        total
    }
    let mut known = HashMap::new();
    (0..elements.len()).fold(Weight::default(), |total, i| {
        let w = weight(i, false, &elements, &ids, &mut known);
        // usvg reads a definition; Typst draws it only where it is linked.
        let drawn = match elements[i].defined {
            true => Weight {
                nodes: w.nodes,
                ..Weight::default()
            },
            false => w,
        };
        total.plus(drawn)
    })
}

/// The pixels of the PNG pictures embedded in the SVG `svg` as data URLs,
/// read from each picture's header (an unreadable header counts as more
/// than any limit).
fn png_pixels(svg: &[u8]) -> u64 {
    use base64::Engine;
    const MARK: &str = "data:image/png;base64,";
    let svg = String::from_utf8_lossy(svg);
    svg.match_indices(MARK)
        .map(|(at, _)| {
            // The signature (8 bytes), the IHDR chunk's length and type (8),
            // its width and height (8): 24 bytes, 32 in base64.
            let head = svg.get(at + MARK.len()..at + MARK.len() + 32);
            let head = head.and_then(|h| base64::engine::general_purpose::STANDARD.decode(h).ok());
            match head.as_deref() {
                Some(
                    [
                        0x89,
                        b'P',
                        b'N',
                        b'G',
                        _,
                        _,
                        _,
                        _,
                        _,
                        _,
                        _,
                        _,
                        b'I',
                        b'H',
                        b'D',
                        b'R',
                        size @ ..,
                    ],
                ) => {
                    let width = u32::from_be_bytes([size[0], size[1], size[2], size[3]]);
                    let height = u32::from_be_bytes([size[4], size[5], size[6], size[7]]);
                    u64::from(width) * u64::from(height)
                }
                _ => u64::MAX,
            }
        })
        .fold(0u64, u64::saturating_add)
}

/// [`check`] of every page of `pdf`, remembered by the hash of its bytes for
/// the rest of the process, so that the next build in watch, or the same
/// attachment in another meeting, need not walk it again (the hash names
/// its drawn pages too, so two files it cannot tell apart are one file to
/// Typst already).
pub(crate) fn check_all_pages(hash: u128, pdf: &Pdf) -> Result<(), Refusal> {
    /// How many outcomes are held (a few bytes each).
    const HELD: usize = 4096;
    static CHECKED: Mutex<BTreeMap<u128, Result<(), Refusal>>> = Mutex::new(BTreeMap::new());
    let checked = || CHECKED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(outcome) = checked().get(&hash) {
        return *outcome;
    }
    let outcome = check(pdf, 0..pdf.pages().len());
    let mut held = checked();
    if held.len() >= HELD {
        held.clear();
    }
    held.insert(hash, outcome);
    outcome
}

/// What is worked out once per file: the unpacked size of streams measured,
/// what decoding each image takes (but for its pixels' number, the same each
/// time), and the glyph procedure of each character code of Type 3 fonts.
#[derive(Default)]
struct Known<'a> {
    unpacked: HashMap<ObjectIdentifier, u64>,
    images: HashMap<ObjectIdentifier, Cost>,
    type3: HashMap<ObjectIdentifier, Rc<Type3<'a>>>,
}

/// A Type 3 font: its dictionary, and its glyph procedures by character code
/// (`None` for a code its `/Differences` leave to the base encoding).
struct Type3<'a> {
    font: Dict<'a>,
    glyphs: Vec<Option<Stream<'a>>>,
}

/// What a walk has left, or has spent, of each limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cost {
    operations: u64,
    pixels: u64,
    unpacked: u64,
}

impl Cost {
    const NONE: Cost = Cost {
        operations: 0,
        pixels: 0,
        unpacked: 0,
    };

    fn of(self, excess: Excess) -> u64 {
        match excess {
            Excess::Operations => self.operations,
            Excess::Pixels => self.pixels,
            Excess::Unpacked => self.unpacked,
            Excess::Nesting
            | Excess::SavedStates
            | Excess::Clips
            | Excess::Syntax
            | Excess::Elements
            | Excess::Drawing => u64::MAX,
        }
    }

    fn times(self, n: u64) -> Cost {
        Cost {
            operations: self.operations.saturating_mul(n),
            pixels: self.pixels.saturating_mul(n),
            unpacked: self.unpacked.saturating_mul(n),
        }
    }

    fn min(self, other: Cost) -> Cost {
        Cost {
            operations: self.operations.min(other.operations),
            pixels: self.pixels.min(other.pixels),
            unpacked: self.unpacked.min(other.unpacked),
        }
    }

    fn max(self, other: Cost) -> Cost {
        Cost {
            operations: self.operations.max(other.operations),
            pixels: self.pixels.max(other.pixels),
            unpacked: self.unpacked.max(other.unpacked),
        }
    }

    fn less(self, other: Cost) -> Cost {
        Cost {
            operations: self.operations.saturating_sub(other.operations),
            pixels: self.pixels.saturating_sub(other.pixels),
            unpacked: self.unpacked.saturating_sub(other.unpacked),
        }
    }
}

/// The graphics state a walk follows: the tiling patterns that fill and
/// stroke, the Type 3 font, how many clips and forms are in effect, and
/// whether text clips (render modes 4 to 7, a clip at `ET`).
#[derive(Clone, Default)]
struct State<'a> {
    fill: Option<Rc<Tiling<'a>>>,
    stroke: Option<Rc<Tiling<'a>>>,
    type3: Option<Rc<Type3<'a>>>,
    clips: u32,
    text_clips: bool,
}

impl State<'_> {
    /// One more clip (or form) in effect.
    fn clip(&mut self) -> Result<(), Excess> {
        self.clips += 1;
        if self.clips > MAX_CLIP_DEPTH {
            return Err(Excess::Clips);
        }
        Ok(())
    }
}

/// A tiling pattern in use: its stream, the resources its names resolve in,
/// and the depth hayro draws it at (one below where it was chosen).
struct Tiling<'a> {
    stream: Stream<'a>,
    resources: Rc<Scope<'a>>,
    depth: u32,
}

/// The resources names resolve in: a form's (a pattern's, a glyph's) over
/// those of what draws it, up to the page's, each name found in the innermost
/// that has it, as hayro finds them. Shared, not copied, by what is drawn
/// inside (hayro copies the chain for each form it draws).
struct Scope<'a> {
    x_objects: Dict<'a>,
    patterns: Dict<'a>,
    ext_g_states: Dict<'a>,
    fonts: Dict<'a>,
    parent: Option<Rc<Scope<'a>>>,
}

impl<'a> Scope<'a> {
    /// The page's resources, with those it inherits.
    fn page(resources: &Resources<'a>) -> Rc<Scope<'a>> {
        Rc::new(Scope {
            x_objects: resources.x_objects.clone(),
            patterns: resources.patterns.clone(),
            ext_g_states: resources.ext_g_states.clone(),
            fonts: resources.fonts.clone(),
            parent: resources.parent().map(Scope::page),
        })
    }

    /// The resources dictionary `own` over `parent`.
    fn within(own: Dict<'a>, parent: &Rc<Scope<'a>>) -> Rc<Scope<'a>> {
        let kind = |key: &[u8]| own.get::<Dict<'_>>(key).unwrap_or_default();
        Rc::new(Scope {
            x_objects: kind(XOBJECT),
            patterns: kind(PATTERN),
            ext_g_states: kind(EXT_G_STATE),
            fonts: kind(FONT),
            parent: Some(parent.clone()),
        })
    }
}

/// The walk of one page, with what is left of its limits.
struct Walk<'k, 'a> {
    left: Cost,
    depth: u32,
    known: &'k mut Known<'a>,
}

impl<'k, 'a> Walk<'k, 'a> {
    fn new(known: &'k mut Known<'a>, left: Cost) -> Self {
        Walk {
            left,
            depth: 0,
            known,
        }
    }

    fn charge(&mut self, cost: Cost) -> Result<(), Excess> {
        let left = &mut self.left;
        left.operations =
            (left.operations.checked_sub(cost.operations)).ok_or(Excess::Operations)?;
        left.pixels = (left.pixels.checked_sub(cost.pixels)).ok_or(Excess::Pixels)?;
        left.unpacked = (left.unpacked.checked_sub(cost.unpacked)).ok_or(Excess::Unpacked)?;
        Ok(())
    }

    fn operations(&mut self, n: u64) -> Result<(), Excess> {
        self.charge(Cost {
            operations: n,
            ..Cost::NONE
        })
    }

    /// The resource `name` of the kind `kind` picks from `scope`, as `Some`
    /// from `is`: each scope searched is an operation (hayro searches them
    /// alike, and a name that fails to resolve, as one naming the object it
    /// is in does, takes as long as drawing a path).
    fn find<T>(
        &mut self,
        scope: &Scope<'a>,
        kind: for<'s> fn(&'s Scope<'a>) -> &'s Dict<'a>,
        name: &Name<'_>,
        is: fn(Object<'a>) -> Option<T>,
    ) -> Result<Option<T>, Excess> {
        let mut scope = scope;
        loop {
            self.operations(1)?;
            let found = kind(scope).get::<Object<'_>>(name.as_ref()).and_then(is);
            if found.is_some() {
                return Ok(found);
            }
            let Some(parent) = scope.parent.as_deref() else {
                return Ok(None);
            };
            scope = parent;
        }
    }

    /// The tiling pattern `name` in `resources` (a shading pattern is no
    /// stream), with the resources its own names resolve in.
    fn tiling(
        &mut self,
        resources: &Rc<Scope<'a>>,
        name: Option<&Name<'_>>,
    ) -> Result<Option<Rc<Tiling<'a>>>, Excess> {
        let Some(name) = name else { return Ok(None) };
        let pattern = self.find(resources, |s| &s.patterns, name, Object::into_stream)?;
        Ok(pattern.map(|stream| {
            Rc::new(Tiling {
                stream,
                resources: resources.clone(),
                depth: self.depth,
            })
        }))
    }

    /// Runs `walk`, and returns what it spent.
    fn spent(
        &mut self,
        walk: impl FnOnce(&mut Self) -> Result<(), Excess>,
    ) -> Result<Cost, Excess> {
        let before = self.left;
        walk(self)?;
        Ok(before.less(self.left))
    }

    /// Runs `walk`, then charges what it spent `times - 1` times more: the
    /// same drawing done `times` times over.
    fn times(
        &mut self,
        times: u64,
        walk: impl FnOnce(&mut Self) -> Result<(), Excess>,
    ) -> Result<(), Excess> {
        if times == 0 {
            return Ok(());
        }
        let cost = self.spent(walk)?;
        self.charge(cost.times(times - 1))
    }

    /// The page's content streams, joined as hayro joins them.
    fn page(&mut self, page: &Page<'a>) -> Result<(), Excess> {
        let raw = page.raw();
        let streams: Vec<Stream<'a>> = if let Some(stream) = raw.get::<Stream<'_>>(CONTENTS) {
            vec![stream]
        } else if let Some(array) = raw.get::<Array<'_>>(CONTENTS) {
            array.iter::<Stream<'_>>().collect()
        } else {
            Vec::new()
        };
        let mut content = Vec::new();
        for stream in &streams {
            content.extend_from_slice(&self.unpack(stream)?);
            content.push(b' ');
        }
        self.content(&content, &Scope::page(page.resources()), State::default())
    }

    /// Unpacks a stream hayro unpacks to draw it (a content stream, a form,
    /// a pattern, a glyph), charging its size. [`check`] has measured every
    /// stream of the file first, so none unpacks to more than
    /// [`MAX_STREAM_BYTES`], and what is held at once stays within the
    /// page's limit.
    fn unpack(&mut self, stream: &Stream<'a>) -> Result<Cow<'a, [u8]>, Excess> {
        if stream.filters().iter().any(|f| image_filter(*f)) {
            // An image codec's output read as operators, by hayro unbounded.
            return Err(Excess::Unpacked);
        }
        if rows_too_long(stream) {
            return Err(Excess::Unpacked);
        }
        let data = stream.decoded().unwrap_or_default();
        self.charge(Cost {
            operations: 0,
            pixels: 0,
            unpacked: data.len() as u64,
        })?;
        Ok(data)
    }

    /// Walks the operators of `data`, whose names resolve in `resources`,
    /// from the graphics state `state`.
    fn content(
        &mut self,
        data: &[u8],
        resources: &Rc<Scope<'a>>,
        mut state: State<'a>,
    ) -> Result<(), Excess> {
        if too_deep(data) {
            return Err(Excess::Syntax);
        }
        let mut saved: Vec<State<'a>> = Vec::new();
        let mut ops = TypedIter::new(data);
        while let Some(op) = ops.next() {
            self.operations(1)?;
            match op {
                TypedInstruction::SaveState(_) => {
                    if saved.len() >= MAX_SAVED_STATES {
                        return Err(Excess::SavedStates);
                    }
                    saved.push(state.clone());
                }
                TypedInstruction::ClipNonZero(_) | TypedInstruction::ClipEvenOdd(_) => {
                    state.clip()?;
                }
                TypedInstruction::TextRenderingMode(mode) => {
                    state.text_clips = (4..=7).contains(&mode.0.as_i64());
                }
                TypedInstruction::EndText(_) if state.text_clips => state.clip()?,
                TypedInstruction::RestoreState(_) => {
                    if let Some(before) = saved.pop() {
                        state = before;
                    }
                }
                TypedInstruction::XObject(x) => {
                    let found = self.find(resources, |s| &s.x_objects, x.0, Object::into_stream)?;
                    if let Some(stream) = found {
                        self.x_object(&stream, resources, &state)?;
                    }
                }
                TypedInstruction::InlineImage(image) => self.image(image.0, &state)?,
                TypedInstruction::SetGraphicsState(gs) => {
                    let Some(gs) =
                        self.find(resources, |s| &s.ext_g_states, gs.0, Object::into_dict)?
                    else {
                        continue;
                    };
                    let group =
                        (gs.get::<Dict<'_>>(SMASK)).and_then(|mask| mask.get::<Stream<'_>>(G));
                    if let Some(group) = group {
                        self.soft_mask(&group, resources)?;
                    }
                    // `/Font [font size]` sets the font as `Tf` does (hayro
                    // sets it only where both are there).
                    let font = gs.get::<Array<'_>>(FONT).and_then(|font| {
                        let mut items = font.iter::<Object<'_>>();
                        let dict = items.next()?.into_dict()?;
                        items.next()?.into_number()?;
                        Some(dict)
                    });
                    if let Some(font) = font {
                        state.type3 = self.type3(&font)?;
                    }
                }
                TypedInstruction::TextFont(font) => {
                    let font = self.find(resources, |s| &s.fonts, font.0, Object::into_dict)?;
                    state.type3 = match font {
                        Some(font) => self.type3(&font)?,
                        None => None,
                    };
                }
                TypedInstruction::ShowText(text) => {
                    self.text(text.0.as_bytes(), resources, &state)?;
                }
                TypedInstruction::NextLineAndShowText(text) => {
                    self.text(text.0.as_bytes(), resources, &state)?;
                }
                TypedInstruction::ShowTextWithParameters(text) => {
                    self.text(text.2.as_bytes(), resources, &state)?;
                }
                TypedInstruction::ShowTexts(texts) => {
                    for text in texts.0.iter::<Object<'_>>() {
                        if let Object::String(text) = text {
                            self.text(text.as_bytes(), resources, &state)?;
                        }
                    }
                }
                TypedInstruction::NonStrokeColorNamed(color) => {
                    state.fill = self.tiling(resources, color.1)?;
                }
                TypedInstruction::StrokeColorNamed(color) => {
                    state.stroke = self.tiling(resources, color.1)?;
                }
                TypedInstruction::NonStrokeColor(_)
                | TypedInstruction::NonStrokeColorDeviceGray(_)
                | TypedInstruction::NonStrokeColorDeviceRgb(_)
                | TypedInstruction::NonStrokeColorCmyk(_) => state.fill = None,
                TypedInstruction::StrokeColor(_)
                | TypedInstruction::StrokeColorDeviceGray(_)
                | TypedInstruction::StrokeColorDeviceRgb(_)
                | TypedInstruction::StrokeColorCmyk(_) => state.stroke = None,
                TypedInstruction::FillPathNonZero(_)
                | TypedInstruction::FillPathNonZeroCompatibility(_)
                | TypedInstruction::FillPathEvenOdd(_) => self.paint(&state.fill)?,
                TypedInstruction::StrokePath(_) | TypedInstruction::CloseAndStrokePath(_) => {
                    self.paint(&state.stroke)?;
                }
                TypedInstruction::FillAndStrokeNonZero(_)
                | TypedInstruction::FillAndStrokeEvenOdd(_)
                | TypedInstruction::CloseFillAndStrokeNonZero(_)
                | TypedInstruction::CloseFillAndStrokeEvenOdd(_) => {
                    self.paint(&state.fill)?;
                    self.paint(&state.stroke)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `Do`: a form is drawn as a content stream of its own, an image decoded.
    fn x_object(
        &mut self,
        stream: &Stream<'a>,
        resources: &Rc<Scope<'a>>,
        state: &State<'a>,
    ) -> Result<(), Excess> {
        match stream.dict().get::<Name<'_>>(SUBTYPE).as_deref() {
            Some(IMAGE) => self.image(stream, state),
            Some(FORM) => self.form(stream, resources, state.clone()),
            _ => Ok(()),
        }
    }

    /// A form, or a soft mask's group: hayro draws none deeper than
    /// [`HAYRO_MAX_DEPTH`].
    fn form(
        &mut self,
        stream: &Stream<'a>,
        resources: &Rc<Scope<'a>>,
        state: State<'a>,
    ) -> Result<(), Excess> {
        if self.depth >= HAYRO_MAX_DEPTH {
            return Ok(());
        }
        let mut state = state;
        state.clip()?;
        self.depth += 1;
        let walked = self.own_content(stream, resources, state);
        self.depth -= 1;
        walked
    }

    /// A pattern's or a glyph's content, which hayro draws at any depth.
    fn nested(
        &mut self,
        stream: &Stream<'a>,
        resources: &Rc<Scope<'a>>,
        state: State<'a>,
    ) -> Result<(), Excess> {
        if self.depth >= MAX_DEPTH {
            return Err(Excess::Nesting);
        }
        self.depth += 1;
        let walked = self.own_content(stream, resources, state);
        self.depth -= 1;
        walked
    }

    /// The content of `stream`, with its own resources over `resources`.
    fn own_content(
        &mut self,
        stream: &Stream<'a>,
        resources: &Rc<Scope<'a>>,
        state: State<'a>,
    ) -> Result<(), Excess> {
        let data = self.unpack(stream)?;
        let own = stream.dict().get::<Dict<'_>>(RESOURCES).unwrap_or_default();
        self.content(&data, &Scope::within(own, resources), state)
    }

    /// A soft mask set by `gs`: hayro unpacks its group when it is set, and
    /// draws it twice (once to find what it uses, once into the SVG).
    fn soft_mask(&mut self, group: &Stream<'a>, resources: &Rc<Scope<'a>>) -> Result<(), Excess> {
        self.unpack(group)?;
        if self.depth >= MAX_DEPTH {
            return Err(Excess::Nesting);
        }
        self.depth += 1;
        let walked = self.times(2, |walk| walk.form(group, resources, State::default()));
        self.depth -= 1;
        walked
    }

    /// A path painted with the tiling pattern `pattern`, if any: hayro draws
    /// the pattern's content twice for each shape it fills.
    fn paint(&mut self, pattern: &Option<Rc<Tiling<'a>>>) -> Result<(), Excess> {
        let Some(tiling) = pattern else {
            return Ok(());
        };
        let depth = std::mem::replace(&mut self.depth, tiling.depth);
        let walked = self.times(2, |walk| {
            walk.nested(&tiling.stream, &tiling.resources, State::default())
        });
        self.depth = depth;
        walked
    }

    /// An image drawn (an image XObject or an inline image), with its masks:
    /// its pixels and its unpacked stream, each time.
    fn image(&mut self, stream: &Stream<'_>, state: &State<'a>) -> Result<(), Excess> {
        let dict = stream.dict();
        let own = self.image_cost(stream)?;
        self.charge(own)?;
        self.operations(IMAGE_OPERATIONS)?;
        for mask in [SMASK, MASK] {
            if let Some(mask) = dict.get::<Stream<'_>>(mask) {
                let mask = self.image_cost(&mask)?;
                self.charge(mask)?;
            }
        }
        let stencil = dict
            .get::<bool>(IM)
            .or_else(|| dict.get::<bool>(IMAGE_MASK));
        if stencil == Some(true) {
            self.paint(&state.fill)?;
        }
        Ok(())
    }

    /// What decoding `image` takes: its pixels (none without both sides, as
    /// hayro then leaves it out; more when its codec's data says so), and the
    /// bytes its stream unpacks to before its image codec, if any.
    fn image_cost(&mut self, image: &Stream<'_>) -> Result<Cost, Excess> {
        let dict = image.dict();
        // In hayro's order: the short name first (an image may have both).
        let side = |short, long| dict.get::<u32>(short).or_else(|| dict.get::<u32>(long));
        let (Some(width), Some(height)) = (side(W, WIDTH), side(H, HEIGHT)) else {
            return Ok(Cost::NONE);
        };
        let id = dict.obj_id();
        if let Some(known) = id.and_then(|id| self.known.images.get(&id)) {
            return Ok(*known);
        }
        if rows_too_long(image) {
            // An inline image ([`check`] has refused such a stream object).
            return Err(Excess::Unpacked);
        }
        let unpacked = match id.and_then(|id| self.known.unpacked.get(&id)) {
            Some(len) => *len,
            None => unpacked_len(image, MAX_STREAM_BYTES).ok_or(Excess::Unpacked)?,
        };
        let cost = Cost {
            operations: 0,
            pixels: (u64::from(width) * u64::from(height))
                .max(codec_pixels(image))
                .max(ccitt_pixels(image, height)),
            unpacked,
        };
        if let Some(id) = id {
            self.known.images.insert(id, cost);
        }
        Ok(cost)
    }

    /// The Type 3 font `font` is, if it is one.
    fn type3(&mut self, font: &Dict<'a>) -> Result<Option<Rc<Type3<'a>>>, Excess> {
        if font.get::<Name<'_>>(SUBTYPE).as_deref() != Some(TYPE3) {
            return Ok(None);
        }
        let id = font.obj_id();
        if let Some(known) = id.and_then(|id| self.known.type3.get(&id)) {
            return Ok(Some(known.clone()));
        }
        let procs = font.get::<Dict<'_>>(CHAR_PROCS).unwrap_or_default();
        let mut glyphs = vec![None; 256];
        let differences = font
            .get::<Dict<'_>>(ENCODING)
            .and_then(|encoding| encoding.get::<Array<'_>>(DIFFERENCES));
        let mut code = 0usize;
        for item in differences.iter().flat_map(|d| d.iter::<Object<'_>>()) {
            self.operations(1)?;
            match item {
                Object::Number(n) => code = usize::try_from(n.as_i64()).unwrap_or(256),
                Object::Name(name) => {
                    if let Some(glyph) = glyphs.get_mut(code) {
                        *glyph = procs.get::<Stream<'_>>(name.as_ref());
                    }
                    code += 1;
                }
                _ => {}
            }
        }
        let type3 = Rc::new(Type3 {
            font: font.clone(),
            glyphs,
        });
        if let Some(id) = id {
            self.known.type3.insert(id, type3.clone());
        }
        Ok(Some(type3))
    }

    /// Text shown: each glyph is drawn (painted with the patterns in use),
    /// and a Type 3 glyph runs its procedure.
    fn text(
        &mut self,
        text: &[u8],
        resources: &Rc<Scope<'a>>,
        state: &State<'a>,
    ) -> Result<(), Excess> {
        let glyphs = text.len() as u64;
        self.operations(glyphs)?;
        if state.fill.is_some() || state.stroke.is_some() {
            self.times(glyphs, |walk| {
                walk.paint(&state.fill)?;
                walk.paint(&state.stroke)
            })?;
        }
        let Some(type3) = &state.type3 else {
            return Ok(());
        };
        let own = type3.font.get::<Dict<'_>>(RESOURCES).unwrap_or_default();
        let resources = Scope::within(own, resources);
        // A glyph keeps the graphics state but starts a text state of its own.
        let glyph_state = State {
            type3: None,
            ..state.clone()
        };
        let mut counts = [0u64; 256];
        for &code in text {
            counts[usize::from(code)] += 1;
        }
        let mut unmapped = 0;
        for (code, &count) in counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            match &type3.glyphs[code] {
                Some(glyph) => self.times(count, |walk| {
                    walk.nested(glyph, &resources, glyph_state.clone())
                })?,
                None => unmapped += count,
            }
        }
        if unmapped > 0 {
            // Codes left to the base encoding: the costliest procedure.
            let procs = type3.font.get::<Dict<'_>>(CHAR_PROCS).unwrap_or_default();
            let mut costliest = Cost::NONE;
            for name in procs.keys() {
                if let Some(glyph) = procs.get::<Stream<'_>>(name.as_ref()) {
                    let cost =
                        self.spent(|walk| walk.nested(&glyph, &resources, glyph_state.clone()))?;
                    costliest = costliest.max(cost);
                }
            }
            self.charge(costliest.times(unmapped - 1))?;
        }
        Ok(())
    }
}

/// Whether `filter` is an image codec, whose output its image's pixels bound.
fn image_filter(filter: Filter) -> bool {
    matches!(
        filter,
        Filter::DctDecode | Filter::JpxDecode | Filter::Jbig2Decode | Filter::CcittFaxDecode
    )
}

/// The pixels a JPEG 2000 or JBIG2 image decodes to, as its own data gives
/// them (hayro decodes it at that size, whatever its dictionary says; a JPEG
/// larger than its dictionary says is cut to that size). Read by the
/// decoders hayro uses, from the headers only; none where they fail, as
/// decoding then does. Such data behind another filter is not read: it
/// counts as more than any limit.
fn codec_pixels(image: &Stream<'_>) -> u64 {
    let filters = image.filters();
    let Some(at) = filters
        .iter()
        .position(|f| matches!(f, Filter::JpxDecode | Filter::Jbig2Decode))
    else {
        return 0;
    };
    if at > 0 {
        return u64::MAX;
    }
    let data = image.raw_data();
    let size = if filters[0] == Filter::JpxDecode {
        let settings = hayro_jpeg2000::DecodeSettings {
            resolve_palette_indices: false,
            strict: false,
            target_resolution: None,
        };
        hayro_jpeg2000::Image::new(&data, &settings)
            .ok()
            .map(|image| (image.width(), image.height()))
    } else {
        let globals = decode_params(image.dict())
            .first()
            .and_then(|params| params.get::<Stream<'_>>(JBIG2_GLOBALS))
            .and_then(|globals| globals.decoded().ok());
        hayro_jbig2::Image::new_embedded(&data, globals.as_deref())
            .ok()
            .map(|image| (image.width(), image.height()))
    };
    size.map_or(0, |(width, height)| u64::from(width) * u64::from(height))
}

/// The pixels hayro's CCITT decoder makes of `image` of height `height`:
/// as many as its `/DecodeParms` `/Columns` and `/Rows` say (1728 and the
/// image's height where they are missing), whatever the image's size.
fn ccitt_pixels(image: &Stream<'_>, height: u32) -> u64 {
    let Some(at) = (image.filters().iter()).position(|f| *f == Filter::CcittFaxDecode) else {
        return 0;
    };
    let all = decode_params(image.dict());
    let params = match all.len() {
        1 => all.first(),
        _ => all.get(at),
    }
    .cloned()
    .unwrap_or_default();
    let columns = params.get::<usize>(COLUMNS).unwrap_or(1728) as u64;
    let rows = params.get::<u32>(ROWS).unwrap_or(height);
    columns.saturating_mul(u64::from(rows))
}

/// The most a filter's output can be for `len` bytes of input: ASCII85 turns
/// `z` into four bytes, run-length two bytes into 128, LZW a code of at
/// least 9 bits into at most 3 839 bytes, Flate two bits into 258 bytes.
fn grown(filter: Filter, len: u64) -> u64 {
    let (times, plus) = match filter {
        Filter::AsciiHexDecode => (1, 1),
        Filter::Ascii85Decode => (4, 4),
        Filter::RunLengthDecode => (64, 128),
        Filter::LzwDecode => (3413, 3839),
        Filter::FlateDecode => (1032, 258),
        _ => (1, 0),
    };
    len.saturating_mul(times).saturating_add(plus)
}

/// A stream on its way through its filters: bytes, or only their number.
enum Unpacking<'d> {
    Bytes(Cow<'d, [u8]>),
    Len(u64),
}

impl Unpacking<'_> {
    fn len(&self) -> u64 {
        match self {
            Unpacking::Bytes(bytes) => bytes.len() as u64,
            Unpacking::Len(len) => *len,
        }
    }
}

/// The most bytes `stream` can unpack to through its filters (up to an image
/// codec, whose output its pixels bound), by its compressed size alone.
fn most_unpacked(stream: &Stream<'_>) -> u64 {
    let raw = stream.raw_data().len() as u64;
    let filters = stream.filters();
    let general = filters.iter().take_while(|f| !image_filter(**f));
    general.fold(raw, |len, f| grown(*f, len))
}

/// The number of bytes `stream` unpacks to through its filters (up to an
/// image codec, whose output its pixels bound), or `None` when that is more
/// than `cap`: the filters are run as hayro runs them, in bounded steps,
/// holding no more than `cap` bytes (none when only the number is needed).
/// Where hayro would fail, or its lenient Flate decoder take over, the most
/// the filter can make counts.
fn unpacked_len(stream: &Stream<'_>, cap: u64) -> Option<u64> {
    let raw = stream.raw_data();
    let filters = stream.filters();
    let general = filters.iter().take_while(|f| !image_filter(**f));
    // A predictor changes the bytes (never their number upwards): what
    // follows it in the chain is bounded by their number only.
    let predicted = decode_params(stream.dict())
        .iter()
        .any(|p| p.get::<u8>(PREDICTOR).is_some_and(|p| p > 1));
    let mut data = Unpacking::Bytes(raw);
    let last = general.clone().count();
    for (i, filter) in general.enumerate() {
        let is_last = i + 1 == last;
        data = match (filter, data) {
            (Filter::AsciiHexDecode, Unpacking::Bytes(b)) => ascii_hex(&b)
                .map_or(Unpacking::Len(grown(*filter, b.len() as u64)), |d| {
                    Unpacking::Bytes(Cow::Owned(d))
                }),
            (Filter::Ascii85Decode, Unpacking::Bytes(b)) => ascii_85(&b)
                .map_or(Unpacking::Len(grown(*filter, b.len() as u64)), |d| {
                    Unpacking::Bytes(Cow::Owned(d))
                }),
            (Filter::FlateDecode, Unpacking::Bytes(b)) => {
                match inflate(&b, cap, !(is_last || predicted)) {
                    Inflated::Over => return None,
                    Inflated::Failed => Unpacking::Len(grown(*filter, b.len() as u64)),
                    Inflated::Len(len) => Unpacking::Len(len),
                    Inflated::Bytes(bytes) => Unpacking::Bytes(Cow::Owned(bytes)),
                }
            }
            (Filter::LzwDecode, Unpacking::Bytes(b)) => {
                // As each way of counting code lengths, whichever the stream says.
                let early = lzw_len(&b, true, cap)?;
                Unpacking::Len(early.max(lzw_len(&b, false, cap)?))
            }
            (Filter::RunLengthDecode, Unpacking::Bytes(b)) => Unpacking::Len(run_length_len(&b)),
            (filter, data) => Unpacking::Len(grown(*filter, data.len())),
        };
        if data.len() > cap {
            return None;
        }
    }
    (data.len() <= cap).then(|| data.len())
}

/// Whether a predictor of `stream` works in rows longer than
/// [`MAX_ROW_BYTES`] (read as hayro reads them, each missing or unreadable
/// entry its default).
fn rows_too_long(stream: &Stream<'_>) -> bool {
    decode_params(stream.dict()).iter().any(|params| {
        let predicted = params.get::<u8>(PREDICTOR).is_some_and(|p| p > 1);
        let columns = params.get::<usize>(COLUMNS).unwrap_or(1) as u64;
        let colors = u64::from(params.get::<u8>(COLORS).unwrap_or(1));
        let bits = u64::from(params.get::<u8>(BITS_PER_COMPONENT).unwrap_or(8));
        predicted && columns.saturating_mul(colors * bits).div_ceil(8) > MAX_ROW_BYTES
    })
}

/// The `/DecodeParms` dictionaries of a stream's dictionary.
fn decode_params<'a>(dict: &Dict<'a>) -> Vec<Dict<'a>> {
    let one = dict
        .get::<Dict<'_>>(DECODE_PARMS)
        .or_else(|| dict.get::<Dict<'_>>(DP));
    if let Some(one) = one {
        return vec![one];
    }
    dict.get::<Array<'_>>(DECODE_PARMS)
        .or_else(|| dict.get::<Array<'_>>(DP))
        .map(|all| all.iter::<Dict<'_>>().collect())
        .unwrap_or_default()
}

/// What Flate data unpacked to.
enum Inflated {
    Bytes(Vec<u8>),
    Len(u64),
    /// More than the cap.
    Over,
    /// Neither zlib nor raw Deflate: hayro's lenient decoder takes over.
    Failed,
}

/// Unpacks Flate data as hayro does (zlib, else raw Deflate), stopping past
/// `cap` bytes; `keep` keeps the bytes, else only their number is counted.
fn inflate(data: &[u8], cap: u64, keep: bool) -> Inflated {
    let zlib = read_capped(flate2::read::ZlibDecoder::new(data), cap, keep);
    match zlib {
        Err(CapError::Failed) => {}
        done => return done.unwrap_or_else(Into::into),
    }
    match read_capped(flate2::read::DeflateDecoder::new(data), cap, keep) {
        Err(CapError::Failed) => Inflated::Failed,
        done => done.unwrap_or_else(Into::into),
    }
}

enum CapError {
    Over,
    Failed,
}

impl From<CapError> for Inflated {
    fn from(error: CapError) -> Inflated {
        match error {
            CapError::Over => Inflated::Over,
            CapError::Failed => Inflated::Failed,
        }
    }
}

/// Reads `reader` to its end, or to `cap` bytes and one more.
fn read_capped(reader: impl Read, cap: u64, keep: bool) -> Result<Inflated, CapError> {
    let mut limited = reader.take(cap.saturating_add(1));
    let read = if keep {
        let mut bytes = Vec::new();
        limited
            .read_to_end(&mut bytes)
            .map(|_| Inflated::Bytes(bytes))
    } else {
        io::copy(&mut limited, &mut io::sink()).map(Inflated::Len)
    };
    match read {
        Err(_) => Err(CapError::Failed),
        Ok(Inflated::Bytes(b)) if b.len() as u64 > cap => Err(CapError::Over),
        Ok(Inflated::Len(len)) if len > cap => Err(CapError::Over),
        Ok(done) => Ok(done),
    }
}

/// PDF white space, which the ASCII filters skip.
fn white(byte: u8) -> bool {
    matches!(byte, 0 | b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// ASCIIHexDecode, as hayro decodes it (`None` where it fails).
fn ascii_hex(data: &[u8]) -> Option<Vec<u8>> {
    let end = data.iter().position(|&b| b == b'>').unwrap_or(data.len());
    let digits: Vec<u8> = data[..end].iter().copied().filter(|&b| !white(b)).collect();
    let digit = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
    digits
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | pair.get(1).map_or(Some(0), |&lo| digit(lo))?))
        .collect()
}

/// ASCII85Decode, as hayro decodes it (`None` where it fails).
fn ascii_85(data: &[u8]) -> Option<Vec<u8>> {
    fn flush(group: &mut Vec<u8>, out: &mut Vec<u8>) -> Option<()> {
        if group.is_empty() {
            return Some(());
        }
        if group.len() == 1 {
            return None;
        }
        let len = group.len() - 1;
        let mut value: u32 = 0;
        for i in 0..5 {
            let digit = u32::from(group.get(i).copied().unwrap_or(b'u') - b'!');
            value = value.checked_mul(85)?.checked_add(digit)?;
        }
        out.extend_from_slice(&value.to_be_bytes()[..len]);
        group.clear();
        Some(())
    }
    let mut out = Vec::with_capacity(data.len() * 4 / 5);
    let mut group = Vec::with_capacity(5);
    for &b in data.iter().filter(|&&b| !white(b)) {
        match b {
            b'!'..=b'u' => {
                group.push(b);
                if group.len() == 5 {
                    flush(&mut group, &mut out)?;
                }
            }
            b'z' => {
                flush(&mut group, &mut out)?;
                out.extend_from_slice(&[0; 4]);
            }
            b'~' => {
                flush(&mut group, &mut out)?;
                return Some(out);
            }
            _ => return None,
        }
    }
    flush(&mut group, &mut out)?;
    Some(out)
}

/// How many bytes hayro's LZWDecode makes of `data` (or more: where it
/// fails, it makes none), or `None` past `cap`. Only the length of each
/// table entry is kept.
fn lzw_len(data: &[u8], early_change: bool, cap: u64) -> Option<u64> {
    const CLEAR: usize = 256;
    const END: usize = 257;
    const MAX_ENTRIES: usize = 4096;
    let width = |entries: usize| match entries + usize::from(early_change) {
        n if n >= 2048 => 12,
        n if n >= 1024 => 11,
        n if n >= 512 => 10,
        _ => 9,
    };
    // 0 for the clear and end codes, which hold no bytes.
    let fresh = || -> Vec<u16> { (0..258).map(|c| u16::from(c < 256)).collect() };
    let mut entries = fresh();
    let mut reader = BitReader::new(data);
    let mut prev: Option<usize> = None;
    let mut total = 0u64;
    while let Some(code) = reader.read(width(entries.len())) {
        let code = code as usize;
        match code {
            CLEAR => {
                entries = fresh();
                prev = None;
            }
            END => break,
            code if code < entries.len() => {
                let len = entries[code];
                if len == 0 {
                    break;
                }
                total += u64::from(len);
                if let Some(prev) = prev
                    && entries.len() < MAX_ENTRIES
                {
                    entries.push(entries[prev] + 1);
                }
                prev = Some(code);
            }
            code if code == entries.len() && entries.len() < MAX_ENTRIES => {
                let Some(p) = prev else { break };
                entries.push(entries[p] + 1);
                total += u64::from(entries[code]);
                prev = Some(code);
            }
            _ => break,
        }
        if total > cap {
            return None;
        }
    }
    Some(total)
}

/// How many bytes hayro's RunLengthDecode makes of `data` (or more: where
/// it fails, it makes none).
fn run_length_len(data: &[u8]) -> u64 {
    let mut total = 0u64;
    let mut at = 0;
    while let Some(&length) = data.get(at) {
        match length {
            128 => break,
            0..=127 => {
                let run = usize::from(length) + 1;
                if at + 1 + run > data.len() {
                    break;
                }
                total += run as u64;
                at += 1 + run;
            }
            _ => {
                if at + 1 >= data.len() {
                    break;
                }
                total += 257 - u64::from(length);
                at += 2;
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A PDF of one 200 × 200 page (object 3) with `resources` and the
    /// content `content` (object 4); `more` are objects 5 and on.
    fn pdf(resources: &str, content: &[u8], more: &[Vec<u8>]) -> Vec<u8> {
        let mut objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources {resources} /Contents 4 0 R >>")
                .into_bytes(),
            stream("", content),
        ];
        objects.extend(more.iter().cloned());
        let mut out = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            writeln!(out, "{} 0 obj", i + 1).unwrap();
            out.extend_from_slice(object);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).unwrap();
        for offset in offsets {
            writeln!(out, "{offset:010} 00000 n ").unwrap();
        }
        let size = objects.len() + 1;
        write!(
            out,
            "trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .unwrap();
        out
    }

    /// A stream object with the dictionary entries `dict` and the data `data`.
    fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\nendstream");
        out
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    /// What page 1 of `bytes` spends, or what it is refused for.
    fn spent(bytes: Vec<u8>) -> Result<Cost, Excess> {
        let pdf = Pdf::new(bytes).unwrap();
        let mut known = Known::default();
        let mut walk = Walk::new(&mut known, PAGE);
        walk.spent(|walk| walk.page(&pdf.pages()[0]))
    }

    /// LZW codes written as hayro reads them (the width grows as its table does).
    fn lzw(codes: &[u32]) -> Vec<u8> {
        let (mut out, mut acc, mut bits, mut entries) = (Vec::new(), 0u64, 0, 258usize);
        let mut prev = false;
        for &code in codes {
            let width = match entries + 1 {
                n if n >= 2048 => 12,
                n if n >= 1024 => 11,
                n if n >= 512 => 10,
                _ => 9,
            };
            acc = acc << width | u64::from(code);
            bits += width;
            while bits >= 8 {
                out.push((acc >> (bits - 8)) as u8);
                bits -= 8;
            }
            match code {
                256 => (entries, prev) = (258, false),
                257 => {}
                _ => {
                    if prev {
                        entries += 1;
                    }
                    prev = true;
                }
            }
        }
        if bits > 0 {
            out.push((acc << (8 - bits)) as u8);
        }
        out
    }

    #[test]
    fn filters_are_measured_as_hayro_unpacks_them() {
        let text = b"q 1 0 0 1 10 10 cm 0 0 m 100 100 l S Q ".repeat(40);
        let mut a85 = String::new();
        for group in zlib(&text).chunks(4) {
            let mut value = [0u8; 4];
            value[..group.len()].copy_from_slice(group);
            let mut n = u32::from_be_bytes(value);
            let mut digits = [0u8; 5];
            for d in digits.iter_mut().rev() {
                *d = (n % 85) as u8 + b'!';
                n /= 85;
            }
            if group.len() == 4 && n == 0 && digits == [b'!'; 5] {
                a85.push('z');
            } else {
                a85.extend(digits[..=group.len()].iter().map(|&d| char::from(d)));
            }
        }
        a85.push_str("~>");
        let mut deflate =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        deflate.write_all(&text).unwrap();
        let deflate = deflate.finish().unwrap();
        let mut run_length = Vec::new();
        for chunk in text.chunks(100) {
            run_length.push(chunk.len() as u8 - 1);
            run_length.extend_from_slice(chunk);
        }
        run_length.extend([0xF0, b'x', 128]);
        // The example of the PDF standard, then a run that grows each entry.
        let spec = [0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01].to_vec();
        let mut codes = vec![256, 65];
        codes.extend(258..1300);
        codes.push(257);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("", text.clone()),
            ("/Filter /ASCIIHexDecode", b"48 65 6c6C 6\n>".to_vec()),
            ("/Filter /ASCII85Decode", a85.clone().into_bytes()),
            ("/Filter [/ASCII85Decode /FlateDecode]", a85.into_bytes()),
            ("/Filter /FlateDecode", zlib(&text)),
            ("/Filter /FlateDecode", deflate),
            ("/Filter [/FlateDecode /FlateDecode]", zlib(&zlib(&text))),
            ("/Filter /RunLengthDecode", run_length),
            ("/Filter /LZWDecode", spec),
            ("/Filter /LZWDecode", lzw(&codes)),
            (
                "/Filter /LZWDecode /DecodeParms << /EarlyChange 0 >>",
                lzw(&[256, 65, 66, 258, 257]),
            ),
        ];
        let objects: Vec<Vec<u8>> = cases
            .iter()
            .map(|(dict, data)| stream(dict, data))
            .collect();
        let pdf = Pdf::new(pdf("<< >>", b"", &objects)).unwrap();
        for (i, (dict, _)) in cases.iter().enumerate() {
            let id = ObjectIdentifier::new(5 + i as i32, 0);
            let stream = pdf.xref().get::<Stream<'_>>(id).unwrap();
            let hayro = stream.decoded().unwrap().len() as u64;
            assert!(hayro > 0, "{dict}");
            assert_eq!(unpacked_len(&stream, u64::MAX), Some(hayro), "{dict}");
            assert!(most_unpacked(&stream) >= hayro, "{dict}");
            assert_eq!(unpacked_len(&stream, hayro - 1), None, "{dict}");
        }
    }

    #[test]
    fn a_flate_bomb_is_measured_without_unpacking_it_whole() {
        // 512 MiB of zeros in 64 KiB pieces, each packed alike after a full flush.
        let mut packer = flate2::Compress::new(flate2::Compression::best(), false);
        let zeros = vec![0u8; 64 << 10];
        let mut piece = |input: &[u8], flush| {
            let mut out = Vec::with_capacity(1 << 10);
            packer.compress_vec(input, &mut out, flush).unwrap();
            out
        };
        let first = piece(&zeros, flate2::FlushCompress::Full);
        let again = piece(&zeros, flate2::FlushCompress::Full);
        assert_eq!(again, piece(&zeros, flate2::FlushCompress::Full));
        let mut bomb = first;
        for _ in 1..(1 << 13) {
            bomb.extend_from_slice(&again);
        }
        bomb.extend(piece(&[], flate2::FlushCompress::Finish));
        let objects = [
            stream("/Filter /FlateDecode", &bomb),
            stream("/Filter [/FlateDecode /FlateDecode]", &zlib(&bomb)),
        ];
        let pdf = Pdf::new(pdf("<< >>", b"", &objects)).unwrap();
        for id in [5, 6] {
            let stream = pdf
                .xref()
                .get::<Stream<'_>>(ObjectIdentifier::new(id, 0))
                .unwrap();
            assert!(most_unpacked(&stream) > MAX_STREAM_BYTES);
            assert_eq!(unpacked_len(&stream, MAX_STREAM_BYTES), None);
            assert_eq!(unpacked_len(&stream, u64::MAX), Some(1 << 29));
        }
        assert_eq!(check(&pdf, [0]), Err(Refusal::Stream(5)));
    }

    #[test]
    fn operators_are_counted_in_forms_each_time_they_are_drawn() {
        let form = stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 10 10]",
            b"0 0 1 1 re f 2 2 1 1 re f",
        );
        // 3 operators of the page, 4 of each of the 3 drawings of the form,
        // and the page's resources searched for it each time.
        let spent = spent(pdf(
            "<< /XObject << /X 5 0 R >> >>",
            b"/X Do /X Do /X Do",
            &[form],
        ));
        assert_eq!(spent.unwrap().operations, 3 + 3 * 4 + 3);
    }

    #[test]
    fn a_form_that_draws_itself_is_stopped_by_its_cost() {
        let form = stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X 5 0 R >> >>",
            b"0 0 1 1 re f /X Do /X Do",
        );
        let spent = spent(pdf("<< /XObject << /X 5 0 R >> >>", b"/X Do", &[form]));
        // Its forms, each inside the last, pass the clips Typst can write.
        assert_eq!(spent, Err(Excess::Clips));
    }

    #[test]
    fn a_pattern_is_drawn_twice_for_each_shape_and_glyph_it_paints() {
        let pattern = stream(
            "/PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 4 4] /XStep 4 /YStep 4",
            b"0 0 2 2 re f",
        );
        let content = b"/Pattern cs /P scn 0 0 9 9 re f BT /F 12 Tf (abc) Tj ET 0 g 0 0 1 1 re f";
        let font = "/F << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
        let resources = format!("<< /Pattern << /P 5 0 R >> /Font << {font} >> >>");
        let spent = spent(pdf(&resources, content, &[pattern])).unwrap();
        // 11 operators and 3 glyphs; the pattern (2 operators) painted 4 times
        // twice; the resources searched twice.
        assert_eq!(spent.operations, 11 + 3 + 4 * 2 * 2 + 2);

        let endless = stream(
            "/PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 4 4] /XStep 4 /YStep 4 /Resources << /Pattern << /P 5 0 R >> >>",
            b"/Pattern cs /P scn 0 0 2 2 re f",
        );
        let content = b"/Pattern cs /P scn 0 0 9 9 re f";
        let spent = self::spent(pdf("<< /Pattern << /P 5 0 R >> >>", content, &[endless]));
        assert_eq!(spent, Err(Excess::Nesting));
    }

    #[test]
    fn a_type3_glyph_runs_its_procedure_each_time_it_is_shown() {
        let font = "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1 1] /FontMatrix [1 0 0 1 0 0] \
                    /CharProcs << /a 6 0 R /b 7 0 R >> /Encoding << /Differences [97 /a /b] >> \
                    /FirstChar 97 /LastChar 98 /Widths [1 1] >>";
        let objects = [
            font.as_bytes().to_vec(),
            stream("", b"1 0 d0 0 0 1 1 re f"),
            stream("", b"1 0 d0 0 0 m 1 1 l 0 1 l h f"),
        ];
        let spent = spent(pdf(
            "<< /Font << /F 5 0 R >> >>",
            b"BT /F 1 Tf (aab) Tj ET",
            &objects,
        ));
        // 4 operators, 3 glyphs, the font searched once and its 3 differences
        // read; `a` (3 operators) twice, `b` (6) once.
        assert_eq!(spent.unwrap().operations, 4 + 3 + 1 + 3 + 2 * 3 + 6);
    }

    #[test]
    fn images_count_their_pixels_each_time_they_are_drawn() {
        let image = stream(
            "/Type /XObject /Subtype /Image /Width 300 /Height 200 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
            &zlib(&[0; 60_000]),
        );
        let content = b"q 100 0 0 100 0 0 cm /I Do Q /I Do BI /W 10 /H 10 /CS /G /BPC 8 ID \x00 EI";
        let spent = spent(pdf("<< /XObject << /I 5 0 R >> >>", content, &[image])).unwrap();
        assert_eq!(spent.pixels, 2 * 300 * 200 + 10 * 10);

        let huge = stream(
            "/Type /XObject /Subtype /Image /Width 40000 /Height 40000 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode",
            b"\xFF\xD8\xFF\xD9",
        );
        let spent = self::spent(pdf("<< /XObject << /I 5 0 R >> >>", b"/I Do", &[huge]));
        assert_eq!(spent, Err(Excess::Pixels));
    }

    #[test]
    fn what_pages_spend_together_is_bounded_too() {
        // 49 megapixels a page, drawn on each of five pages.
        let image = stream(
            "/Type /XObject /Subtype /Image /Width 7000 /Height 7000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode",
            b"\xFF\xD8\xFF\xD9",
        );
        let mut bytes = pdf("<< /XObject << /I 5 0 R >> >>", b"/I Do", &[image]);
        let at = bytes.windows(6).position(|w| w == b"[3 0 R").unwrap();
        let kids = format!("[{}", ["3 0 R"; 5].join(" "));
        bytes.splice(at..at + 6, kids.into_bytes());
        let pdf = Pdf::new(bytes).unwrap();
        assert_eq!(pdf.pages().len(), 5);
        assert_eq!(check(&pdf, 0..4), Ok(()));
        assert_eq!(check(&pdf, 0..5), Err(Refusal::File(Excess::Pixels)));
    }

    #[test]
    fn nesting_is_counted_outside_strings_comments_and_stream_data() {
        let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert!(!too_deep(deep(MAX_SYNTAX_DEPTH).as_bytes()));
        assert!(too_deep(deep(MAX_SYNTAX_DEPTH + 1).as_bytes()));
        assert!(too_deep("<<".repeat(MAX_SYNTAX_DEPTH + 1).as_bytes()));
        let opened = "[".repeat(300);
        for hidden in [
            format!("({opened}) [ (a\\) [ ]"),
            format!("% {opened}\n[]"),
            format!("<< /Length 300 >>\nstream\n{opened}\nendstream"),
            format!("BI /W 300 /H 1 ID {opened} EI"),
            format!("<{opened}>"),
        ] {
            assert!(!too_deep(hidden.as_bytes()), "{hidden}");
        }
    }

    #[test]
    fn messages_name_the_file_the_page_and_the_limit() {
        let what = "attachment `vedlegg/a.pdf`";
        assert_eq!(
            Refusal::Page(3, Excess::Operations).message(what),
            "attachment `vedlegg/a.pdf` page 3 is too complex to draw (more than 2 million drawing operations); \
             print it to a new PDF file (or flatten it) and use that"
        );
        assert!(
            Refusal::File(Excess::Pixels)
                .message(what)
                .contains("(more than 200 megapixels of images in all)")
        );
        assert!(
            Refusal::Stream(12)
                .message(what)
                .contains("compressed stream (object 12) that unpacks to more than 256 MiB")
        );
    }

    /// An SVG of `paths` paths and a PNG picture of `width` × `height`
    /// embedded as hayro embeds them.
    fn drawn_page(paths: usize, (width, height): (u32, u32)) -> Vec<u8> {
        use base64::Engine;
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&width.to_be_bytes());
        png.extend_from_slice(&height.to_be_bytes());
        png.extend_from_slice(b"\x08\x06\0\0\0");
        let png = base64::engine::general_purpose::STANDARD.encode(png);
        let mut svg = String::from("<svg viewBox=\"0 0 200 200\">\n");
        svg.push_str(&"    <path d=\"M0,0 L1,0 Z\"/>\n".repeat(paths));
        svg.push_str(&format!(
            "    <image xlink:href=\"data:image/png;base64,{png}\" width=\"{width}\"/>\n</svg>"
        ));
        svg.into_bytes()
    }

    /// A `<use>` counts the element it links to once more, as usvg copies it
    /// in; a link back into what is being counted, nothing more.
    #[test]
    fn a_use_counts_what_it_links_to() {
        let glyphs = |n: usize| {
            let uses = "<use xlink:href=\"#g1\" transform=\"matrix(1 0 0 1 0 0)\"/>".repeat(n);
            format!("<svg a=\"<>\">{uses}<defs id=\"d\"><path id=\"g1\" d=\"M0,0\"/></defs></svg>")
        };
        // The document, the uses with a copy of the path each, the defs
        // and the path.
        assert_eq!(svg_weight(glyphs(3).as_bytes()).nodes, 1 + 3 * 2 + 2);
        let group = "<svg><g id=\"t3\"><path d=\"M0\"/><use xlink:href=\"#t3\"/></g>\
                     <use xlink:href=\"#t3\"/><use xlink:href=\"#nowhere\"/></svg>";
        // svg 1, g 1, path 1; the use in g 1 + g's 3 (g's own count takes
        // its link back as nothing; usvg skips such a use, so this counts
        // more than it makes, never less); the use of g 1 + 3; the use of
        // nothing 1.
        assert_eq!(svg_weight(group.as_bytes()).nodes, 12);
        let most = MAX_DRAWN_ELEMENTS as usize;
        let fits = glyphs((most - 3) / 2);
        assert_eq!(check_drawn(&[fits.into_bytes()], 1), Ok(()));
        let over = glyphs((most - 3) / 2 + 1);
        assert_eq!(
            check_drawn(&[over.into_bytes()], 1),
            Err(Refusal::Page(1, Excess::Elements))
        );
    }

    /// What an element links to, by `<use>` or by `url(#…)`, counts its
    /// bytes and pixels again for each link (Typst writes it again each
    /// time), its nodes only for a `<use>` (usvg copies only those).
    #[test]
    fn what_is_linked_counts_again_for_each_link() {
        use base64::Engine;
        let big_path = format!("<path id=\"g0\" d=\"M0,0{}\"/>", " L1,1".repeat(200_000));
        let uses = |n: usize| {
            let uses = "<use xlink:href=\"#g0\"/>".repeat(n);
            format!("<svg>{uses}<defs>{big_path}</defs></svg>")
        };
        let one = svg_weight(uses(1).as_bytes());
        let ten = svg_weight(uses(10).as_bytes());
        assert_eq!(ten.nodes - one.nodes, 9 * 2);
        assert_eq!(
            ten.bytes - one.bytes,
            9 * (one.bytes - svg_weight(uses(0).as_bytes()).bytes)
        );
        // A path of 1 MB (counted where it is used, not where it is
        // defined) shown 140 times: more drawing than a page may have.
        assert!(one.bytes > 1_000_000 && one.bytes < 1_100_000, "{one:?}");
        assert_eq!(
            check_drawn(&[uses(140).into_bytes()], 2),
            Err(Refusal::Page(2, Excess::Drawing))
        );
        assert_eq!(check_drawn(&[uses(100).into_bytes()], 2), Ok(()));
        // A mask named by `url(#m0)` from many groups: bytes, not nodes.
        let masks = |n: usize| {
            let groups = "<g mask=\"url(#m0)\"><path d=\"M0,0\"/></g>".repeat(n);
            format!("<svg>{groups}<defs><mask id=\"m0\">{big_path}</mask></defs></svg>")
        };
        let (one, ten) = (
            svg_weight(masks(1).as_bytes()),
            svg_weight(masks(10).as_bytes()),
        );
        assert_eq!(ten.nodes - one.nodes, 9 * 2);
        assert!(ten.bytes - one.bytes > 9 * 1_000_000, "{one:?} {ten:?}");
        // A picture of 30 megapixels drawn through two patterns.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&6000u32.to_be_bytes());
        png.extend_from_slice(&5000u32.to_be_bytes());
        png.extend_from_slice(b"\x08\x06\0\0\0");
        let png = base64::engine::general_purpose::STANDARD.encode(png);
        let patterns = |n: usize| {
            let fills: String = (0..n)
                .map(|i| format!("<path d=\"M0,0\" fill=\"url(#v{i})\"/>"))
                .collect();
            let defs: String = (0..n)
                .map(|i| format!("<pattern id=\"v{i}\"><use xlink:href=\"#s0\"/></pattern>"))
                .collect();
            format!(
                "<svg>{fills}<defs><image id=\"s0\" xlink:href=\"data:image/png;base64,{png}\"/>{defs}</defs></svg>"
            )
        };
        // Once for each fill (not where it is defined).
        assert_eq!(svg_weight(patterns(1).as_bytes()).pixels, 30_000_000);
        assert_eq!(
            check_drawn(&[patterns(2).into_bytes()], 1),
            Err(Refusal::Page(1, Excess::Pixels))
        );
        assert!(
            Refusal::Page(1, Excess::Drawing)
                .message("attachment `a.pdf`")
                .contains(
                    "(more than 128 MiB of drawing, counting a shape as often as it is used)"
                )
        );
    }

    /// The pictures in drawn pages count against the pixel limits of a page
    /// and of the file; their elements against what Typst reads.
    #[test]
    fn drawn_pages_are_measured_by_their_pictures_and_elements() {
        assert_eq!(png_pixels(&drawn_page(2, (7000, 7000))), 49_000_000);
        assert_eq!(svg_weight(&drawn_page(2, (1, 1))).nodes, 4);
        let page = |pixels| drawn_page(1, pixels);
        assert_eq!(check_drawn(&[page((7000, 7000))], 1), Ok(()));
        assert_eq!(
            check_drawn(&[page((1, 1)), page((7072, 7072))], 4),
            Err(Refusal::Page(5, Excess::Pixels))
        );
        let four = vec![page((7000, 7000)); 4];
        assert_eq!(check_drawn(&four, 1), Ok(()));
        let five = vec![page((7000, 7000)); 5];
        assert_eq!(check_drawn(&five, 1), Err(Refusal::File(Excess::Pixels)));
        // A picture whose header cannot be read counts as too large.
        let broken = b"<svg><image xlink:href=\"data:image/png;base64,AAAA\"/></svg>";
        assert_eq!(png_pixels(broken), u64::MAX);
        // One element more than Typst reads: the document and a million paths.
        let most = MAX_DRAWN_ELEMENTS as usize;
        let elements = drawn_page(most - 2, (1, 1));
        assert_eq!(check_drawn(std::slice::from_ref(&elements), 1), Ok(()));
        let more = drawn_page(most - 1, (1, 1));
        assert_eq!(
            check_drawn(&[more], 1),
            Err(Refusal::Page(1, Excess::Elements))
        );
        assert!(
            Refusal::Page(1, Excess::Elements)
                .message("attachment `a.pdf`")
                .contains(
                    "(more than 1 million shapes, glyphs and pictures drawn, the most Typst reads)"
                )
        );
    }
}
