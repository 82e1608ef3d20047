//! Derive stage, data blocks: scoring models. A tree of criteria (groups and
//! questions); each question scores every alternative 0–10, each group is the
//! mean, sum or weighted mean of its children; the total ranks the alternatives,
//! ties sharing a rank.
//!
//! Values are kept in printed steps (tenths at one decimal) and each group is
//! computed from its children as printed, so a printed sum is the sum of the
//! printed rows. A group with no answers for an alternative prints `–` and is
//! left out of its parent with a note: never a division by zero.

use serde::Deserialize;

use super::BlockError;
use super::number::{MAX_DECIMALS, Whole, Written, format_cell, format_steps, to_steps};
use super::table::{Cell, Column, Row, Table};

/// The highest score of a question.
pub const MAX_SCORE: f64 = 10.0;

/// How deep criteria may nest: deeper trees cannot be read in print.
pub const MAX_DEPTH: usize = 6;

/// The data file of a scoring block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringSpec {
    /// A title printed above the table.
    #[serde(default)]
    pub title: Option<String>,
    /// The alternatives scored, one column each.
    pub alternatives: Vec<String>,
    /// How the total is computed from the top criteria (default `mean`).
    #[serde(default)]
    pub method: Method,
    /// Decimals printed (default 1).
    #[serde(default)]
    pub decimals: Option<Whole>,
    /// The top criteria.
    pub criteria: Vec<CriterionSpec>,
    /// The totals as written in the source, one per alternative: checked.
    #[serde(default)]
    pub total: Option<Vec<Written>>,
}

/// A criterion: a question with `scores`, or a group of `criteria`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionSpec {
    /// Its name.
    pub name: String,
    /// A question's scores, 0–10, one per alternative; `~` for no answer.
    #[serde(default)]
    pub scores: Option<Vec<Written>>,
    /// A group's criteria.
    #[serde(default)]
    pub criteria: Option<Vec<CriterionSpec>>,
    /// How a group is computed from its criteria (default `mean`).
    #[serde(default)]
    pub method: Option<Method>,
    /// Its weight in a parent computed by `weighted` mean.
    #[serde(default)]
    pub weight: Option<Written>,
}

/// How a group's value is computed from its children's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Method {
    /// The mean of the children that have a value.
    #[default]
    #[serde(rename = "mean")]
    Mean,
    /// The sum of the children that have a value.
    #[serde(rename = "sum")]
    Sum,
    /// The mean weighted by each child's `weight`.
    #[serde(rename = "weighted")]
    Weighted,
}

impl Method {
    /// What a note calls the computation.
    fn noun(self) -> &'static str {
        match self {
            Method::Mean => "snittet",
            Method::Sum => "summen",
            Method::Weighted => "det vektede snittet",
        }
    }
}

/// A computed scoring model.
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    /// Title above the table.
    pub title: Option<String>,
    /// The alternatives.
    pub alternatives: Vec<String>,
    /// Decimals printed.
    pub decimals: u8,
    /// How the total is computed.
    pub method: Method,
    /// The criteria in print order (depth first).
    pub nodes: Vec<Node>,
    /// The total per alternative, in printed steps.
    pub total: Vec<Option<i64>>,
    /// The rank per alternative (1 is best; ties share a rank).
    pub ranks: Vec<Option<usize>>,
    /// Notes on groups left out.
    pub notes: Vec<String>,
}

/// A criterion as computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Its name.
    pub name: String,
    /// How deep it is (0 for a top criterion).
    pub depth: usize,
    /// Whether it is a group.
    pub group: bool,
    /// Its value per alternative, in printed steps; `None` for no answer.
    pub values: Vec<Option<i64>>,
}

/// What the walk of the tree carries.
struct Walk {
    alternatives: Vec<String>,
    decimals: u8,
    nodes: Vec<Node>,
    notes: Vec<String>,
    errors: Vec<BlockError>,
}

/// Computes a scoring model, refusing what cannot be trusted.
pub fn compute(spec: ScoringSpec) -> Result<Scoring, Vec<BlockError>> {
    let decimals = spec.decimals.map_or(1, |d| d.0);
    if decimals > MAX_DECIMALS {
        let message =
            format!("{decimals} decimals are more than the {MAX_DECIMALS} a table prints");
        return Err(vec![BlockError::new("decimals", message)]);
    }
    if spec.alternatives.is_empty() {
        return Err(vec![BlockError::new(
            "alternatives",
            "a scoring model needs at least one alternative",
        )]);
    }
    let mut walk = Walk {
        alternatives: spec.alternatives,
        decimals,
        nodes: Vec::new(),
        notes: Vec::new(),
        errors: Vec::new(),
    };
    let total = walk.group(&spec.criteria, spec.method, "criteria", 0, "totalen");
    if let Some(written) = spec.total.as_ref().filter(|_| walk.errors.is_empty()) {
        walk.check_total(written, &total);
    }
    if !walk.errors.is_empty() {
        return Err(walk.errors);
    }
    Ok(Scoring {
        title: spec.title,
        ranks: rank(&total),
        alternatives: walk.alternatives,
        decimals,
        method: spec.method,
        nodes: walk.nodes,
        total,
        notes: walk.notes,
    })
}

