//! PDF pages that ask too much of drawing (attachments, and PDF pages shown as
//! figures): refused when the file is read, naming the file and the field,
//! before hayro is asked to draw them. Each PDF is written here, a few
//! kilobytes at most; before the check, each made motebok abort (`memory
//! allocation of 2147483648 bytes failed`) or overflow its stack. That the
//! tests complete at all is the check that memory stays bounded.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::common::{project_with, root, run, stderr};

/// A PDF of the objects `objects` (object 1 is the catalog).
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        writeln!(out, "{} 0 obj", i + 1).unwrap();
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let size = objects.len() + 1;
    write!(out, "xref\n0 {size}\n0000000000 65535 f \n").unwrap();
    for offset in offsets {
        writeln!(out, "{offset:010} 00000 n ").unwrap();
    }
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

/// A PDF of one page (object 3) with the resources `resources` and the
/// content `content` (object 4); `more` are objects 5 and on.
fn one_page(resources: &str, content: &[u8], more: Vec<Vec<u8>>) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] \
             /Resources {resources} /Contents 4 0 R >>"
        )
        .into_bytes(),
        stream("", content),
    ];
    objects.extend(more);
    pdf(&objects)
}

/// A page that draws a form that draws the next `fan` times, `levels` deep:
/// `fan` to the power `levels` drawings (10⁸ for 8 levels of 10).
fn nested_forms(levels: usize, fan: usize) -> Vec<u8> {
    let forms = forms_from(5, levels, fan);
    one_page("<< /XObject << /X 5 0 R >> >>", b"/X Do", forms)
}

/// The forms of [`nested_forms`], numbered from `first`.
fn forms_from(first: usize, levels: usize, fan: usize) -> Vec<Vec<u8>> {
    (0..levels)
        .map(|level| {
            let object = first + level;
            let (resources, content) = if level + 1 < levels {
                (
                    format!("/Resources << /XObject << /X {} 0 R >> >>", object + 1),
                    "/X Do ".repeat(fan),
                )
            } else {
                (String::new(), "0 0 1 1 re f ".repeat(fan))
            };
            let dict = format!("/Type /XObject /Subtype /Form /BBox [0 0 200 200] {resources}");
            stream(&dict, content.as_bytes())
        })
        .collect()
}

/// A page that draws a form that draws itself twice.
fn form_drawing_itself() -> Vec<u8> {
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 200 200] /Resources << /XObject << /X 5 0 R >> >>",
        b"0 0 1 1 re f /X Do /X Do",
    );
    one_page("<< /XObject << /X 5 0 R >> >>", b"/X Do", vec![form])
}

/// A page filled with a tiling pattern that fills with itself.
fn pattern_filling_with_itself() -> Vec<u8> {
    let pattern = stream(
        "/Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 10 10] \
         /XStep 10 /YStep 10 /Resources << /Pattern << /P 5 0 R >> >>",
        b"/Pattern cs /P scn 0 0 5 5 re f",
    );
    let content = b"/Pattern cs /P scn 0 0 100 100 re f";
    one_page("<< /Pattern << /P 5 0 R >> >>", content, vec![pattern])
}

/// Compressed with zlib.
fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Raw Deflate of `pieces` times 64 KiB of zeros: after a full flush each
/// piece packs alike, so a few hundred bytes stand for many megabytes.
fn deflate_of_zeros(pieces: usize) -> Vec<u8> {
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
    let mut packed = first;
    for _ in 1..pieces {
        packed.extend_from_slice(&again);
    }
    packed.extend(piece(&[], flate2::FlushCompress::Finish));
    packed
}

/// A page whose content, compressed twice, is 18 KB that unpack to 5 MB that
/// unpack to 4 GiB of zeros.
fn flate_bomb() -> Vec<u8> {
    content_in(
        "/Filter [/FlateDecode /FlateDecode]",
        &zlib(&deflate_of_zeros(1 << 16)),
    )
}

