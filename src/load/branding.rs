//! Load stage, branding: a body's logo (read through the confined, bounded
//! reader), house colours and letterhead from `body.yaml`.

use std::path::Path;

use super::assets::read_image;
use super::schema::{ColoursFile, LogoFile};
use super::source::SourceFile;
use crate::diagnostic::Diagnostics;
use crate::model::{Branding, Logo};

/// The most letterhead lines: they share the top of the first page with the title.
pub(crate) const MAX_LETTERHEAD_LINES: usize = 6;

/// Resolves the branding of the body whose `body.yaml` is `file`, in `folder`.
pub(crate) fn resolve_branding(
    file: &SourceFile,
    (content_dir, folder): (&Path, &Path),
    (logo, colours, letterhead): (Option<LogoFile>, Option<ColoursFile>, Vec<String>),
    diags: &mut Diagnostics,
) -> Branding {
    let logo = logo.and_then(|logo| {
        if logo.alt.trim().is_empty() {
            diags.push(file.error(
                "logo.alt",
                "a logo needs alt text saying what it shows (`Logo for Eksempelrådet`); readers who cannot see it get the alt text (PDF/UA)",
            ));
        }
        match read_image(content_dir, folder, &logo.file, "logo") {
            Ok(bytes) => Some(Logo {
                file: bytes,
                alt: logo.alt,
            }),
            Err(message) => {
                diags.push(file.error("logo.file", message));
                None
            }
        }
    });
    let colours = colours.unwrap_or(ColoursFile {
        primary: None,
        accent: None,
    });
    let mut colour = |field: &str, value: Option<String>| {
        let value = value?;
        if is_hex_colour(&value) {
            Some(value.to_ascii_lowercase())
        } else {
            diags.push(file.error(
                &format!("colours.{field}"),
                format!(
                    "`{value}` is not a colour; write it as `#rrggbb`, such as \"#1f3864\" (quoted)"
                ),
            ));
            None
        }
    };
    let primary = colour("primary", colours.primary);
    let accent = colour("accent", colours.accent);
    if letterhead.len() > MAX_LETTERHEAD_LINES {
        diags.push(file.error(
            &format!("letterhead[{MAX_LETTERHEAD_LINES}]"),
            format!("a letterhead has at most {MAX_LETTERHEAD_LINES} lines"),
        ));
    }
    Branding {
        logo,
        primary,
        accent,
        letterhead,
    }
}

/// Whether `value` is a colour `#rrggbb`.
fn is_hex_colour(value: &str) -> bool {
    value
        .strip_prefix('#')
        .is_some_and(|hex| hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hex_triplets() {
        assert!(is_hex_colour("#1f3864"));
        assert!(is_hex_colour("#ABCDEF"));
        for bad in ["1f3864", "#1f386", "#1f38640", "#gggggg", "navy", ""] {
            assert!(!is_hex_colour(bad), "{bad}");
        }
    }
}
