//! Render stage, Markdown: tests of the conversion to Typst and of the check.

use super::*;

#[test]
fn converts_the_supported_constructs() {
    let cases = [
        (
            "Hei *du* og **dere**.",
            "Hei #emph[du] og #strong[dere]\\.\n",
        ),
        ("## Bakgrunn", "#heading(depth: 1)[Bakgrunn]\n"),
        ("- en\n- to", "#list([en], [to])\n"),
        ("3. tre\n4. fire", "#enum(start: 3, [tre], [fire])\n"),
        (
            "[ehelse](https://ehelse.no)",
            "#link(\"https://ehelse.no\")[ehelse]\n",
        ),
        ("Bruk `kode`", "Bruk #raw(\"kode\")\n"),
        ("a  \nb", "a\\\nb\n"),
        ("~~ut~~", "#strike[ut]\n"),
    ];
    for (md, typst) in cases {
        assert_eq!(to_typst(md), typst, "converting {md:?}");
    }
}

#[test]
fn rows_with_a_long_cell_may_break_across_pages() {
    let long = "ord ".repeat(BREAKABLE_CELL_CHARS / 4 + 1);
    let md = format!("| A | B |\n|---|---|\n| 1 | kort |\n| 2 | {long} |\n");
    let typst = to_typst(&md);
    assert_eq!(
        typst.matches("table.cell(breakable: true)").count(),
        2,
        "{typst}"
    );
    assert!(typst.contains("[1], [kort], "), "{typst}");
    assert!(typst.contains("table.cell(breakable: true)[2], table.cell(breakable: true)[ord"));
}

#[test]
fn tables_become_typst_tables_with_header_rows() {
    let md = "| ID | Beløp |\n|---|--:|\n| 1 | 75 069 028 |\n";
    assert_eq!(
        to_typst(md),
        "#table(columns: 2, align: (left, right,), table.header([ID], [Beløp], ),\n  [1], [75 069 028], \n  )\n"
    );
}

#[test]
fn heading_levels_become_relative_and_consecutive() {
    assert_eq!(
        to_typst("## A\n\n#### B\n\n### C\n\n## D"),
        "#heading(depth: 1)[A]\n\n#heading(depth: 2)[B]\n\n#heading(depth: 2)[C]\n\n#heading(depth: 1)[D]\n"
    );
}

#[test]
fn a_forced_break_at_the_end_of_an_item_does_not_escape_the_bracket() {
    assert_eq!(to_typst("- a  \n- b\\"), "#list([a], [b\\\\])\n");
    assert_eq!(to_typst("- P,\u{c}\u{c}\n"), "#list([P,])\n");
}

#[test]
fn too_deep_nesting_still_compiles_without_the_check() {
    for (deep, word) in [
        ("> ".repeat(MAX_NESTING + 5) + "x *y* z", "y"),
        (
            "> ".repeat(MAX_QUOTE_NESTING) + "**a *b ~~c [d](e)~~ b* a**",
            "d",
        ),
        (
            "- ".repeat(MAX_NESTING / 2 - MAX_QUOTE_NESTING)
                + &"> ".repeat(MAX_QUOTE_NESTING)
                + "*x*",
            "x",
        ),
        (
            (0..MAX_NESTING + 5)
                .map(|i| format!("{}- punkt {i}\n", "  ".repeat(i)))
                .collect::<String>(),
            "punkt 36",
        ),
        ("*".repeat(80) + "x" + &"*".repeat(80), "x"),
    ] {
        let typst = to_typst(&deep);
        let compiled = crate::compile::compile_pdf(
            crate::world::Typesetter::shared(),
            crate::compile::CompileRequest {
                name: "deep.typ",
                source: crate::render::SplitSource::single(typst.clone()),
                ident: "deep",
                date: (2024, 1, 1),
                standards: &[],
                text: true,
            },
        );
        let text = compiled
            .unwrap_or_else(|e| panic!("{deep:?} → {typst}: {}", e[0]))
            .text
            .concat();
        assert!(text.contains(word), "{word:?} missing from {text:?}");
    }
}

#[test]
fn too_deep_nesting_is_a_problem() {
    let deep = "> ".repeat(MAX_NESTING + 5) + "x";
    assert!(
        check(&deep)
            .iter()
            .any(|p| p.message.contains("nested more than"))
    );
    assert!(check("> > x").is_empty());
    let quotes = "> ".repeat(MAX_QUOTE_NESTING + 1) + "x";
    assert!(
        check(&quotes)
            .iter()
            .any(|p| p.message.contains("quotes are nested more than 8"))
    );
    assert!(check(&("> ".repeat(MAX_QUOTE_NESTING) + "x")).is_empty());
}

