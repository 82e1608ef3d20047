//! Load stage, figure and logo files: what Typst would refuse or choke on is
//! found when the file is read, so that the error names the file and the line
//! that shows it instead of a template: a raster image too large to decode, an
//! SVG that does not parse (or has too many elements), an SVG that links other
//! files.

use typst::diag::LoadedWithin;
use typst::foundations::Bytes;
use typst::loading::{LoadSource, Loaded};
use typst::syntax::{Span, Spanned};
use typst::visualize::SvgImage;

/// The most pixels of a PNG or JPEG figure: a 40-megapixel photograph. A PNG
/// of 30 000 × 30 000 pixels is 2.6 MB of file and took 5.3 GB to decode.
pub(crate) const MAX_PIXELS: u64 = 40_000_000;

/// Checks the image `bytes` of kind `kind` (`png`, `jpg`, `svg`); `what`
/// names it in messages (``figure `a.png` ``).
pub(crate) fn check_image(kind: &str, bytes: &[u8], what: &str) -> Result<(), String> {
    match kind {
        "png" | "jpg" => {
            let size = if kind == "png" {
                png_size(bytes)
            } else {
                jpeg_size(bytes)
            };
            let Some((width, height)) = size else {
                return Err(format!("{what} is a damaged {} file", kind.to_uppercase()));
            };
            if u64::from(width) * u64::from(height) > MAX_PIXELS {
                return Err(format!(
                    "{what} is {width} × {height} pixels, more than the {} megapixels a figure may have; scale it down",
                    MAX_PIXELS / 1_000_000
                ));
            }
            Ok(())
        }
        "svg" => check_svg(bytes, what),
        _ => Ok(()),
    }
}

/// Parses the SVG as Typst will, and refuses links to other files.
fn check_svg(bytes: &[u8], what: &str) -> Result<(), String> {
    let data = Bytes::new(bytes.to_vec());
    let loaded = Loaded::new(
        Spanned::new(LoadSource::Bytes, Span::detached()),
        data.clone(),
    );
    if let Err(errors) = SvgImage::new(data).within(&loaded) {
        let message = errors.first().map_or("", |e| e.message.as_str());
        return Err(format!("{what} cannot be used: {message}"));
    }
    if let Some(href) = linked_file(&String::from_utf8_lossy(bytes)) {
        return Err(format!(
            "{what} links the file `{href}`, which cannot be shown; embed the image in the SVG or make it a figure of its own"
        ));
    }
    Ok(())
}

/// The first address an `href` or `xlink:href` attribute of an `<image>` or
/// `<feImage>` element of `svg` gives that is neither a reference inside the
/// file (`#id`) nor embedded data (`data:`).
fn linked_file(svg: &str) -> Option<String> {
    let mut rest = svg;
    while let Some(at) = rest.find("<image").or_else(|| rest.find("<feImage")) {
        let at = [rest.find("<image"), rest.find("<feImage")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(at);
        rest = &rest[at + 1..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if let Some(href) = tag_href(tag) {
            return Some(href.chars().take(200).collect());
        }
    }
    None
}

/// The `href` of a tag's attributes that points to a file.
fn tag_href(mut tag: &str) -> Option<&str> {
    while let Some(at) = tag.find("href") {
        tag = &tag[at + 4..];
        let Some(value) = tag.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let value = &value[1..];
        let href = value[..value.find(quote)?].trim();
        if !(href.starts_with('#') || href.starts_with("data:")) {
            return Some(href);
        }
    }
    None
}

/// Width and height from a PNG's header.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let header = bytes.get(12..24)?;
    if &header[..4] != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(header[4..8].try_into().ok()?);
    let height = u32::from_be_bytes(header[8..12].try_into().ok()?);
    Some((width, height))
}

/// Width and height from a JPEG's frame header (SOF marker).
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        // Markers may be padded with any number of 0xFF bytes.
        while *bytes.get(at)? == 0xFF && *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        let frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if frame {
            let height = u16::from_be_bytes([*bytes.get(at + 5)?, *bytes.get(at + 6)?]);
            let width = u16::from_be_bytes([*bytes.get(at + 7)?, *bytes.get(at + 8)?]);
            return Some((u32::from(width), u32::from(height)));
        }
        at = at.checked_add(2 + length)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([8, 2, 0, 0, 0]);
        bytes
    }

    #[test]
    fn raster_sizes_are_read_from_headers() {
        assert_eq!(png_size(&png_header(640, 480)), Some((640, 480)));
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0x01, 0xE0, 0x02, 0x80, 3,
        ];
        assert_eq!(jpeg_size(&jpeg), Some((640, 480)));
        assert_eq!(jpeg_size(&[0xFF, 0xD8, 0xFF]), None);
    }

    #[test]
    fn too_many_pixels_are_refused() {
        assert!(check_image("png", &png_header(6000, 4000), "figure `a.png`").is_ok());
        let err = check_image("png", &png_header(30_000, 30_000), "figure `a.png`").unwrap_err();
        assert!(err.contains("30000 × 30000 pixels"), "{err}");
    }

    #[test]
    fn svg_links_to_files_are_found() {
        let svg = r##"<svg><use href="#a"/><image href="data:image/png;base64,AA"/><image xlink:href = '/etc/x.png'/></svg>"##;
        assert_eq!(linked_file(svg).as_deref(), Some("/etc/x.png"));
        assert_eq!(linked_file(r##"<svg><use href="#a"/></svg>"##), None);
        let link =
            r##"<svg><a href="https://example.org"><rect/></a><feImage href="f.png"/></svg>"##;
        assert_eq!(linked_file(link).as_deref(), Some("f.png"));
    }
}
