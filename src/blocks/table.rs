//! Derive stage, data blocks: the printable table every block becomes, read by
//! the `blokker` template macro. Its text is plain: the template escapes it.

use serde::Serialize;

/// A block as printed: a header row of column titles, body rows, notes under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    /// The kind of block (`budget`, `status`, `scoring`, `risks`).
    pub kind: &'static str,
    /// A title above the table, when the data gives one.
    pub title: Option<String>,
    /// The columns, first the labels.
    pub columns: Vec<Column>,
    /// The body rows.
    pub rows: Vec<Row>,
    /// Lines printed under the table (unit, left-out groups).
    pub notes: Vec<String>,
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Its title in the header row.
    pub title: String,
    /// Whether it holds numbers: right-aligned, in tabular figures.
    pub numeric: bool,
    /// Whether it takes (a share of) the width the other columns leave.
    pub grow: bool,
}

/// A body row of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// Whether the row prints in bold (groups, totals).
    pub strong: bool,
    /// How many steps its first cell is indented.
    pub indent: usize,
    /// Whether it is a sum or total row (a rule above it).
    pub total: bool,
}

/// A cell of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Its text.
    pub text: String,
    /// A status colour to fill it with (`green`, `yellow`, `red`), besides its text.
    pub tone: Option<&'static str>,
}

impl Cell {
    /// A cell of plain text.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            tone: None,
        }
    }
}

impl Row {
    /// A plain row of `cells`.
    pub fn plain(cells: Vec<Cell>) -> Row {
        Row {
            cells,
            strong: false,
            indent: 0,
            total: false,
        }
    }
}