#[test]
fn nested_lists_nest() {
    assert_eq!(to_typst("- a\n  - b\n- c"), "#list([a\n#list([b])], [c])\n");
}

#[test]
fn text_never_becomes_code() {
    let out = to_typst("#set page(width: 1pt) $x$ @ref <lbl> // c");
    assert_eq!(
        out,
        "\\#set page(width: 1pt) \\$x\\$ \\@ref \\<lbl\\> \\/\\/ c\n"
    );
    // A parenthesis right after a call is not an argument list.
    assert_eq!(
        to_typst("*Merk*(se vedlegg)"),
        "#emph[Merk]\\(se vedlegg)\n"
    );
}

#[test]
fn text_after_a_call_stays_text() {
    assert_eq!(to_typst("*a*; b"), "#emph[a]\\; b\n");
    assert_eq!(to_typst("`x`;"), "#raw(\"x\")\\;\n");
    assert_eq!(to_typst("*x*![a](b)"), "#emph[x]\\[a\\]\n");
}

#[test]
fn empty_headings_are_left_out() {
    assert_eq!(to_typst("#"), "");
    assert_eq!(
        to_typst("## \n\nTekst\n\n### B"),
        "Tekst\n\n#heading(depth: 1)[B]\n"
    );
}

#[test]
fn check_reports_images_and_html() {
    let problems = check_field("Tekst\n\n![logo](logo.png)\n\n<b>x</b>");
    assert_eq!(problems.len(), 3);
    assert_eq!(problems[0].offset, 7);
    assert!(
        problems[0]
            .message
            .contains("figures can only be in case papers")
    );
    assert!(problems[1].message.contains("HTML"));
}

#[test]
fn footnotes_become_typst_footnotes() {
    assert_eq!(
        to_typst("Tekst[^1] videre.\n\n[^1]: Kilde: *rapport*.\n"),
        "Tekst#footnote[Kilde: #emph[rapport]\\.] videre\\.\n"
    );
    // A note referred to twice keeps one number; labels match without case.
    let twice = to_typst("A[^n] og B[^N].\n\n[^n]: Felles.\n");
    let label = twice
        .split_once("]<")
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(l, _)| l)
        .expect("a label");
    assert_eq!(
        twice,
        format!("A#footnote[Felles\\.]<{label}> og B#footnote(<{label}>)\\.\n")
    );
    assert!(check("A[^n] og B[^N].\n\n[^n]: Felles.\n").is_empty());
}

#[test]
fn footnote_problems_are_located() {
    let md = "Tekst[^mangler] her.\n\n[^ubrukt]: Ingen viser hit.\n";
    let problems = check(md);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].offset, 5);
    assert!(problems[0].message.contains("[^mangler] has no text"));
    assert_eq!(problems[1].offset, md.find("[^ubrukt]").unwrap());
    assert!(problems[1].message.contains("never referred to"));
    assert!(check("Tekst \\[^x] her.").is_empty());
    let nested = check("A[^1].\n\n[^1]: B[^2].\n\n[^2]: C.\n");
    assert!(
        nested
            .iter()
            .any(|p| p.message.contains("footnote of its own")),
        "{nested:?}"
    );
}

#[test]
fn html_comments_are_dropped() {
    let md = "Før <!-- merknad --> etter.\n\n<!--\nfleire\nlinjer\n-->\n\nSlutt.\n";
    assert!(check(md).is_empty(), "{:?}", check(md));
    assert_eq!(to_typst(md), "Før  etter\\.\n\nSlutt\\.\n");
    let block = "<div>\nx\n</div>\n";
    assert_eq!(check(block).len(), 1);
}

#[test]
fn rewritten_images_become_figures() {
    assert_eq!(
        to_typst(
            "Se figuren.\n\n![Tidslinje for *programmet*](</ab/t.png> \"Tidslinje 2024\"){width=60%}\n"
        ),
        "Se figuren\\.\n\n#figure(image(\"/ab/t.png\", alt: \"Tidslinje for programmet\", width: 60%), caption: [Tidslinje 2024])\n"
    );
    assert_eq!(
        to_typst("![Side](</ab/s.png>){width=5%} etter"),
        "#figure(image(\"/ab/s.png\", alt: \"Side\", width: 5%)) etter\n"
    );
    // Not read by the load stage: its alt text, as before.
    assert_eq!(to_typst("![kart](kart.png)"), "\\[kart\\]\n");
}

