//! Unit tests of budget computation: sums, groups, empty cells, rounding and
//! written totals.

use super::*;

fn spec(yaml: &str) -> BudgetSpec {
    serde_yaml_ng::from_str(yaml).expect("test data parses")
}

fn budget(yaml: &str) -> Budget {
    compute(spec(yaml)).expect("budget computes")
}

fn errors(yaml: &str) -> Vec<BlockError> {
    compute(spec(yaml)).expect_err("budget is refused")
}

#[test]
fn sums_rows_and_groups() {
    let b = budget(
        "unit: tusen kr\ncolumns: [Ramme, Forbruk]\nrows:\n\
         - {label: Lønn, amounts: [100, 80]}\n\
         - group: Drift\n  rows:\n  - {label: Husleie, amounts: [30, 30]}\n  - {label: Reise, amounts: [5, -2]}\n",
    );
    assert_eq!(b.total, vec![Some(135), Some(108)]);
    match &b.lines[1] {
        BudgetLine::Group { subtotal, .. } => assert_eq!(subtotal, &vec![Some(35), Some(28)]),
        other => panic!("expected a group, got {other:?}"),
    }
}

#[test]
fn empty_cells_stay_empty_and_are_left_out_of_sums() {
    let b = budget(
        "unit: kr\ncolumns: [A, B]\nrows:\n- {label: x, amounts: [~, 3]}\n- {label: y, amounts: [~, ~]}\n",
    );
    assert_eq!(b.total, vec![None, Some(3)]);
    let table = b.table();
    assert_eq!(table.rows[1].cells[1].text, "–");
    assert_eq!(
        table.rows[2].cells[1].text, "–",
        "a column with no amounts has no total"
    );
    assert_eq!(table.rows[2].cells[2].text, "3");
}

#[test]
fn a_written_zero_prints_zero() {
    let b = budget("unit: kr\ncolumns: [A]\nrows:\n- {label: x, amounts: [0]}\n");
    assert_eq!(b.table().rows[0].cells[1].text, "0");
}

#[test]
fn rows_are_rounded_before_summing_so_the_total_has_no_drift() {
    // 3 × 0.4 = 1.2 would print 1 while the rows print 0 + 0 + 0.
    let b = budget(
        "unit: MNOK\ncolumns: [A]\nrows:\n- {label: x, amounts: [0.4]}\n- {label: y, amounts: [0.4]}\n- {label: z, amounts: [0.4]}\n",
    );
    assert_eq!(b.total, vec![Some(0)]);
    let b = budget(
        "unit: MNOK\ndecimals: 1\ncolumns: [A]\nrows:\n- {label: x, amounts: [0.14]}\n- {label: y, amounts: [0.14]}\n- {label: z, amounts: [0.14]}\n",
    );
    assert_eq!(b.total, vec![Some(3)], "0,1 + 0,1 + 0,1 = 0,3, not 0,4");
    assert_eq!(b.table().rows[3].cells[1].text, "0,3");
}

#[test]
fn a_matching_written_total_is_accepted() {
    let b = budget(
        "unit: kr\ndecimals: 2\ncolumns: [A, B]\nrows:\n- {label: x, amounts: [1.10, 2]}\n- {label: y, amounts: [2.20, ~]}\ntotal: [3.3, ~]\n",
    );
    assert_eq!(b.total, vec![Some(330), Some(200)]);
}

#[test]
fn a_wrong_written_total_names_both_sums() {
    let e = errors(
        "unit: tusen kr\ncolumns: [Ramme, Forbruk]\nrows:\n- {label: x, amounts: [1000, 5]}\n- {label: y, amounts: [500, 5]}\ntotal: [1600, 10]\n",
    );
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].field, "total[0]");
    assert_eq!(
        e[0].message,
        "the written total of `Ramme` is 1\u{A0}600 but the rows sum to 1\u{A0}500"
    );
}

#[test]
fn a_wrong_group_total_is_refused() {
    let e = errors(
        "unit: kr\ncolumns: [A]\nrows:\n- group: G\n  rows: [{label: x, amounts: [1]}]\n  total: [2]\n",
    );
    assert_eq!(e[0].field, "rows[0].total[0]");
    assert_eq!(
        e[0].message,
        "the written total is 2 but the rows of `G` sum to 1"
    );
}

#[test]
fn rows_must_fit_the_columns() {
    let e = errors("unit: kr\ncolumns: [A, B]\nrows:\n- {label: x, amounts: [1]}\n");
    assert_eq!(e[0].field, "rows[0].amounts");
    assert_eq!(e[0].message, "1 amounts for 2 columns");
}

#[test]
fn negative_amounts_print_a_minus_sign() {
    let b = budget("unit: kr\ncolumns: [A]\nrows:\n- {label: x, amounts: [-1500]}\n");
    assert_eq!(b.table().rows[1].cells[1].text, "\u{2212}1\u{A0}500");
}

#[test]
fn the_table_has_group_rows_subtotals_and_the_unit() {
    let t = budget(
        "unit: tusen kr\ncolumns: [A]\nrows:\n- group: G\n  rows: [{label: x, amounts: [1]}]\n",
    )
    .table();
    let labels: Vec<&str> = t.rows.iter().map(|r| r.cells[0].text.as_str()).collect();
    assert_eq!(labels, ["G", "x", "Sum G", "Sum"]);
    assert!(t.rows[0].strong && t.rows[3].strong && t.rows[3].total);
    assert_eq!(t.rows[1].indent, 1);
    assert_eq!(t.notes, ["Beløp i tusen kr."]);
    assert!(!t.columns[0].numeric && t.columns[1].numeric);
}

#[test]
fn huge_amounts_and_empty_budgets_are_refused() {
    let e = errors("unit: kr\ncolumns: [A]\nrows:\n- {label: x, amounts: [1e13]}\n");
    assert_eq!(e[0].field, "rows[0].amounts[0]");
    assert_eq!(e[0].message, "the amount is too large");
    let e = errors("unit: kr\ncolumns: [A]\nrows: []\n");
    assert_eq!(e[0].field, "rows");
}