/// A baseline JPEG of one block of grey that says it is `width` × `height`
/// pixels (a decoder allocates them all before it finds the data short).
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8]; // start of image
    jpeg.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]); // quantisation table 0, all ones
    jpeg.extend([1; 64]);
    jpeg.extend([0xFF, 0xC0, 0x00, 0x0B, 0x08]); // frame, 8 bits a sample
    jpeg.extend(height.to_be_bytes());
    jpeg.extend(width.to_be_bytes());
    jpeg.extend([0x01, 0x01, 0x11, 0x00]); // one component
    for class in [0x00, 0x10] {
        // Huffman tables (DC, AC): one code of one bit, for symbol 0.
        jpeg.extend([0xFF, 0xC4, 0x00, 0x14, class, 0x01]);
        jpeg.extend([0; 16]);
    }
    jpeg.extend([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]); // scan
    jpeg.push(0x3F); // the block: DC difference 0, end of block
    jpeg.extend([0xFF, 0xD9]); // end of image
    jpeg
}

/// A page that draws a JPEG of 60 000 × 60 000 pixels, in 200 bytes.
fn huge_image() -> Vec<u8> {
    let image = stream(
        "/Type /XObject /Subtype /Image /Width 60000 /Height 60000 \
         /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode",
        &jpeg_claiming(60000, 60000),
    );
    let content = b"q 200 0 0 200 0 0 cm /I Do Q";
    one_page("<< /XObject << /I 5 0 R >> >>", content, vec![image])
}

/// A page that draws an image of 100 × 100 pixels by its dictionary, whose
/// data (with `filter`) says it is 60 000 × 60 000: hayro believes the data.
fn image_larger_than_it_says(filter: &str, data: &[u8]) -> Vec<u8> {
    let image = stream(
        &format!(
            "/Type /XObject /Subtype /Image /Width 100 /Height 100 \
             /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /{filter}"
        ),
        data,
    );
    let content = b"q 200 0 0 200 0 0 cm /I Do Q";
    one_page("<< /XObject << /I 5 0 R >> >>", content, vec![image])
}

/// A JPEG 2000 codestream of one tile that says it is 60 000 × 60 000 grey
/// pixels.
fn jpeg2000_claiming_60000() -> Vec<u8> {
    let mut data = vec![0xFF, 0x4F, 0xFF, 0x51, 0, 41, 0, 0]; // start; size, 41 bytes
    for n in [60000u32, 60000, 0, 0, 60000, 60000, 0, 0] {
        data.extend(n.to_be_bytes()); // image, its offset, tile, its offset
    }
    data.extend([0, 1, 7, 1, 1]); // one component of 8 bits
    data.extend([0xFF, 0x52, 0, 12, 0, 0, 0, 1, 0, 0, 4, 4, 0, 0]); // coding style
    data.extend([0xFF, 0x5C, 0, 4, 0x40, 0x40]); // quantisation
    data.extend([0xFF, 0x90, 0, 10, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0x93]); // tile part
    data.extend([0; 16]);
    data.extend([0xFF, 0xD9]); // end
    data
}

/// An embedded JBIG2 stream whose page is 60 000 × 60 000 pixels, and ends.
fn jbig2_claiming_60000() -> Vec<u8> {
    let mut data = vec![0, 0, 0, 0, 0x30, 0, 1, 0, 0, 0, 19]; // page information
    data.extend(60000u32.to_be_bytes());
    data.extend(60000u32.to_be_bytes());
    data.extend([0; 11]); // resolution, flags, striping
    data.extend([0, 0, 0, 1, 0x31, 0, 1, 0, 0, 0, 0]); // end of page
    data
}

/// A page with one small square: a PDF that draws.
fn square() -> Vec<u8> {
    one_page("<< >>", b"0 0 1 rg 50 50 100 100 re f", Vec::new())
}

