//! Derive stage, data blocks: the computed values of a block for machines, as
//! the archive's `index.json` carries them. Amounts and scores are plain JSON
//! numbers in the block's unit, rounded as printed; an empty cell is `null`.

use serde_json::{Value, json};

use super::Block;
use super::budget::{Amounts, Budget, BudgetLine};
use super::risks::{Change, Level as RiskLevel, Risks};
use super::scoring::{Method, Scoring};
use super::status::{Level, Status, Trend};

impl Block {
    /// The block's computed values as JSON.
    pub fn values(&self) -> Value {
        match self {
            Block::Budget(b) => budget(b),
            Block::Status(s) => status(s),
            Block::Scoring(s) => scoring(s),
            Block::Risks(r) => risks(r),
        }
    }
}

/// Steps of `decimals` as a number (`None` as `null`).
fn numbers(steps: &[Option<i64>], decimals: u8) -> Value {
    let scale = 10f64.powi(i32::from(decimals));
    steps
        .iter()
        .map(|s| s.map_or(Value::Null, |s| json!(s as f64 / scale)))
        .collect()
}

fn budget(b: &Budget) -> Value {
    let d = b.decimals;
    let row =
        |label: &str, amounts: &Amounts| json!({"label": label, "amounts": numbers(amounts, d)});
    let rows: Vec<Value> = b
        .lines
        .iter()
        .map(|line| match line {
            BudgetLine::Row { label, amounts } => row(label, amounts),
            BudgetLine::Group {
                label,
                rows,
                subtotal,
            } => json!({
                "group": label,
                "rows": rows.iter().map(|(l, a)| row(l, a)).collect::<Vec<_>>(),
                "subtotal": numbers(subtotal, d),
            }),
        })
        .collect();
    json!({
        "kind": "budget",
        "title": b.title,
        "unit": b.unit.text(),
        "decimals": d,
        "columns": b.columns,
        "rows": rows,
        "total": numbers(&b.total, d),
    })
}

fn status(s: &Status) -> Value {
    let dimensions: Vec<Value> = s
        .dimensions
        .iter()
        .map(|d| {
            json!({
                "name": d.name,
                "status": match d.level {
                    Level::Green => "green",
                    Level::Yellow => "yellow",
                    Level::Red => "red",
                    Level::NotStarted => "not started",
                },
                "trend": d.trend.map(|t| match t {
                    Trend::Better => "better",
                    Trend::Unchanged => "unchanged",
                    Trend::Worse => "worse",
                }),
                "comment": d.comment,
            })
        })
        .collect();
    json!({"kind": "status", "title": s.title, "dimensions": dimensions})
}

fn scoring(s: &Scoring) -> Value {
    let d = s.decimals;
    let criteria: Vec<Value> = s
        .nodes
        .iter()
        .map(|n| {
            json!({"name": n.name, "depth": n.depth, "group": n.group, "values": numbers(&n.values, d)})
        })
        .collect();
    json!({
        "kind": "scoring",
        "title": s.title,
        "alternatives": s.alternatives,
        "method": match s.method {
            Method::Mean => "mean",
            Method::Sum => "sum",
            Method::Weighted => "weighted",
        },
        "criteria": criteria,
        "total": numbers(&s.total, d),
        "ranks": s.ranks,
        "notes": s.notes,
    })
}

fn risks(r: &Risks) -> Value {
    let risks: Vec<Value> = r
        .risks
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "description": r.description,
                "probability": r.probability,
                "consequence": r.consequence,
                "score": r.score,
                "level": match r.level {
                    RiskLevel::Low => "low",
                    RiskLevel::Medium => "medium",
                    RiskLevel::High => "high",
                },
                "mitigation": r.mitigation,
                "owner": r.owner,
                "previous_score": match r.change {
                    Some(Change::From(score)) => json!(score),
                    Some(Change::New) => json!("new"),
                    None => Value::Null,
                },
            })
        })
        .collect();
    json!({"kind": "risks", "title": r.title, "risks": risks, "closed": r.closed})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_values_are_numbers_in_the_unit_with_null_for_empty() {
        let spec = serde_yaml_ng::from_str(
            "unit: MNOK\ndecimals: 1\ncolumns: [A, B]\nrows:\n- {label: x, amounts: [1.25, ~]}\n",
        )
        .unwrap();
        let b = Block::Budget(super::super::budget::compute(spec).unwrap());
        assert_eq!(
            b.values(),
            json!({
                "kind": "budget", "title": null, "unit": "MNOK", "decimals": 1,
                "columns": ["A", "B"],
                "rows": [{"label": "x", "amounts": [1.3, null]}],
                "total": [1.3, null],
            })
        );
    }
}