#[test]
fn images_are_found_with_their_addresses() {
    let md = "Tekst ![Et *kart*](figurer/kart.png \"Kart\") og ![b](<c d.svg>)\n\n![r][ref]\n\n[ref]: x.png\n";
    let found = images(md);
    assert_eq!(found.len(), 3);
    assert_eq!(&md[found[0].dest_span.clone().unwrap()], "figurer/kart.png");
    assert_eq!(found[0].offset, 6);
    assert_eq!(&md[found[1].dest_span.clone().unwrap()], "<c d.svg>");
    assert_eq!(found[1].dest, "c d.svg");
    assert_eq!(found[2].dest_span, None);
}

#[test]
fn figure_problems_are_located() {
    let problems = check("![](a.png)\n\n![A](b.png){width=200%}\n\n![r][ref]\n\n[ref]: x.png\n");
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(problems.len(), 3, "{messages:?}");
    assert!(messages[0].contains("needs alt text"));
    assert!(messages[1].contains("unknown figure attribute `width=200%`"));
    assert!(messages[2].contains("in the image itself"));
    assert_eq!(problems[1].offset, 23);
    assert!(check("![A](b.png){width=50%}").is_empty());
    assert_eq!(check_field("![A](b.png)").len(), 1);
}

#[test]
fn task_lists_print_boxes() {
    assert_eq!(to_typst("- [ ] a\n- [x] b"), "#list([☐ a], [☑ b])\n");
}

#[test]
fn constructs_that_would_print_as_syntax_are_problems() {
    for (md, wanted, offset) in [
        ("Før\n\n> [!NOTE]\n> Merk dette.\n", "callouts", 6),
        ("Begrep\n: Forklaring\n", "definition lists", 0),
        ("## Tittel {#id}\n", "heading attributes", 0),
        ("Se [[Forside]].\n", "wiki links", 3),
        ("---\ntittel: x\n---\n\nTekst\n", "front matter", 0),
    ] {
        let problems = check(md);
        assert_eq!(problems.len(), 1, "{md:?}: {problems:?}");
        assert!(problems[0].message.contains(wanted), "{md:?}: {problems:?}");
        assert_eq!(problems[0].offset, offset, "{md:?}");
    }
    for fine in [
        "## Budsjett 2024\n",
        "Tekst --- mer\n",
        "> Sitat\n",
        "a: b\n",
    ] {
        assert!(check(fine).is_empty(), "{fine:?}: {:?}", check(fine));
    }
}

#[test]
fn keep_end_wraps_only_a_last_paragraph() {
    let kept = to_typst_keep_end("## A\n\nFørst.\n\nSist *her*.\n\n<!-- merknad -->\n");
    assert_eq!(
        kept,
        "#heading(depth: 1)[A]\n\nFørst\\.\n\n#block(sticky: true)[\nSist #emph[her]\\.\n]\n"
    );
    // A last list or table is left to break as it may.
    let list = "Tekst.\n\n- en\n- to\n";
    assert_eq!(to_typst_keep_end(list), to_typst(list));
    // Without the wish, nothing changes.
    assert!(!to_typst("Sist.").contains("sticky"));
    assert_eq!(to_typst_keep_end(""), "");
}

#[test]
fn a_table_attribute_line_sets_widths_and_alignment() {
    let text = "| A | B | C |\n|---|:-:|---|\n| 1 | x<br>y | 3 |\n\n{widths=1,20%,auto align=l,c,r}\n\nEtter.\n";
    assert!(check(text).is_empty(), "{:?}", check(text));
    let typst = to_typst(text);
    assert!(
        typst.starts_with("#table(columns: (1fr, 20%, auto,), align: (left, center, right,), "),
        "{typst}"
    );
    assert!(typst.contains("[x#linebreak()y]"), "{typst}");
    assert!(!typst.contains("widths"), "{typst}");
    assert!(typst.ends_with("Etter\\.\n"), "{typst}");
    // Without the line, the table is as before.
    let plain = to_typst("| A | B |\n|---|--:|\n| 1 | 2 |\n");
    assert!(
        plain.starts_with("#table(columns: 2, align: (left, right,), "),
        "{plain}"
    );
}

