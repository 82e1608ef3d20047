//! Derive stage, data blocks: tables computed from a case paper's data files
//! (budgets, status reports, scoring models, risk registers). Pure functions: the data comes in
//! parsed (see `load::blocks`, which reads the files), and goes out as typed,
//! checked values with a printable [`Table`] each.
//!
//! A block that cannot be trusted is refused with a [`BlockError`] naming the
//! field of the data file: a written total that its rows contradict, a score
//! outside 0–10, a row with the wrong number of cells.

pub mod budget;
pub mod json;
pub mod number;
pub mod risks;
pub mod scoring;
pub mod status;
pub mod table;

pub use budget::{Budget, BudgetSpec};
pub use risks::{Risks, RisksSpec};
pub use scoring::{Scoring, ScoringSpec};
pub use status::{Status, StatusSpec};
pub use table::{Cell, Column, Row, Table};

/// The kinds of data block, as named in the case paper's fence (```` ```budget ````).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A budget or financing table with sums.
    Budget,
    /// A status report: dimensions × green, yellow, red or not started.
    Status,
    /// A scoring model: criteria × alternatives, with totals and ranks.
    Scoring,
    /// A risk register: probability × consequence, level and change.
    Risks,
}

impl BlockKind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [BlockKind; 4] = [
        BlockKind::Budget,
        BlockKind::Status,
        BlockKind::Scoring,
        BlockKind::Risks,
    ];

    /// The kind named `name` in a fence's info string.
    pub fn parse(name: &str) -> Option<BlockKind> {
        BlockKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Its name in a fence's info string.
    pub fn name(self) -> &'static str {
        match self {
            BlockKind::Budget => "budget",
            BlockKind::Status => "status",
            BlockKind::Scoring => "scoring",
            BlockKind::Risks => "risks",
        }
    }
}

/// A computed data block.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A budget.
    Budget(Budget),
    /// A status report.
    Status(Status),
    /// A scoring model.
    Scoring(Scoring),
    /// A risk register.
    Risks(Risks),
}

impl Block {
    /// The block as a printable table.
    pub fn table(&self) -> Table {
        match self {
            Block::Budget(b) => b.table(),
            Block::Status(s) => s.table(),
            Block::Scoring(s) => s.table(),
            Block::Risks(r) => r.table(),
        }
    }
}

/// Why a block's data was refused: a message at a field of its data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockError {
    /// The field path in the data file (`rows[2].amounts[1]`).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it, if there is something to say.
    pub hint: Option<String>,
}

impl BlockError {
    /// An error at `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> BlockError {
        BlockError {
            field: field.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// The error with a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> BlockError {
        self.hint = Some(hint.into());
        self
    }
}
