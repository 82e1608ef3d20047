//! Derive stage, data blocks: status reports. Each dimension (progress, cost,
//! quality …) is green, yellow, red or not started, with a comment and an
//! optional trend. The status prints as a word as well as a colour, so that it
//! reads in greyscale and with a screen reader.

use serde::Deserialize;

use super::BlockError;
use super::table::{Cell, Column, Row, Table};

/// The data file of a status block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSpec {
    /// A title printed above the table.
    #[serde(default)]
    pub title: Option<String>,
    /// The dimensions, in print order.
    pub dimensions: Vec<DimensionSpec>,
}

/// One dimension of a status report.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionSpec {
    /// What is assessed (`Framdrift`, `Økonomi`).
    pub name: String,
    /// `green`, `yellow`, `red` or `not started`.
    pub status: Level,
    /// `better`, `unchanged` or `worse` since the last report.
    #[serde(default)]
    pub trend: Option<Trend>,
    /// The assessment in words.
    #[serde(default)]
    pub comment: Option<String>,
}

/// A status level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Level {
    /// On track.
    #[serde(rename = "green")]
    Green,
    /// At risk.
    #[serde(rename = "yellow")]
    Yellow,
    /// Off track.
    #[serde(rename = "red")]
    Red,
    /// Not started.
    #[serde(rename = "not started")]
    NotStarted,
}

impl Level {
    /// The level as printed, a word that carries the meaning without colour.
    pub fn text(self) -> &'static str {
        match self {
            Level::Green => "Grønn",
            Level::Yellow => "Gul",
            Level::Red => "Rød",
            Level::NotStarted => "Ikke startet",
        }
    }

    /// The colour the template fills its cell with, if any.
    pub fn tone(self) -> Option<&'static str> {
        match self {
            Level::Green => Some("green"),
            Level::Yellow => Some("yellow"),
            Level::Red => Some("red"),
            Level::NotStarted => None,
        }
    }
}

/// The change since the last report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Trend {
    /// Better.
    #[serde(rename = "better")]
    Better,
    /// Unchanged.
    #[serde(rename = "unchanged")]
    Unchanged,
    /// Worse.
    #[serde(rename = "worse")]
    Worse,
}

impl Trend {
    /// The trend as printed.
    pub fn text(self) -> &'static str {
        match self {
            Trend::Better => "Bedre",
            Trend::Unchanged => "Uendret",
            Trend::Worse => "Verre",
        }
    }
}

/// A checked status report.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// Title above the table.
    pub title: Option<String>,
    /// Its dimensions: name, level, trend, comment.
    pub dimensions: Vec<Dimension>,
}

/// One dimension of a checked status report.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    /// What is assessed.
    pub name: String,
    /// Its level.
    pub level: Level,
    /// Its trend, if given.
    pub trend: Option<Trend>,
    /// Its comment, if given.
    pub comment: Option<String>,
}

/// Checks a status report.
pub fn compute(spec: StatusSpec) -> Result<Status, Vec<BlockError>> {
    let mut errors = Vec::new();
    if spec.dimensions.is_empty() {
        errors.push(BlockError::new(
            "dimensions",
            "a status report needs at least one dimension",
        ));
    }
    for (i, d) in spec.dimensions.iter().enumerate() {
        if d.name.trim().is_empty() {
            errors.push(BlockError::new(
                format!("dimensions[{i}].name"),
                "the name is empty",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Status {
        title: spec.title,
        dimensions: spec
            .dimensions
            .into_iter()
            .map(|d| Dimension {
                name: d.name,
                level: d.status,
                trend: d.trend,
                comment: d.comment,
            })
            .collect(),
    })
}

impl Status {
    /// The report as a printable table; the trend column only when a trend is given.
    pub fn table(&self) -> Table {
        let trends = self.dimensions.iter().any(|d| d.trend.is_some());
        let mut columns = vec![column("Område", false), column("Status", false)];
        if trends {
            columns.push(column("Utvikling", false));
        }
        columns.push(column("Kommentar", true));
        let rows = self
            .dimensions
            .iter()
            .map(|d| {
                let mut cells = vec![
                    Cell::text(&d.name),
                    Cell {
                        text: d.level.text().to_owned(),
                        tone: d.level.tone(),
                    },
                ];
                if trends {
                    cells.push(Cell::text(d.trend.map_or("–", Trend::text)));
                }
                cells.push(Cell::text(d.comment.as_deref().unwrap_or("")));
                Row::plain(cells)
            })
            .collect();
        Table {
            kind: "status",
            title: self.title.clone(),
            columns,
            rows,
            notes: Vec::new(),
        }
    }
}

fn column(title: &str, grow: bool) -> Column {
    Column {
        title: title.to_owned(),
        numeric: false,
        grow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(yaml: &str) -> Result<Status, Vec<BlockError>> {
        compute(serde_yaml_ng::from_str(yaml).expect("test data parses"))
    }

    #[test]
    fn every_level_prints_a_word_and_only_the_started_ones_a_colour() {
        let s = status(
            "dimensions:\n- {name: A, status: green}\n- {name: B, status: yellow}\n\
             - {name: C, status: red}\n- {name: D, status: not started}\n",
        )
        .expect("status computes");
        let t = s.table();
        let words: Vec<(&str, Option<&str>)> = t
            .rows
            .iter()
            .map(|r| (r.cells[1].text.as_str(), r.cells[1].tone))
            .collect();
        assert_eq!(
            words,
            [
                ("Grønn", Some("green")),
                ("Gul", Some("yellow")),
                ("Rød", Some("red")),
                ("Ikke startet", None)
            ]
        );
        assert_eq!(t.columns.len(), 3, "no trend column without trends");
    }

    #[test]
    fn a_trend_adds_a_column_with_a_dash_where_none_is_given() {
        let t = status(
            "dimensions:\n- {name: A, status: green, trend: worse, comment: Sent}\n- {name: B, status: red}\n",
        )
        .expect("status computes")
        .table();
        let titles: Vec<&str> = t.columns.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Område", "Status", "Utvikling", "Kommentar"]);
        assert_eq!(t.rows[0].cells[2].text, "Verre");
        assert_eq!(t.rows[1].cells[2].text, "–");
        assert_eq!(t.rows[0].cells[3].text, "Sent");
    }

    #[test]
    fn an_empty_report_is_refused() {
        let e = status("dimensions: []\n").expect_err("refused");
        assert_eq!(e[0].field, "dimensions");
    }
}
