//! Property: any Unicode text in a plain field reaches the PDF exactly as written,
//! or is refused with an error at that field when it holds a character that
//! cannot be printed. Never a panic, never a Typst error, never a silent change.

use std::fs;

use motebok::document::DocumentKind;
use motebok::model::AgendaRow;
use motebok::pipeline::{BuildConfig, build_jobs, load_inputs, plan};
use motebok::text::{UNKNOWN_SYMBOL, forbidden_in_pdf, is_combining_mark, map_symbol_font_char};
use motebok::world::Typesetter;
use proptest::prelude::*;

/// Text a drafter might type, paste or smuggle in: Typst's special characters,
/// Norwegian letters, whitespace of every kind, Office symbol-font characters,
/// typographic punctuation and symbols, and now and then any character at all.
fn field_text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '#', '$', '@', '*', '_', '<', '>', '\\', '/', '[', ']', '{', '}', '(', ')', '`', '~', '-',
        '+', '=', '.', '"', '\'', ':', ';', ',', '%', '&', '|', '^', '!', '?',
    ]);
    let letters = prop::sample::select(vec![
        'a', 'B', 'z', 'æ', 'ø', 'å', 'Æ', 'Ø', 'Å', 'é', 'ü', '1', '0', '9',
    ]);
    let spaces = prop::sample::select(vec![' ', ' ', '\n', '\t', '\u{a0}', '\u{2009}', '\r']);
    let office = prop::sample::select(vec!['\u{F097}', '\u{F0FC}', '\u{F04A}', '\u{F0AA}']);
    let ranges = prop_oneof![
        prop::char::range('\u{20}', '\u{24f}'),
        prop::char::range('\u{370}', '\u{52f}'),
        prop::char::range('\u{2000}', '\u{2bff}'),
    ];
    let chars = prop_oneof![
        6 => special,
        6 => letters,
        3 => spaces,
        1 => office,
        4 => ranges,
        1 => any::<char>(),
    ];
    prop::collection::vec(chars, 1..24).prop_map(|v| v.into_iter().collect())
}

/// What the text should print as: Office symbols mapped, unknown ones replaced.
fn as_printed(text: &str) -> String {
    text.chars()
        .map(|c| {
            if ('\u{E000}'..='\u{F8FF}').contains(&c) {
                map_symbol_font_char(c).unwrap_or(UNKNOWN_SYMBOL)
            } else {
                c
            }
        })
        .collect()
}

/// Whether a character can reach the PDF: not a control character (line breaks
/// and tabs aside) and drawn by one of the bundled fonts.
fn printable(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\t')
        || !c.is_control()
            && !forbidden_in_pdf(c)
            && (c.is_whitespace() || Typesetter::shared().can_print(c))
}

/// Whether every character of `text` can be printed, combining marks on the
/// character before them.
fn all_printable(text: &str) -> bool {
    let mut base = None;
    text.chars().all(|c| {
        if is_combining_mark(c) {
            match base {
                Some(b) => Typesetter::shared().can_combine(b, c),
                None => Typesetter::shared().can_print(c),
            }
        } else {
            base = (!c.is_whitespace()).then_some(c);
            printable(c)
        }
    })
}

/// Right-to-left scripts and bidirectional controls: their runs are laid out in
/// visual order, so only the characters, not their order, can be compared.
fn right_to_left(c: char) -> bool {
    matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF | 0x202A..=0x202E | 0x2066..=0x2069)
}

/// Invisible formatting characters (zero-width spaces and joiners, soft hyphen,
/// direction marks, variation selectors): they shape the layout but are not
/// text Typst keeps, so the comparison leaves them out like whitespace.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(u32::from(c), 0x00AD | 0x034F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFE00..=0xFE0F)
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|&c| !invisible(c)).collect()
}

const BODY: &str = "id: styret
name: Testutvalget
organisation: Direktoratet for testing
members:
  - { id: aleder, name: Anne Leder, role: leader }
";

/// Builds the summons of a meeting whose second item has `title` and whose place
/// is `place`; returns the diagnostics (as printed) and the summons' text.
fn summons(title: &str, place: &str) -> (Vec<String>, Option<String>) {
    let meeting = serde_json::json!({
        "number": "1/2024",
        "date": "2024-02-14",
        "start": "09:00",
        "place": place,
        "agenda": [
            { "case": "1/24", "standing": "innkalling", "kind": "godkjenning", "duration": 5 },
            { "case": "2/24", "title": title, "kind": "orientering", "duration": 20 },
        ],
    });
    let project = tempfile::tempdir().unwrap();
    let dir = project.path().join("content/styret/2024-01");
    fs::create_dir_all(&dir).unwrap();
    fs::write(project.path().join("content/styret/body.yaml"), BODY).unwrap();
    fs::write(
        dir.join("meeting.yaml"),
        serde_yaml_ng::to_string(&meeting).unwrap(),
    )
    .unwrap();
    let config = BuildConfig {
        templates: crate::common::root().join("templates"),
        dry_run: true,
        ..BuildConfig::in_project(project.path())
    };
    let (inputs, diagnostics) = load_inputs(&config);
    let mut printed: Vec<String> = diagnostics
        .0
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    let Some((project_model, renderer)) = inputs else {
        return (printed, None);
    };
    let meeting = &project_model.bodies[0].meetings[0];
    let AgendaRow::Case(item) = &meeting.agenda[1] else {
        panic!("the second row is the case");
    };
    assert_eq!(
        item.title.as_deref(),
        Some(as_printed(title).as_str()),
        "the loaded title"
    );
    let jobs: Vec<_> = plan(&project_model)
        .into_iter()
        .filter(|j| j.kind == DocumentKind::Summons)
        .collect();
    let report = build_jobs(&config, &project_model, &renderer, &jobs, None);
    printed.extend(
        report
            .diagnostics
            .0
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string()),
    );
    let text = report.documents.first().map(|d| d.text.join(" "));
    (printed, text)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn plain_text_prints_literally_or_is_refused_at_its_field(
        title in field_text(),
        place in field_text(),
    ) {
        let (errors, text) = summons(&title, &place);
        let refusable = |s: &str| {
            !all_printable(&as_printed(s))
        };
        if refusable(&title) || refusable(&place) {
            prop_assert!(!errors.is_empty(), "{title:?} / {place:?} hold unprintable characters but were accepted");
            for error in &errors {
                prop_assert!(
                    error.contains("meeting.yaml:"),
                    "an error that does not point into meeting.yaml: {error}"
                );
            }
            return Ok(());
        }
        prop_assert!(errors.is_empty(), "printable text was refused: {errors:#?}");
        let text = text.expect("the summons compiled");
        let pdf = without_whitespace(&text);
        for field in [&title, &place] {
            let want = without_whitespace(&as_printed(field));
            if want.chars().any(right_to_left) {
                for c in want.chars() {
                    prop_assert!(pdf.contains(c), "{c:?} of {field:?} is missing from the PDF text {text:?}");
                }
            } else {
                prop_assert!(pdf.contains(&want), "{field:?} does not print literally; the PDF text is {text:?}");
            }
        }
    }
}
