//! Derive stage, data blocks: risk registers. Each risk has a probability and a
//! consequence (1–5); its score (their product) and level are computed, and the
//! change since an earlier assessment when one is given.

use serde::Deserialize;

use super::BlockError;
use super::number::Whole;
use super::table::{Cell, Column, Row, Table};

/// The highest probability or consequence.
pub const MAX_GRADE: u8 = 5;

/// The highest score that is still a low risk.
pub const LOW_UP_TO: u8 = 4;

/// The highest score that is still a medium risk; above it a risk is high.
pub const MEDIUM_UP_TO: u8 = 12;

/// The data file of a risk block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RisksSpec {
    /// A title printed above the table.
    #[serde(default)]
    pub title: Option<String>,
    /// The risks, in print order.
    pub risks: Vec<RiskSpec>,
    /// The register of an earlier meeting, a path relative to this file
    /// (`../../2024-01/saker/risiko.yaml`): each risk without `previous` takes
    /// its change from it, and its risks no longer listed are named.
    #[serde(default)]
    pub since: Option<String>,
}

/// One risk of a register.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskSpec {
    /// Its id in the register (`17`, `R3`).
    pub id: serde_yaml_ng::Value,
    /// What could happen.
    pub description: String,
    /// How likely, 1–5.
    pub probability: Whole,
    /// How bad, 1–5.
    pub consequence: Whole,
    /// What is done about it.
    #[serde(default)]
    pub mitigation: Option<String>,
    /// Who owns it.
    #[serde(default)]
    pub owner: Option<String>,
    /// The assessment at the last meeting, `[probability, consequence]`, or
    /// `new` for a risk new since then.
    #[serde(default)]
    pub previous: Option<serde_yaml_ng::Value>,
}

/// A risk's level, from its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Score up to [`LOW_UP_TO`].
    Low,
    /// Score up to [`MEDIUM_UP_TO`].
    Medium,
    /// Higher scores.
    High,
}

impl Level {
    /// The level of `score`.
    pub fn of(score: u8) -> Level {
        match score {
            s if s <= LOW_UP_TO => Level::Low,
            s if s <= MEDIUM_UP_TO => Level::Medium,
            _ => Level::High,
        }
    }

    fn text(self) -> &'static str {
        match self {
            Level::Low => "Lav",
            Level::Medium => "Middels",
            Level::High => "Høy",
        }
    }

    fn tone(self) -> &'static str {
        match self {
            Level::Low => "green",
            Level::Medium => "yellow",
            Level::High => "red",
        }
    }
}

/// The change of a risk since the last assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// New since then.
    New,
    /// Its score then.
    From(u8),
}

/// A computed risk.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    /// Its id.
    pub id: String,
    /// What could happen.
    pub description: String,
    /// How likely, 1–5.
    pub probability: u8,
    /// How bad, 1–5.
    pub consequence: u8,
    /// Probability × consequence.
    pub score: u8,
    /// Its level.
    pub level: Level,
    /// What is done about it.
    pub mitigation: Option<String>,
    /// Who owns it.
    pub owner: Option<String>,
    /// The change since the last assessment, if known.
    pub change: Option<Change>,
}

/// A computed risk register.
#[derive(Debug, Clone, PartialEq)]
pub struct Risks {
    /// Title above the table.
    pub title: Option<String>,
    /// The risks.
    pub risks: Vec<Risk>,
    /// The earlier register named by `since`, as written.
    pub since: Option<String>,
    /// Risks of the earlier register no longer listed: `id: description`.
    pub closed: Vec<String>,
}

