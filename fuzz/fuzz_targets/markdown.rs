//! Markdown → Typst: `markdown::check` and `markdown::to_typst` never panic, and
//! the generated Typst parses without errors and contains only the constructs the
//! converter emits on purpose (no Markdown text running as Typst markup or code),
//! also where the templates embed it (`#[ … ]`, `#block(…)[#set … ⏎ …]`).
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use motebok::markdown;

fuzz_target!(|data: &[u8]| {
    let Ok(md) = std::str::from_utf8(data) else { return };
    let problems = markdown::check(md);
    for p in &problems {
        assert!(p.offset <= md.len(), "problem offset out of range: {p:?}");
    }
    let typst = markdown::to_typst(md);
    common::check_converted_markup(md, &typst);
    // The contexts the templates put converted Markdown in.
    for wrapped in [
        format!("#[\n#set heading(offset: 1)\n{typst}]\n"),
        format!("#block(above: 0.55em)[#set text(size: 9.5pt)\n{typst}]"),
    ] {
        let errors = common::syntax_errors(&wrapped);
        if !errors.is_empty() {
            return common::fail(format!(
                "embedded Markdown breaks the template: {errors:?}\nmarkdown: {md:?}\ntypst: {wrapped:?}"
            ));
        }
    }
});