/// The mini fixture with `pdf` attached to case 3/24 as `vedlegg/x.pdf`.
fn with_attachment(pdf: &[u8]) -> tempfile::TempDir {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let meeting = project.path().join("content/styret/2024-01");
    fs::create_dir_all(meeting.join("vedlegg")).unwrap();
    fs::write(meeting.join("vedlegg/x.pdf"), pdf).unwrap();
    let yaml = fs::read_to_string(meeting.join("meeting.yaml")).unwrap();
    let yaml = yaml.replace(
        "    paper: saker/03-24.md\n",
        "    paper: saker/03-24.md\n    attachments:\n      - { file: vedlegg/x.pdf, title: Vedlegget }\n",
    );
    fs::write(meeting.join("meeting.yaml"), yaml).unwrap();
    project
}

/// The PDF files under `dir`.
fn pdfs(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(pdfs(&path));
            } else if path.extension().is_some_and(|e| e == "pdf") {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

const HINT: &str = "print it to a new PDF file (or flatten it) and use that";

/// The error line for the attachment of [`with_attachment`].
fn attachment_error(problem: &str) -> String {
    format!(
        "error: content/styret/2024-01/meeting.yaml:39:17: agenda[4].attachments[0].file: \
         attachment `vedlegg/x.pdf` {problem}; {HINT}"
    )
}

/// Builds the mini fixture with the PDF of each case (its name, bytes, and
/// the problem the error names) attached, and checks that the build fails
/// with that error at the attachment's field and changes nothing. Each PDF
/// is smaller than `most` bytes. With `MOTEBOK_DUMP_PDFS` set to a folder,
/// the PDFs are written there too, to try them on another build.
fn assert_refused<P: AsRef<str>>(
    cases: impl IntoIterator<Item = (&'static str, Vec<u8>, P)>,
    most: usize,
) {
    for (name, bytes, problem) in cases {
        assert!(bytes.len() < most, "{name}: {} bytes", bytes.len());
        if let Some(dir) = std::env::var_os("MOTEBOK_DUMP_PDFS") {
            let file = format!("{}.pdf", name.replace('/', ""));
            fs::write(Path::new(&dir).join(file), &bytes).unwrap();
        }
        let project = with_attachment(&bytes);
        let out = run(project.path(), &["build"]);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}:\n{text}");
        let expected = attachment_error(problem.as_ref());
        assert!(
            text.lines().any(|line| line == expected),
            "{name}: expected\n{expected}\nin:\n{text}"
        );
        assert!(text.contains("no output was changed"), "{name}: {text}");
        let written = pdfs(&project.path().join("output"));
        assert!(written.is_empty(), "{name}: wrote {written:?}");
    }
}

#[test]
fn attachments_too_complex_to_draw_are_refused_at_their_field() {
    let cases: [(&str, Vec<u8>, &str); 7] = [
        (
            "nested forms",
            nested_forms(8, 10),
            "page 1 is too complex to draw (more than 2 million drawing operations)",
        ),
        (
            "a form drawing itself",
            form_drawing_itself(),
            "page 1 is too complex to draw (clips or forms nested more than 24 deep)",
        ),
        (
            "a pattern filling with itself",
            pattern_filling_with_itself(),
            "page 1 is too complex to draw (patterns or glyphs nested more than 64 deep)",
        ),
        (
            "a Flate bomb",
            flate_bomb(),
            "has a compressed stream (object 5) that unpacks to more than 256 MiB",
        ),
        (
            "a huge image",
            huge_image(),
            "page 1 is too complex to draw (more than 50 megapixels of images)",
        ),
        (
            "a JPEG 2000 image larger than it says",
            image_larger_than_it_says("JPXDecode", &jpeg2000_claiming_60000()),
            "page 1 is too complex to draw (more than 50 megapixels of images)",
        ),
        (
            "a JBIG2 image larger than it says",
            image_larger_than_it_says("JBIG2Decode", &jbig2_claiming_60000()),
            "page 1 is too complex to draw (more than 50 megapixels of images)",
        ),
    ];
    assert_refused(cases, 20_000);
}

/// A pack built with a good attachment stays as it was when the attachment is
/// swapped for one too complex to draw: no pack without it, or with part of it.
#[test]
fn a_refused_attachment_leaves_the_built_pack_as_it_was() {
    let project = with_attachment(&square());
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = project.path().join("output");
    let built: Vec<(String, Vec<u8>)> = pdfs(&output)
        .into_iter()
        .map(|path| (path.clone(), fs::read(path).unwrap()))
        .collect();
    assert!(
        built
            .iter()
            .any(|(path, _)| path.ends_with("2024-01/motepakke.pdf")),
        "{built:?}"
    );

    let attachment = project.path().join("content/styret/2024-01/vedlegg/x.pdf");
    fs::write(&attachment, nested_forms(8, 10)).unwrap();
    let out = run(project.path(), &["build"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let expected =
        attachment_error("page 1 is too complex to draw (more than 2 million drawing operations)");
    assert!(text.lines().any(|line| line == expected), "{text}");
    let mut now = pdfs(&output);
    now.sort();
    let mut before: Vec<String> = built.iter().map(|(path, _)| path.clone()).collect();
    before.sort();
    assert_eq!(now, before, "no PDF added or taken away");
    for (path, bytes) in &built {
        assert!(fs::read(path).unwrap() == *bytes, "{path} changed");
    }
}

#[test]
fn a_pdf_figure_too_complex_to_draw_is_refused_at_its_line() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let saker = project.path().join("content/styret/2024-01/saker");
    fs::create_dir_all(saker.join("figurer")).unwrap();
    fs::write(saker.join("figurer/plan.pdf"), nested_forms(8, 10)).unwrap();
    let paper = saker.join("03-24.md");
    let text = fs::read_to_string(&paper).unwrap();
    assert_eq!(text.lines().count(), 8);
    fs::write(
        &paper,
        format!("{text}\n![Planen](figurer/plan.pdf#page=1)\n"),
    )
    .unwrap();
    let out = run(project.path(), &["build"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let expected = format!(
        "error: content/styret/2024-01/saker/03-24.md:10:1: figure `figurer/plan.pdf` page 1 \
         is too complex to draw (more than 2 million drawing operations); {HINT}"
    );
    assert!(text.lines().any(|line| line == expected), "{text}");
    assert!(pdfs(&project.path().join("output")).is_empty());
}

/// A page whose content is the stream (object 5) with the dictionary
/// entries `dict` and the data `data`.
fn content_in(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut bytes = one_page("<< >>", b"", vec![stream(dict, data)]);
    let at = bytes
        .windows(13)
        .position(|w| w == b"/Contents 4 0")
        .unwrap();
    bytes[at + 10] = b'5';
    bytes
}

/// An image of 100 × 100 pixels by `/Width` and `/Height`, 60 000 × 60 000
/// by `/W` and `/H`, which hayro reads first.
fn image_with_short_names() -> Vec<u8> {
    let image = stream(
        "/Type /XObject /Subtype /Image /Width 100 /Height 100 /W 60000 /H 60000 \
         /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode",
        &jpeg_claiming(60000, 60000),
    );
    let content = b"q 200 0 0 200 0 0 cm /I Do Q";
    one_page("<< /XObject << /I 5 0 R >> >>", content, vec![image])
}

/// The same as an inline image.
fn inline_image_with_short_names() -> Vec<u8> {
    let mut content = b"q 200 0 0 200 0 0 cm BI /Width 10 /Height 10 /W 60000 /H 60000 \
                        /CS /G /BPC 8 /F /DCT ID "
        .to_vec();
    content.extend(jpeg_claiming(60000, 60000));
    content.extend(b" EI Q");
    one_page("<< >>", &content, Vec::new())
}

/// A 10 × 10 CCITT image whose `/DecodeParms` say 60 000 × 60 000, which is
/// what hayro decodes.
fn ccitt_larger_than_it_says() -> Vec<u8> {
    let image = stream(
        "/Type /XObject /Subtype /Image /Width 10 /Height 10 /ColorSpace /DeviceGray \
         /BitsPerComponent 1 /Filter /CCITTFaxDecode \
         /DecodeParms << /K -1 /Columns 60000 /Rows 60000 >>",
        &[0xFF; 30_000],
    );
    let content = b"q 200 0 0 200 0 0 cm /I Do Q";
    one_page("<< /XObject << /I 5 0 R >> >>", content, vec![image])
}

/// A Type 3 font chosen by an ExtGState's `/Font` (not by `Tf`), whose
/// glyph draws the forms of [`nested_forms`] (10⁸ drawings).
fn type3_font_set_by_gs() -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] \
          /Resources << /ExtGState << /G << /Font [5 0 R 12] >> >> >> /Contents 4 0 R >>"
            .to_vec(),
        stream("", b"BT /G gs 10 10 Td (a) Tj ET"),
        b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1 1] /FontMatrix [0.001 0 0 0.001 0 0] \
          /CharProcs << /a 6 0 R >> /Encoding << /Differences [97 /a] >> /FirstChar 97 \
          /LastChar 97 /Widths [1000] /Resources << /XObject << /X 7 0 R >> >> >>"
            .to_vec(),
        stream("", b"1000 0 d0 /X Do"),
    ];
    objects.extend(forms_from(7, 8, 10));
    pdf(&objects)
}

