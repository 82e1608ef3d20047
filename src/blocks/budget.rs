//! Derive stage, data blocks: budgets. Rows of amounts in one or more columns,
//! optional groups with subtotals, and a computed total; a total written in the
//! data is checked against the rows.

use serde::Deserialize;

use super::BlockError;
use super::number::{MAX_DECIMALS, Whole, Written, format_cell, format_steps, to_steps};
use super::table::{Cell, Column, Row, Table};

/// The data file of a budget block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetSpec {
    /// A title printed above the table.
    #[serde(default)]
    pub title: Option<String>,
    /// The unit of every amount: `kr`, `tusen kr` or `MNOK`.
    pub unit: Unit,
    /// Decimals printed (0–3); amounts are rounded to them before summing.
    #[serde(default)]
    pub decimals: Whole,
    /// The title of the label column (default `Post`).
    #[serde(default)]
    pub label: Option<String>,
    /// The titles of the amount columns (`Tildelt ramme`, `Forbruk`, `Prognose`).
    pub columns: Vec<String>,
    /// The rows: each a [`BudgetRowSpec`].
    pub rows: Vec<BudgetRowSpec>,
    /// The total as written in the source, one per column (`~` for none): checked.
    #[serde(default)]
    pub total: Option<Vec<Written>>,
}

/// A row of a budget: `label` and `amounts`, or a `group` of `rows`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetRowSpec {
    /// The row's label.
    #[serde(default)]
    pub label: Option<String>,
    /// One amount per column; `~` for an empty cell.
    #[serde(default)]
    pub amounts: Option<Vec<Written>>,
    /// A group's label.
    #[serde(default)]
    pub group: Option<String>,
    /// A group's rows (label and amounts).
    #[serde(default)]
    pub rows: Option<Vec<BudgetRowSpec>>,
    /// A group's subtotal as written in the source: checked.
    #[serde(default)]
    pub total: Option<Vec<Written>>,
}

/// The unit of a budget's amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Unit {
    /// Kroner.
    #[serde(rename = "kr")]
    Kroner,
    /// Thousands of kroner.
    #[serde(rename = "tusen kr")]
    Thousands,
    /// Millions of kroner.
    #[serde(rename = "MNOK")]
    Millions,
}

impl Unit {
    /// The unit as printed.
    pub fn text(self) -> &'static str {
        match self {
            Unit::Kroner => "kr",
            Unit::Thousands => "tusen kr",
            Unit::Millions => "MNOK",
        }
    }
}

/// Amounts of one line, one per column, in printed steps; `None` is empty.
pub type Amounts = Vec<Option<i64>>;

/// A computed budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Title above the table.
    pub title: Option<String>,
    /// Unit of every amount.
    pub unit: Unit,
    /// Decimals printed.
    pub decimals: u8,
    /// Title of the label column.
    pub label: String,
    /// Titles of the amount columns.
    pub columns: Vec<String>,
    /// Its lines.
    pub lines: Vec<BudgetLine>,
    /// The computed total, per column (`None` where every row is empty).
    pub total: Amounts,
}

/// A line of a budget.
#[derive(Debug, Clone, PartialEq)]
pub enum BudgetLine {
    /// A row.
    Row {
        /// Its label.
        label: String,
        /// Its amounts.
        amounts: Amounts,
    },
    /// A group of rows with a subtotal.
    Group {
        /// Its label.
        label: String,
        /// Its rows: label and amounts.
        rows: Vec<(String, Amounts)>,
        /// The computed subtotal.
        subtotal: Amounts,
    },
}

/// How the error for a written total that its rows contradict begins.
const MISMATCH: &str = "the written total";

