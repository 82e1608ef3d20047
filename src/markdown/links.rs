//! Render stage, Markdown links: which addresses a link in a document may have.

use pulldown_cmark::LinkType;

/// The longest link address accepted, in bytes. Real addresses stay far below
/// it; far longer ones are pasted data, and PDF/A limits a string to 32 767 bytes.
pub const MAX_URL_LEN: usize = 2000;

/// The schemes a link in a document may use: web pages and e-mail. Anything
/// else (`javascript:`, `file:`, relative paths) would run code, reach the
/// reader's files or lead nowhere from a PDF.
pub const LINK_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// The address a Markdown link points to in the document: an e-mail autolink
/// (`<post@ehelse.no>`) gets `mailto:`; other addresses are kept as written.
pub fn link_target(link_type: LinkType, dest: &str) -> String {
    if link_type == LinkType::Email && !dest.to_ascii_lowercase().starts_with("mailto:") {
        format!("mailto:{dest}")
    } else {
        dest.to_owned()
    }
}

/// Checks a link address: not empty, not overlong, and with one of
/// [`LINK_SCHEMES`]; `Err` says what is wrong.
pub fn check_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("the link has no address".to_owned());
    }
    if url.len() > MAX_URL_LEN {
        return Err(format!(
            "the link address is {} bytes long, more than the {MAX_URL_LEN} allowed",
            url.len()
        ));
    }
    let scheme = url.split_once(':').map(|(scheme, _)| scheme).filter(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let Some(scheme) = scheme else {
        return Err(format!(
            "the link `{}` has no scheme: links in documents must be absolute, starting with https://, http:// or mailto:",
            shorten(url)
        ));
    };
    let rest = &url[scheme.len() + 1..];
    if !LINK_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
        return Err(format!(
            "links may only use https, http or mailto, not `{scheme}:`"
        ));
    }
    if rest.trim_start_matches('/').is_empty() {
        return Err(format!(
            "the link `{}` has no address after the scheme",
            shorten(url)
        ));
    }
    Ok(())
}

/// The start of a long address, for messages.
fn shorten(url: &str) -> String {
    const SHOWN: usize = 60;
    match url.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}…", &url[..at]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{check, to_typst};

    #[test]
    fn links_keep_web_and_mail_addresses_only() {
        let cases = [
            (
                "<post@ehelse.no>",
                "#link(\"mailto:post@ehelse.no\")[post\\@ehelse\\.no]\n",
            ),
            (
                "[skriv](MAILTO:a@b.no)",
                "#link(\"MAILTO:a@b.no\")[skriv]\n",
            ),
            ("[x](javascript:alert(1)) y", "x y\n"),
            ("[x](file:///etc/passwd)", "x\n"),
            ("[*x*](saker/a.md)", "#emph[x]\n"),
            ("[x]()", "x\n"),
        ];
        for (md, typst) in cases {
            assert_eq!(to_typst(md), typst, "converting {md:?}");
        }
        for ok in [
            "https://ehelse.no",
            "http://a.b/c?d#e",
            "mailto:a@b.no",
            "HTTPS://X.NO",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            " ",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "a.pdf",
            "#x",
            "//ehelse.no",
            "https://",
            "mailto:",
            "1http://x",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_url(&format!("https://a.no/{}", "x".repeat(MAX_URL_LEN))).is_err());
        assert_eq!(check("[a](https://a.no) [b](ftp://x)").len(), 1);
        assert_eq!(check("[a](ftp://x)")[0].offset, 0);
    }
}