/// `count` unused streams, each Flate of Flate of 255 MiB of zeros (a few
/// hundred bytes each), beside a page that draws.
fn unused_bombs(count: usize) -> Vec<u8> {
    let inner = deflate_of_zeros(255 << 4);
    let bomb = stream("/Filter [/FlateDecode /FlateDecode]", &zlib(&inner));
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>".to_vec(),
        stream("", b"0 0 1 rg 50 50 100 100 re f"),
    ];
    objects.extend(std::iter::repeat_n(bomb, count));
    pdf(&objects)
}

/// Ten pages that share the content `content` (object 4, Flate-packed),
/// with the resources `resources`; `more` are objects 5 and on.
fn ten_pages(resources: &str, content: &[u8], more: Vec<Vec<u8>>) -> Vec<u8> {
    let first = 5 + more.len();
    let kids: Vec<String> = (first..first + 10).map(|n| format!("{n} 0 R")).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count 10 >>", kids.join(" ")).into_bytes(),
        b"<< >>".to_vec(),
        stream("/Filter /FlateDecode", &zlib(content)),
    ];
    objects.extend(more);
    for _ in 0..10 {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                 /Resources {resources} /Contents 4 0 R >>"
            )
            .into_bytes(),
        );
    }
    pdf(&objects)
}