#[test]
fn a_bad_table_attribute_line_is_reported_and_br_outside_a_table_is_html() {
    let table = "| A | B |\n|---|---|\n| 1 | 2 |\n\n";
    for (attrs, message) in [
        (
            "{widths=1,2,3}",
            "the table has 2 columns, but `widths` gives 3",
        ),
        ("{widths=1,zero}", "`zero` is not a column width"),
        ("{align=l,x}", "`x` is not a column alignment"),
        ("{colour=red}", "unknown table attribute `colour`"),
        ("{widths}", "a table attribute is `key=value`"),
    ] {
        let problems = check(&format!("{table}{attrs}\n"));
        assert_eq!(problems.len(), 1, "{attrs}: {problems:?}");
        assert!(
            problems[0].message.contains(message),
            "{attrs}: {problems:?}"
        );
        assert_eq!(problems[0].offset, table.len(), "{attrs}");
    }
    assert_eq!(check("Linje<br>to\n").len(), 1);
}

/// A table Typst cannot lay out within reason is refused before it tries:
/// one of 1 500 columns took more than 4.5 GB.
#[test]
fn tables_too_large_to_lay_out_are_reported() {
    let table = |columns: usize, rows: usize| {
        let row = format!("|{}\n", " a |".repeat(columns));
        format!(
            "Tekst.\n\n{row}|{}\n{}",
            "---|".repeat(columns),
            row.repeat(rows)
        )
    };
    assert_eq!(check(&table(tables::MAX_COLUMNS, 2)), []);
    let wide = check(&table(tables::MAX_COLUMNS + 1, 2));
    assert_eq!(wide.len(), 1, "{wide:?}");
    assert_eq!(wide[0].offset, 8);
    assert!(
        wide[0]
            .message
            .starts_with("this table has 65 columns; a table has at most 64"),
        "{wide:?}"
    );
    // 20 columns: the header row and 499 rows are 10 000 cells.
    let rows = tables::MAX_CELLS / 20 - 1;
    assert_eq!(check(&table(20, rows)), []);
    let long = check(&table(20, rows + 1));
    assert_eq!(long.len(), 1, "{long:?}");
    assert!(
        long[0]
            .message
            .starts_with("this table has 10020 cells; a table has at most 10000"),
        "{long:?}"
    );
    // The limit is of the text: tables that pass one by one do not together,
    // and it is said once.
    let half = table(20, rows / 2);
    let many = check(&[half.as_str(); 4].join("\n"));
    assert_eq!(many.len(), 1, "{many:?}");
    assert!(
        many[0].message.starts_with(
            "with this table the tables of the text have 15000 cells; together they have at most 10000"
        ),
        "{many:?}"
    );
}

/// A data-block fence in a footnote is not one of the text's blocks: it
/// prints as code (the converter numbered it from 0 again, and printed the
/// text's first table in the note), and load refuses it.
#[test]
fn a_data_block_fence_in_a_footnote_is_not_a_block() {
    let md = "```status file=a.yaml\n```\n\nTekst[^n].\n\n[^n]: Se:\n\n    ```budget file=b.yaml\n    ```\n\n```risks file=c.yaml\n```\n";
    let typst = to_typst(md);
    assert_eq!(typst.matches("#blokker.at(0)").count(), 1, "{typst}");
    assert_eq!(typst.matches("#blokker.at(1)").count(), 1, "{typst}");
    assert!(!typst.contains("#blokker.at(2)"), "{typst}");
    assert!(
        typst.contains("#footnote[Se:\n\n#raw(block: true, \"\")]"),
        "{typst}"
    );
    let fences = fences::data_fences(md);
    let in_note: Vec<bool> = fences.iter().map(|f| f.in_note).collect();
    assert_eq!(in_note, [false, true, false]);
}

/// The same footnoted text converted twice for one document gets labels of
/// its own each time: Typst refuses a label that occurs twice.
#[test]
fn a_text_converted_again_has_footnote_labels_of_its_own() {
    let md = "Se notat[^a] og igjen[^a].\n\n[^a]: Kilden.\n";
    let first = convert(md, false, 0);
    let second = convert(md, false, 1);
    assert_eq!(first, to_typst(md), "the first is as before");
    let label = |typst: &str| {
        typst
            .split('<')
            .nth(1)
            .unwrap()
            .split('>')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_ne!(label(&first), label(&second));
    assert_eq!(second.matches(&format!("<{}>", label(&second))).count(), 2);
}

#[test]
fn a_figure_in_a_heading_is_reported() {
    let problems = check("Tekst.\n\n### ![Alt](figur.png)\n");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].offset, 12);
    assert!(
        problems[0]
            .message
            .starts_with("a figure cannot be in a heading")
    );
    // In a field, one message for the figure, not two.
    let problems = check_field("### ![Alt](figur.png)\n");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .message
            .starts_with("figures can only be in case papers")
    );
}