/// Computes a budget, refusing what cannot be trusted.
pub fn compute(spec: BudgetSpec) -> Result<Budget, Vec<BlockError>> {
    let mut errors = Vec::new();
    let d = spec.decimals.0;
    if d > MAX_DECIMALS {
        errors.push(BlockError::new(
            "decimals",
            format!("{d} decimals are more than the {MAX_DECIMALS} a table prints"),
        ));
        return Err(errors);
    }
    if spec.columns.is_empty() {
        errors.push(
            BlockError::new("columns", "a budget needs at least one amount column")
                .hint("name them, such as `columns: [Tildelt ramme, Forbruk, Prognose]`"),
        );
        return Err(errors);
    }
    if spec.rows.is_empty() {
        errors.push(BlockError::new("rows", "a budget needs at least one row"));
        return Err(errors);
    }
    let width = spec.columns.len();
    let mut lines = Vec::new();
    for (i, row) in spec.rows.into_iter().enumerate() {
        let field = format!("rows[{i}]");
        if let Some(line) = line(row, &field, width, d, &mut errors) {
            lines.push(line);
        }
    }
    let all: Vec<&Amounts> = lines
        .iter()
        .map(|l| match l {
            BudgetLine::Row { amounts, .. } => amounts,
            BudgetLine::Group { subtotal, .. } => subtotal,
        })
        .collect();
    let total = sum(&all, width);
    // A written total is checked when every row was read: a group's wrong
    // subtotal leaves the sums whole, a row left out does not.
    let rows_whole = errors.iter().all(|e| e.message.starts_with(MISMATCH));
    if let Some(written) = spec.total.as_ref().filter(|_| rows_whole) {
        check_total(
            written,
            &total,
            "total",
            "the rows",
            (&spec.columns, d),
            &mut errors,
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Budget {
        title: spec.title,
        unit: spec.unit,
        decimals: d,
        label: spec.label.unwrap_or_else(|| "Post".to_owned()),
        columns: spec.columns,
        lines,
        total,
    })
}

/// One line of the data: a row, or a group with its subtotal checked.
fn line(
    row: BudgetRowSpec,
    field: &str,
    width: usize,
    d: u8,
    errors: &mut Vec<BlockError>,
) -> Option<BudgetLine> {
    let Some(group) = row.group else {
        return plain_row(row, field, width, d, errors)
            .map(|(label, amounts)| BudgetLine::Row { label, amounts });
    };
    if row.label.is_some() || row.amounts.is_some() {
        errors.push(
            BlockError::new(
                field,
                "a row has either `group` and `rows`, or `label` and `amounts`",
            )
            .hint("a group's amounts are the sum of its rows; put them in rows of their own"),
        );
        return None;
    }
    let Some(spec_rows) = row.rows.filter(|r| !r.is_empty()) else {
        errors.push(BlockError::new(
            field,
            format!("the group `{group}` has no `rows`"),
        ));
        return None;
    };
    let mut rows = Vec::new();
    for (j, sub) in spec_rows.into_iter().enumerate() {
        let sub_field = format!("{field}.rows[{j}]");
        if sub.group.is_some() || sub.rows.is_some() {
            errors.push(BlockError::new(
                &sub_field,
                "groups cannot hold groups: a budget has one level of groups",
            ));
            continue;
        }
        rows.extend(plain_row(sub, &sub_field, width, d, errors));
    }
    let amounts: Vec<&Amounts> = rows.iter().map(|(_, a)| a).collect();
    let subtotal = sum(&amounts, width);
    if let Some(written) = &row.total {
        let what = format!("the rows of `{group}`");
        let blank = vec![String::new(); width];
        let names = (blank.as_slice(), d);
        check_total(
            written,
            &subtotal,
            &format!("{field}.total"),
            &what,
            names,
            errors,
        );
    }
    Some(BudgetLine::Group {
        label: group,
        rows,
        subtotal,
    })
}

/// A row's label and amounts, rounded to the printed decimals.
fn plain_row(
    row: BudgetRowSpec,
    field: &str,
    width: usize,
    d: u8,
    errors: &mut Vec<BlockError>,
) -> Option<(String, Amounts)> {
    if row.total.is_some() {
        errors.push(BlockError::new(
            format!("{field}.total"),
            "only a group has a `total`",
        ));
    }
    let Some(label) = row.label else {
        errors.push(
            BlockError::new(field, "missing required field `label`")
                .hint("every row has a `label` and `amounts`; a group has `group` and `rows`"),
        );
        return None;
    };
    let Some(written) = row.amounts else {
        errors.push(
            BlockError::new(field, "missing required field `amounts`").hint(format!(
                "give one amount per column ({width}); write `~` for an empty cell"
            )),
        );
        return None;
    };
    let amounts = amounts(&written, &format!("{field}.amounts"), width, d, errors)?;
    Some((label, amounts))
}

/// Written amounts in printed steps, when there is one per column.
fn amounts(
    written: &[Written],
    field: &str,
    width: usize,
    d: u8,
    errors: &mut Vec<BlockError>,
) -> Option<Amounts> {
    if written.len() != width {
        errors.push(
            BlockError::new(
                field,
                format!("{} amounts for {width} columns", written.len()),
            )
            .hint("give one amount per column; write `~` for an empty cell"),
        );
        return None;
    }
    let mut out = Vec::new();
    for (k, value) in written.iter().enumerate() {
        match value.0.map(|v| to_steps(v, d)) {
            None => out.push(None),
            Some(Some(steps)) => out.push(Some(steps)),
            Some(None) => {
                errors.push(
                    BlockError::new(format!("{field}[{k}]"), "the amount is too large")
                        .hint("amounts go up to a billion of the unit; choose a larger `unit`"),
                );
                return None;
            }
        }
    }
    Some(out)
}

/// The column sums of `lines`: empty where every line is empty.
fn sum(lines: &[&Amounts], width: usize) -> Amounts {
    (0..width)
        .map(|k| {
            lines
                .iter()
                .filter_map(|l| l[k])
                .fold(None, |acc: Option<i64>, v| {
                    Some(acc.unwrap_or(0).saturating_add(v))
                })
        })
        .collect()
}

/// Reports where a written total disagrees with the computed one.
fn check_total(
    written: &[Written],
    computed: &Amounts,
    field: &str,
    what: &str,
    (columns, d): (&[String], u8),
    errors: &mut Vec<BlockError>,
) {
    let mut ignored = Vec::new();
    let Some(written) = amounts(written, field, computed.len(), d, &mut ignored) else {
        errors.extend(ignored);
        return;
    };
    for (k, (w, c)) in written.iter().zip(computed).enumerate() {
        let Some(w) = w else { continue };
        if Some(*w) != *c {
            let column = columns
                .get(k)
                .filter(|c| !c.is_empty())
                .map(|c| format!(" of `{c}`"))
                .unwrap_or_default();
            let sum = c.map_or_else(
                || "nothing (every row is empty)".to_owned(),
                |c| format_steps(c, d),
            );
            errors.push(
                BlockError::new(
                    format!("{field}[{k}]"),
                    format!(
                        "{MISMATCH}{column} is {} but {what} sum to {sum}",
                        format_steps(*w, d)
                    ),
                )
                .hint("correct the rows or the total; motebok prints the sum it computes, and leaving `total` out prints it without a check"),
            );
        }
    }
}

impl Budget {
    /// The budget as a printable table.
    pub fn table(&self) -> Table {
        let d = self.decimals;
        let cells = |label: &str, amounts: &Amounts| {
            let mut cells = vec![Cell::text(label)];
            cells.extend(amounts.iter().map(|a| Cell::text(format_cell(*a, d))));
            cells
        };
        let mut rows = Vec::new();
        for line in &self.lines {
            match line {
                BudgetLine::Row { label, amounts } => rows.push(Row::plain(cells(label, amounts))),
                BudgetLine::Group {
                    label,
                    rows: group,
                    subtotal,
                } => {
                    let mut head = Row::plain(vec![Cell::text(label)]);
                    head.cells
                        .extend(self.columns.iter().map(|_| Cell::text("")));
                    head.strong = true;
                    rows.push(head);
                    for (label, amounts) in group {
                        let mut row = Row::plain(cells(label, amounts));
                        row.indent = 1;
                        rows.push(row);
                    }
                    let mut sub = Row::plain(cells(&format!("Sum {label}"), subtotal));
                    sub.indent = 1;
                    sub.total = true;
                    rows.push(sub);
                }
            }
        }
        let mut total = Row::plain(cells("Sum", &self.total));
        total.strong = true;
        total.total = true;
        rows.push(total);
        let mut columns = vec![Column {
            title: self.label.clone(),
            numeric: false,
            grow: true,
        }];
        columns.extend(self.columns.iter().map(|c| Column {
            title: c.clone(),
            numeric: true,
            grow: false,
        }));
        Table {
            kind: "budget",
            title: self.title.clone(),
            columns,
            rows,
            notes: vec![format!("Beløp i {}.", self.unit.text())],
        }
    }
}

#[cfg(test)]
#[path = "budget_tests.rs"]
mod tests;