/// Each made motebok abort, overflow its stack, or fail the whole document
/// in Typst, before it was refused at its field.
#[test]
fn more_attachments_too_complex_to_draw_are_refused_at_their_field() {
    let page = |problem: &str| format!("page 1 is too complex to draw ({problem})");
    let megapixels = page("more than 50 megapixels of images");
    let deep = "[".repeat(500_000) + &"]".repeat(500_000);
    // Clips, each inside the last, around a square.
    let clips = |n: usize| {
        let mut content = b"0 0 m 190 0 l 0 190 l h W n ".repeat(n);
        content.extend(b"0 0 1 rg 5 5 50 50 re f");
        content
    };
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "an image larger by /W /H than by /Width /Height",
            image_with_short_names(),
            megapixels.clone(),
        ),
        (
            "an inline image larger by /W /H than by /Width /Height",
            inline_image_with_short_names(),
            megapixels.clone(),
        ),
        (
            "a predictor of 4 GB rows",
            content_in(
                "/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4000000000 >>",
                &zlib(b"\x000 0 1 rg 50 50 100 100 re f "),
            ),
            "has a compressed stream (object 5) whose rows are longer than 16 MiB".to_string(),
        ),
        (
            "a CCITT image larger than it says",
            ccitt_larger_than_it_says(),
            megapixels.clone(),
        ),
        (
            "a Type 3 font set by gs",
            type3_font_set_by_gs(),
            page("more than 2 million drawing operations"),
        ),
        (
            "1.9 million nested q",
            content_in("/Filter /FlateDecode", &zlib(&b"q ".repeat(1_900_000))),
            page("graphics states saved more than 256 deep"),
        ),
        (
            "27 nested clips",
            content_in("", &clips(27)),
            page("clips or forms nested more than 24 deep"),
        ),
        (
            "22 000 nested clips",
            content_in("/Filter /FlateDecode", &zlib(&clips(22_000))),
            page("clips or forms nested more than 24 deep"),
        ),
        (
            "27 nested forms",
            nested_forms(27, 1),
            page("clips or forms nested more than 24 deep"),
        ),
        (
            "arrays nested 500 000 deep in the content",
            content_in(
                "/Filter /FlateDecode",
                &zlib(format!("BT {deep} TJ ET").as_bytes()),
            ),
            page("arrays or dictionaries nested more than 256 deep"),
        ),
        (
            "arrays nested 500 000 deep in the file",
            one_page(&format!("<< /X {deep} >>"), b"", Vec::new()),
            "has arrays or dictionaries nested more than 256 deep".to_string(),
        ),
        (
            "ten pages of 600 000 squares each",
            ten_pages(
                "<< >>",
                &(0..600_000)
                    .flat_map(|i| format!("{} {} 1 1 re f ", i % 590, i / 590 % 840).into_bytes())
                    .collect::<Vec<u8>>(),
                Vec::new(),
            ),
            "is too complex to draw (more than 2 million drawing operations in all)".to_string(),
        ),
        (
            "ten pages of 79 000 small images each",
            ten_pages(
                "<< /XObject << /I 5 0 R >> >>",
                &(0..79_000)
                    .flat_map(|i| {
                        format!("q 2 0 0 2 {} {} cm /I Do Q ", i % 280 * 2, i / 280 * 2)
                            .into_bytes()
                    })
                    .collect::<Vec<u8>>(),
                vec![stream(
                    "/Type /XObject /Subtype /Image /Width 25 /Height 25 \
                     /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode",
                    &zlib(&(0..1875).map(|i| i as u8).collect::<Vec<u8>>()),
                )],
            ),
            "is too complex to draw (more than 2 million drawing operations in all)".to_string(),
        ),
        (
            "unused streams that unpack to 1.25 GiB",
            unused_bombs(5),
            "has compressed streams that unpack to more than 1024 MiB in all".to_string(),
        ),
    ];
    assert_refused(cases, 1_500_000);
}