impl Walk {
    /// The values of a group with `children` at `field`, pushing their nodes.
    fn group(
        &mut self,
        children: &[CriterionSpec],
        method: Method,
        field: &str,
        depth: usize,
        name: &str,
    ) -> Vec<Option<i64>> {
        if children.is_empty() {
            self.errors
                .push(BlockError::new(field, format!("`{name}` has no criteria")));
        }
        if depth >= MAX_DEPTH {
            let message = format!("criteria nest more than {MAX_DEPTH} levels deep");
            self.errors.push(BlockError::new(field, message));
            return vec![None; self.alternatives.len()];
        }
        let mut values = Vec::new();
        for (i, child) in children.iter().enumerate() {
            let field = format!("{field}[{i}]");
            if child.weight.is_some() && method != Method::Weighted {
                self.errors.push(
                    BlockError::new(
                        format!("{field}.weight"),
                        "a weight counts only in a group computed by `weighted` mean",
                    )
                    .hint("give the group `method: weighted`, or leave the weight out"),
                );
            }
            let weight = child.weight.and_then(|w| w.0).unwrap_or(1.0);
            if !(weight.is_finite() && weight >= 0.0) {
                self.errors.push(BlockError::new(
                    format!("{field}.weight"),
                    "a weight is a number of 0 or more",
                ));
            }
            values.push((self.criterion(child, &field, depth), weight));
        }
        self.note_empty(children, &values, method, name);
        (0..self.alternatives.len())
            .map(|a| {
                let present: Vec<(i64, f64)> = values
                    .iter()
                    .filter_map(|(v, w)| v[a].map(|v| (v, *w)))
                    .collect();
                aggregate(&present, method, self.decimals)
            })
            .collect()
    }

    /// A criterion's values, pushing its node (and its children's).
    fn criterion(&mut self, spec: &CriterionSpec, field: &str, depth: usize) -> Vec<Option<i64>> {
        let index = self.nodes.len();
        self.nodes.push(Node {
            name: spec.name.clone(),
            depth,
            group: spec.criteria.is_some(),
            values: Vec::new(),
        });
        let values = match (&spec.scores, &spec.criteria) {
            (Some(scores), None) => {
                if spec.method.is_some() {
                    self.errors.push(BlockError::new(
                        format!("{field}.method"),
                        "only a group of criteria has a `method`",
                    ));
                }
                self.scores(scores, &format!("{field}.scores"))
            }
            (None, Some(children)) => {
                let method = spec.method.unwrap_or_default();
                self.group(
                    children,
                    method,
                    &format!("{field}.criteria"),
                    depth + 1,
                    &spec.name,
                )
            }
            _ => {
                self.errors.push(
                    BlockError::new(field, "a criterion has either `scores` or `criteria`").hint(
                        "a question has `scores`, one per alternative; a group has `criteria`",
                    ),
                );
                vec![None; self.alternatives.len()]
            }
        };
        self.nodes[index].values = values.clone();
        values
    }

    /// A question's scores in printed steps.
    fn scores(&mut self, scores: &[Written], field: &str) -> Vec<Option<i64>> {
        let n = self.alternatives.len();
        if scores.len() != n {
            self.errors.push(
                BlockError::new(
                    field,
                    format!("{} scores for {n} alternatives", scores.len()),
                )
                .hint("give one score per alternative; write `~` for no answer"),
            );
            return vec![None; n];
        }
        let mut out = Vec::new();
        for (k, score) in scores.iter().enumerate() {
            match score.0 {
                Some(s) if !(0.0..=MAX_SCORE).contains(&s) => {
                    let message = format!("the score {s} is outside 0–10");
                    self.errors
                        .push(BlockError::new(format!("{field}[{k}]"), message));
                    out.push(None);
                }
                Some(s) => out.push(to_steps(s, self.decimals)),
                None => out.push(None),
            }
        }
        out
    }