/// Computes a risk register, refusing grades outside 1–5.
pub fn compute(spec: RisksSpec) -> Result<Risks, Vec<BlockError>> {
    let mut errors = Vec::new();
    if spec.risks.is_empty() {
        errors.push(BlockError::new(
            "risks",
            "a risk register needs at least one risk",
        ));
    }
    let mut risks = Vec::new();
    for (i, r) in spec.risks.into_iter().enumerate() {
        let field = format!("risks[{i}]");
        let p = grade(
            r.probability.0,
            &format!("{field}.probability"),
            &mut errors,
        );
        let c = grade(
            r.consequence.0,
            &format!("{field}.consequence"),
            &mut errors,
        );
        let change = previous(
            r.previous.as_ref(),
            &format!("{field}.previous"),
            &mut errors,
        );
        let id = match r.id {
            serde_yaml_ng::Value::String(s) => s,
            serde_yaml_ng::Value::Number(n) => n.to_string(),
            _ => {
                errors.push(BlockError::new(
                    format!("{field}.id"),
                    "an id is a number or a short text",
                ));
                continue;
            }
        };
        let (Some(p), Some(c)) = (p, c) else { continue };
        risks.push(Risk {
            id,
            description: r.description,
            probability: p,
            consequence: c,
            score: p * c,
            level: Level::of(p * c),
            mitigation: r.mitigation,
            owner: r.owner,
            change,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Risks {
        title: spec.title,
        risks,
        since: spec.since,
        closed: Vec::new(),
    })
}

impl Risks {
    /// Takes what changed since `earlier`: the change of every risk that has
    /// none written (its earlier score, or new), and the risks no longer listed.
    pub fn carry_from(&mut self, earlier: &Risks) {
        for risk in self.risks.iter_mut().filter(|r| r.change.is_none()) {
            risk.change = Some(
                earlier
                    .risks
                    .iter()
                    .find(|e| e.id == risk.id)
                    .map_or(Change::New, |e| Change::From(e.score)),
            );
        }
        self.closed = earlier
            .risks
            .iter()
            .filter(|e| !self.risks.iter().any(|r| r.id == e.id))
            .map(|e| format!("{}: {}", e.id, e.description))
            .collect();
    }
}

fn grade(value: u8, field: &str, errors: &mut Vec<BlockError>) -> Option<u8> {
    if (1..=MAX_GRADE).contains(&value) {
        return Some(value);
    }
    errors.push(BlockError::new(
        field,
        format!("{value} is outside the scale 1–{MAX_GRADE}"),
    ));
    None
}

/// The change from `previous`: `new`, or `[probability, consequence]`.
fn previous(
    value: Option<&serde_yaml_ng::Value>,
    field: &str,
    errors: &mut Vec<BlockError>,
) -> Option<Change> {
    use serde_yaml_ng::Value;
    match value? {
        Value::String(s) if s == "new" => Some(Change::New),
        Value::Sequence(pair) if pair.len() == 2 => {
            let p = pair[0].as_u64().and_then(|v| u8::try_from(v).ok());
            let c = pair[1].as_u64().and_then(|v| u8::try_from(v).ok());
            match (p, c) {
                (Some(p), Some(c)) => {
                    let p = grade(p, &format!("{field}[0]"), errors)?;
                    let c = grade(c, &format!("{field}[1]"), errors)?;
                    Some(Change::From(p * c))
                }
                _ => {
                    errors.push(BlockError::new(field, "the grades are whole numbers 1–5"));
                    None
                }
            }
        }
        _ => {
            errors.push(
                BlockError::new(field, "`previous` is `[probability, consequence]` or `new`")
                    .hint("give the assessment at the last meeting, such as `previous: [3, 4]`"),
            );
            None
        }
    }
}

impl Risk {
    /// The change as printed.
    fn change_text(&self) -> String {
        match self.change {
            None => "–".to_owned(),
            Some(Change::New) => "Ny".to_owned(),
            Some(Change::From(old)) if old < self.score => format!("Økt fra {old}"),
            Some(Change::From(old)) if old > self.score => format!("Redusert fra {old}"),
            Some(Change::From(_)) => "Uendret".to_owned(),
        }
    }
}

impl Risks {
    /// The register as a printable table; the mitigation, owner and change
    /// columns only when some risk has one.
    pub fn table(&self) -> Table {
        let any = |f: fn(&Risk) -> bool| self.risks.iter().any(f);
        let (mitigation, owner) = (any(|r| r.mitigation.is_some()), any(|r| r.owner.is_some()));
        let change = any(|r| r.change.is_some());
        let mut columns = vec![
            column("ID", false, false),
            column("Risiko", false, true),
            column("S", true, false),
            column("K", true, false),
            column("Risikotall", true, false),
            column("Nivå", false, false),
        ];
        let optional = [
            (change, "Endring", false),
            (mitigation, "Tiltak", true),
            (owner, "Eier", false),
        ];
        columns.extend(
            optional
                .iter()
                .filter(|o| o.0)
                .map(|o| column(o.1, false, o.2)),
        );
        let rows = self
            .risks
            .iter()
            .map(|r| {
                let mut cells = vec![
                    Cell::text(&r.id),
                    Cell::text(&r.description),
                    Cell::text(r.probability.to_string()),
                    Cell::text(r.consequence.to_string()),
                    Cell::text(r.score.to_string()),
                    Cell {
                        text: r.level.text().to_owned(),
                        tone: Some(r.level.tone()),
                    },
                ];
                if change {
                    cells.push(Cell::text(r.change_text()));
                }
                if mitigation {
                    cells.push(Cell::text(r.mitigation.as_deref().unwrap_or("")));
                }
                if owner {
                    cells.push(Cell::text(r.owner.as_deref().unwrap_or("")));
                }
                Row::plain(cells)
            })
            .collect();
        Table {
            kind: "risks",
            title: self.title.clone(),
            columns,
            rows,
            notes: self.notes(),
        }
    }
}

impl Risks {
    /// The notes under the table: the scale, and the risks no longer listed.
    fn notes(&self) -> Vec<String> {
        let mut notes = vec![format!(
            "S: sannsynlighet, K: konsekvens (1–{MAX_GRADE}). Risikotall = S × K: lav til og med {LOW_UP_TO}, middels til og med {MEDIUM_UP_TO}, høy over det."
        )];
        if !self.closed.is_empty() {
            notes.push(format!(
                "Ikke lenger i registeret: {}.",
                self.closed.join("; ")
            ));
        }
        notes
    }
}

fn column(title: &str, numeric: bool, grow: bool) -> Column {
    Column {
        title: title.to_owned(),
        numeric,
        grow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn risks(yaml: &str) -> Result<Risks, Vec<BlockError>> {
        compute(serde_yaml_ng::from_str(yaml).expect("test data parses"))
    }

    #[test]
    fn levels_follow_the_score() {
        let cases = [
            (1, Level::Low),
            (4, Level::Low),
            (5, Level::Medium),
            (12, Level::Medium),
            (15, Level::High),
            (25, Level::High),
        ];
        for (score, level) in cases {
            assert_eq!(Level::of(score), level, "{score}");
        }
    }

    #[test]
    fn score_level_and_change_are_computed() {
        let r = risks(
            "risks:\n- {id: 17, description: a, probability: 3, consequence: 4, previous: [2, 4]}\n\
             - {id: R2, description: b, probability: 1, consequence: 2, previous: new}\n\
             - {id: 3, description: c, probability: 5, consequence: 5, previous: [5, 5]}\n\
             - {id: 4, description: d, probability: 2, consequence: 2, previous: [3, 3]}\n",
        )
        .expect("risks compute");
        assert_eq!(r.risks[0].score, 12);
        assert_eq!(r.risks[0].level, Level::Medium);
        let t = r.table();
        let changes: Vec<&str> = t
            .rows
            .iter()
            .map(|row| row.cells[6].text.as_str())
            .collect();
        assert_eq!(changes, ["Økt fra 8", "Ny", "Uendret", "Redusert fra 9"]);
        assert_eq!(t.rows[2].cells[5].text, "Høy");
        assert_eq!(t.rows[2].cells[5].tone, Some("red"));
        assert_eq!(
            t.columns.len(),
            7,
            "no mitigation or owner columns without them"
        );
    }

    #[test]
    fn an_earlier_register_gives_the_changes_and_the_closed_risks() {
        let earlier = risks(
            "risks:\n- {id: 1, description: a, probability: 2, consequence: 2}\n\
             - {id: 2, description: b, probability: 3, consequence: 3}\n",
        )
        .unwrap();
        let mut now = risks(
            "risks:\n- {id: 1, description: a, probability: 3, consequence: 2}\n\
             - {id: 3, description: c, probability: 1, consequence: 1}\n\
             - {id: 4, description: d, probability: 1, consequence: 1, previous: [1, 2]}\n",
        )
        .unwrap();
        now.carry_from(&earlier);
        let changes: Vec<Option<Change>> = now.risks.iter().map(|r| r.change).collect();
        assert_eq!(
            changes,
            [
                Some(Change::From(4)),
                Some(Change::New),
                Some(Change::From(2))
            ]
        );
        assert_eq!(now.closed, ["2: b"]);
        assert_eq!(now.table().notes[1], "Ikke lenger i registeret: 2: b.");
    }

    #[test]
    fn grades_outside_the_scale_are_refused() {
        let e = risks("risks:\n- {id: 1, description: a, probability: 6, consequence: 0}\n")
            .expect_err("refused");
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["risks[0].probability", "risks[0].consequence"]);
        assert_eq!(e[0].message, "6 is outside the scale 1–5");
    }
}