/// Clips, or forms, 24 deep are drawn (Typst writes 26).
#[test]
fn clips_and_forms_24_deep_are_drawn() {
    let mut clips = b"0 0 m 190 0 l 0 190 l h W n ".repeat(24);
    clips.extend(b"0 0 1 rg 5 5 50 50 re f");
    let clips = content_in("", &clips);
    for (name, bytes) in [("clips", clips), ("forms", nested_forms(24, 1))] {
        let project = with_attachment(&bytes);
        let out = run(project.path(), &["build"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
    }
}

/// A page filled with a shading pattern through a square of 1 × 1 scaled to
/// `side` × `side`: hayro draws the shading as an image as large as the
/// shape (40 GB for 100 000), which the walk before drawing does not
/// foresee.
fn shading_over(side: u32) -> Vec<u8> {
    let pattern = b"<< /PatternType 2 /Shading << /ShadingType 2 /ColorSpace /DeviceRGB \
        /Coords [0 0 612 0] /Function << /FunctionType 2 /Domain [0 1] /C0 [1 0 0] \
        /C1 [0 0 1] /N 1 >> /Extend [true true] >> >>"
        .to_vec();
    let content = format!("/Pattern cs /P scn {side} 0 0 {side} 0 0 cm 0 0 1 1 re f");
    one_page(
        "<< /Pattern << /P 5 0 R >> >>",
        content.as_bytes(),
        vec![pattern],
    )
}

/// [`shading_over`] a square of 100 000 points.
fn shading_over_a_huge_area() -> Vec<u8> {
    shading_over(100_000)
}

/// A page tree 40 levels deep whose every node lists the next twice: one
/// page, reached 2⁴⁰ times while the file is read.
fn page_tree_of_2_to_the_40() -> Vec<u8> {
    let mut objects = vec![b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()];
    for level in 0..40 {
        let kid = level + 3;
        objects
            .push(format!("<< /Type /Pages /Kids [{kid} 0 R {kid} 0 R] /Count 1 >>").into_bytes());
    }
    objects.push(b"<< /Type /Page /MediaBox [0 0 200 200] >>".to_vec());
    pdf(&objects)
}

/// PDFs that the walk before drawing lets pass and that still ask too much
/// of the PDF reader: read and drawn in a process of its own, limited in
/// memory, whose drawings are measured before Typst sees them, each is an
/// error at its field, and the build reports it and changes nothing. Before,
/// motebok aborted (`memory allocation of … failed`): at once on the huge
/// shading, after 40 s and 7 GB on the page tree; the shading of 8 000²
/// points it built.
#[test]
fn pdfs_that_exhaust_the_drawing_process_are_errors_at_their_field() {
    let cases = [
        (
            "a shading over a huge area",
            shading_over_a_huge_area(),
            "cannot be drawn: it needs more than 4 GiB of memory",
        ),
        // Drawn within the process's limits, as a picture of 64 megapixels
        // that packs to little and that Typst would unpack again in motebok
        // itself (two of 20 000² took it to 6.2 GB).
        (
            "a shading over 8 000² points",
            shading_over(8_000),
            "page 1 is too complex to draw (more than 50 megapixels of images)",
        ),
    ];
    assert_refused(cases, 5_000);
    // The page tree reaches 4 GiB after some 20 s of processor time (on
    // this machine; 42 s and 7 GB before): on a slower one, its 30 s may
    // come first. Either is the limit that bounds it.
    let project = with_attachment(&page_tree_of_2_to_the_40());
    let out = run(project.path(), &["build"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let refused = |problem: &str| {
        let expected = attachment_error(&format!("cannot be read: {problem}"));
        text.lines().any(|line| line == expected)
    };
    assert!(
        refused("it needs more than 4 GiB of memory")
            || refused("it takes more than 30 s of processor time"),
        "{text}"
    );
    assert!(pdfs(&project.path().join("output")).is_empty());
}

/// A PDF page shown as a figure is drawn in a limited process too: the
/// shading over a huge area is an error at the figure's line.
#[test]
fn a_pdf_figure_that_exhausts_the_drawing_process_is_an_error_at_its_line() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let saker = project.path().join("content/styret/2024-01/saker");
    fs::create_dir_all(saker.join("figurer")).unwrap();
    fs::write(saker.join("figurer/plan.pdf"), shading_over_a_huge_area()).unwrap();
    let paper = saker.join("03-24.md");
    let text = fs::read_to_string(&paper).unwrap();
    fs::write(&paper, format!("{text}\n![Planen](figurer/plan.pdf)\n")).unwrap();
    let out = run(project.path(), &["build"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let expected = format!(
        "error: content/styret/2024-01/saker/03-24.md:10:1: figure `figurer/plan.pdf` \
         cannot be drawn: it needs more than 4 GiB of memory; {HINT}"
    );
    assert!(text.lines().any(|line| line == expected), "{text}");
    assert!(pdfs(&project.path().join("output")).is_empty());
}

/// A page that shows `glyphs` glyphs of Helvetica in one string,
/// compressed.
fn glyphs(glyphs: usize) -> Vec<u8> {
    let mut content = b"BT /F 1 Tf 0 100 Td (".to_vec();
    content.extend(std::iter::repeat_n(b'a', glyphs));
    content.extend_from_slice(b") Tj ET");
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] \
          /Resources << /Font << /F 5 0 R >> >> /Contents 4 0 R >>"
            .to_vec(),
        stream("/Filter /FlateDecode", &zlib(&content)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ])
}

/// A page of 600 000 glyphs (a third of the operations a page may run) is
/// drawn as 600 000 uses of the glyph's path, which Typst reads as 1.2
/// million elements: it failed in Typst ("failed to parse SVG (nodes limit
/// reached)", in the generated source); it is refused at the attachment's
/// field.
#[test]
fn a_page_drawn_into_more_elements_than_typst_reads_is_refused_at_its_field() {
    let bytes = glyphs(600_000);
    assert!(bytes.len() < 2_000, "{} bytes", bytes.len());
    let project = with_attachment(&bytes);
    let out = run(project.path(), &["build"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let expected = attachment_error(
        "page 1 is too complex to draw (more than 1 million shapes, glyphs and pictures \
         drawn, the most Typst reads)",
    );
    assert!(text.lines().any(|line| line == expected), "{text}");
    assert!(pdfs(&project.path().join("output")).is_empty());
}

/// A page filling `fills` squares of `side`² points, each moved by a point
/// and moved back, with one shading pattern: hayro draws the shading once,
/// as a picture of `side`² pixels, and each fill as a pattern that uses it.
fn one_shading_through_many_patterns(side: u32, fills: u32) -> Vec<u8> {
    let pattern = b"<< /PatternType 2 /Shading << /ShadingType 2 /ColorSpace /DeviceRGB \
        /Coords [0 0 612 0] /Function << /FunctionType 2 /Domain [0 1] /C0 [1 0 0] \
        /C1 [0 0 1] /N 1 >> /Extend [true true] >> >>"
        .to_vec();
    let mut content = String::from("/Pattern cs /P scn ");
    for i in 1..=fills {
        content += &format!("q 1 0 0 1 {i} 0 cm -{i} 0 {side} {side} re f Q ");
    }
    one_page(
        "<< /Pattern << /P 5 0 R >> >>",
        content.as_bytes(),
        vec![pattern],
    )
}

/// A page drawing `draws` small squares through one soft mask whose form
/// fills `squares` squares as one shape: hayro defines the mask once, and
/// each square is a group that names it.
fn one_mask_for_many_draws(squares: u32, draws: u32) -> Vec<u8> {
    let mut mask = String::from("1 g ");
    for i in 0..squares {
        mask += &format!("{} {} 1 1 re ", i % 600, i / 600 % 790);
    }
    mask += "f";
    let mut content = String::from("/GS gs 0 0 1 rg ");
    for i in 0..draws {
        content += &format!("{} {} 2 2 re f ", i % 300 * 2, i / 300 * 2);
    }
    let page = b"<< /Type /ExtGState /SMask << /Type /Mask /S /Luminosity /G 6 0 R >> >>".to_vec();
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 612 792] \
         /Group << /S /Transparency /CS /DeviceRGB >> /Filter /FlateDecode",
        &zlib(mask.as_bytes()),
    );
    one_page(
        "<< /ExtGState << /GS 5 0 R >> >>",
        content.as_bytes(),
        vec![page, form],
    )
}

/// Pages whose drawing passes every count of the walk and of the drawing
/// process, but which Typst would draw in motebok itself again for each use
/// of one picture or mask: refused at their field. Before, motebok built
/// them (one texture through 20 patterns took 12 s and 1 GB; through
/// 250 000, which the walk allows, about 17 hours).
#[test]
fn pages_that_typst_would_draw_again_for_each_use_are_refused() {
    assert_refused(
        [
            (
                "one shading of 6 000² through three patterns",
                one_shading_through_many_patterns(6_000, 3),
                "page 1 is too complex to draw (more than 50 megapixels of images)",
            ),
            (
                "one mask of 100 000 squares for 40 draws",
                one_mask_for_many_draws(100_000, 40),
                "page 1 is too complex to draw (more than 128 MiB of drawing, counting a \
                 shape as often as it is used)",
            ),
        ],
        400_000,
    );
}