    /// Notes each child group that has no answer for some alternative whose
    /// parent has a value all the same.
    fn note_empty(
        &mut self,
        children: &[CriterionSpec],
        values: &[(Vec<Option<i64>>, f64)],
        method: Method,
        parent: &str,
    ) {
        for (child, (v, _)) in children.iter().zip(values) {
            let empty: Vec<&str> = v
                .iter()
                .zip(&self.alternatives)
                .filter(|(v, _)| v.is_none())
                .map(|(_, a)| a.as_str())
                .collect();
            if child.criteria.is_some() && !empty.is_empty() {
                self.notes.push(format!(
                    "«{}» har ingen svar for {} og er holdt utenfor {} i «{parent}».",
                    child.name,
                    empty.join(", "),
                    method.noun()
                ));
            }
        }
    }

    /// Reports where a written total disagrees with the computed one.
    fn check_total(&mut self, written: &[Written], computed: &[Option<i64>]) {
        let d = self.decimals;
        if written.len() != computed.len() {
            let message = format!(
                "{} totals for {} alternatives",
                written.len(),
                computed.len()
            );
            self.errors.push(BlockError::new("total", message));
            return;
        }
        for (k, (w, c)) in written.iter().zip(computed).enumerate() {
            let Some(w) = w.0.and_then(|w| to_steps(w, d)) else {
                continue;
            };
            if Some(w) != *c {
                self.errors.push(
                    BlockError::new(
                        format!("total[{k}]"),
                        format!(
                            "the written total of `{}` is {} but the criteria give {}",
                            self.alternatives[k],
                            format_steps(w, d),
                            c.map_or_else(
                                || "no total (no answers)".to_owned(),
                                |c| format_steps(c, d)
                            )
                        ),
                    )
                    .hint("correct the scores or the total; motebok prints the total it computes"),
                );
            }
        }
    }
}

/// A group's value from its children's present values and weights; `None`
/// when nothing is there to divide by.
fn aggregate(present: &[(i64, f64)], method: Method, decimals: u8) -> Option<i64> {
    let sum: i64 = present.iter().map(|(v, _)| v).sum();
    let n = i64::try_from(present.len()).ok()?;
    match method {
        _ if n == 0 => None,
        Method::Sum => Some(sum),
        // Round half up; values are never negative.
        Method::Mean => Some((2 * sum + n) / (2 * n)),
        Method::Weighted => {
            let weights: f64 = present.iter().map(|(_, w)| w).sum();
            if weights <= 0.0 {
                return None;
            }
            let weighted: f64 = present.iter().map(|(v, w)| *v as f64 * w).sum();
            to_steps(
                weighted / weights / 10f64.powi(i32::from(decimals)),
                decimals,
            )
        }
    }
}

/// Ranks by total, highest first; ties share the better rank (1, 1, 3).
pub fn rank(total: &[Option<i64>]) -> Vec<Option<usize>> {
    total
        .iter()
        .map(|t| t.map(|t| 1 + total.iter().filter(|o| o.is_some_and(|o| o > t)).count()))
        .collect()
}

impl Scoring {
    /// The model as a printable table: criteria, the total and the ranks.
    pub fn table(&self) -> Table {
        let d = self.decimals;
        let cells = |label: String, values: &[Option<i64>]| {
            let mut cells = vec![Cell::text(label)];
            cells.extend(values.iter().map(|v| Cell::text(format_cell(*v, d))));
            cells
        };
        let mut rows: Vec<Row> = self
            .nodes
            .iter()
            .map(|n| Row {
                cells: cells(n.name.clone(), &n.values),
                strong: n.group,
                indent: n.depth,
                total: false,
            })
            .collect();
        let label = match self.method {
            Method::Mean => "Totalt (snitt)",
            Method::Sum => "Totalt (sum)",
            Method::Weighted => "Totalt (vektet snitt)",
        };
        let mut total = Row::plain(cells(label.to_owned(), &self.total));
        total.strong = true;
        total.total = true;
        rows.push(total);
        let mut ranks = vec![Cell::text("Rangering")];
        ranks.extend(
            self.ranks
                .iter()
                .map(|r| Cell::text(r.map_or("–".to_owned(), |r| r.to_string()))),
        );
        rows.push(Row::plain(ranks));
        let mut columns = vec![Column {
            title: "Kriterium".to_owned(),
            numeric: false,
            grow: true,
        }];
        columns.extend(self.alternatives.iter().map(|a| Column {
            title: a.clone(),
            numeric: true,
            grow: false,
        }));
        Table {
            kind: "scoring",
            title: self.title.clone(),
            columns,
            rows,
            notes: self.notes.clone(),
        }
    }
}

#[cfg(test)]
#[path = "scoring_tests.rs"]
mod tests;
