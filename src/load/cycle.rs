//! Load stage, the cycle: what runs from one meeting of a body to the next in
//! date order: the previous meeting, case numbers through the year, and action
//! points until they are closed.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use super::source::SourceFile;
use crate::derive::Date;
use crate::diagnostic::Diagnostics;
use crate::model::{ActionPoint, ActionStatus, CaseFormat, CaseNumber, Series};

/// The highest case number a body can use in a year. Numbers above it are
/// refused at load, so counting on from the highest (`case: auto`, `motebok
/// new`) cannot overflow.
pub(crate) const MAX_CASE_NUMBER: u32 = 9999;

/// What runs from one meeting of a body to the next, in date order.
#[derive(Default)]
pub(crate) struct Cycle {
    /// The latest meeting resolved: date and number.
    pub(crate) previous: Option<(Date, String)>,
    /// Every case number used so far, with the meeting and file that used it.
    cases: HashMap<CaseNumber, (String, PathBuf)>,
    /// Per series and two-digit year: the highest case number so far and its meeting.
    year_max: HashMap<(Series, u32), (u32, String)>,
    /// Action points in the order raised, with their latest status.
    pub(crate) actions: Vec<ActionPoint>,
    /// The index in `actions` of each id (the first raised with it).
    pub(crate) action_ids: HashMap<String, usize>,
    /// Indexes in `actions` of the open ones: each meeting lists them, in
    /// time proportional to their number, not to every one ever raised.
    pub(crate) open_actions: BTreeSet<usize>,
    /// Ids of the action points the latest minutes closed.
    pub(crate) closed_last: Vec<String>,
}

/// Case numbers as an agenda is resolved: those used, and the next free one for `case: auto`.
pub(crate) struct CaseNumbers<'a> {
    /// The meeting's year, when its date is valid.
    pub(crate) meeting_year: Option<i32>,
    /// What earlier meetings used.
    pub(crate) cycle: &'a Cycle,
    /// Numbers used in this meeting so far, with their field.
    pub(crate) used: Vec<(CaseNumber, String)>,
    /// Whether a number of this meeting was refused (too large, or not in
    /// the body's form): `auto` cannot count on from it.
    pub(crate) refused: bool,
}

impl CaseNumbers<'_> {
    /// The next free number of `series` in the meeting's year, or why there is none.
    pub(crate) fn next_free(
        &self,
        format: &CaseFormat,
        series: Series,
    ) -> Result<CaseNumber, &'static str> {
        let year = self.meeting_year.ok_or("the meeting has no valid date")?;
        let yy = year.rem_euclid(100) as u32;
        let here = self
            .used
            .iter()
            .filter(|(c, _)| c.year == yy && c.series == series)
            .map(|(c, _)| c.number)
            .max();
        let before = self.cycle.year_max.get(&(series, yy)).map(|(n, _)| *n);
        match here.max(before) {
            Some(n) if n >= MAX_CASE_NUMBER => Err("the year's case numbers are used up"),
            Some(n) => Ok(format.number(series, n.saturating_add(1), yy)),
            // The first case of the year is 1 once an earlier year is in the
            // content, or, for a series after the first, once the body's
            // first series has a number this year.
            None if self.cycle.previous.is_some() || self.first_series_started(format, yy) => {
                Ok(format.number(series, 1, yy))
            }
            None => Err("no earlier case number of this year is known"),
        }
    }

    /// Whether the body's first series has a number in year `yy`, here or before.
    fn first_series_started(&self, format: &CaseFormat, yy: u32) -> bool {
        let first = format.default_series();
        self.used
            .iter()
            .any(|(c, _)| c.year == yy && c.series == first)
            || self.cycle.year_max.contains_key(&(first, yy))
    }
}

/// Checks this meeting's case numbers against earlier meetings of the body, then records them.
pub(crate) fn check_case_sequence(
    file: &SourceFile,
    meeting_number: &str,
    meeting_year: Option<i32>,
    used: &[(CaseNumber, String)],
    cycle: &mut Cycle,
    diags: &mut Diagnostics,
) {
    report_reused(file, used, cycle, diags);
    if let Some(yy) = meeting_year.map(|y| y.rem_euclid(100) as u32) {
        report_gaps(file, meeting_number, yy, used, cycle, diags);
        record(file, meeting_number, yy, used, cycle);
    }
}

/// Reports case numbers an earlier meeting of the body used already.
fn report_reused(
    file: &SourceFile,
    used: &[(CaseNumber, String)],
    cycle: &Cycle,
    diags: &mut Diagnostics,
) {
    for (case, field) in used {
        if let Some((other, other_file)) = cycle.cases.get(case) {
            diags.push(
                file.error(&format!("{field}.case"), format!("case number {case} is already used in meeting {other}"))
                    .hint(format!(
                        "case numbers run through the year: see {}; `case: auto` takes the next free number",
                        other_file.display()
                    )),
            );
        }
    }
}

/// Warns of case numbers of the meeting's year skipped or out of order,
/// against earlier meetings and within this one.
fn report_gaps(
    file: &SourceFile,
    meeting_number: &str,
    yy: u32,
    used: &[(CaseNumber, String)],
    cycle: &Cycle,
    diags: &mut Diagnostics,
) {
    let mut series: Vec<Series> = used.iter().map(|(c, _)| c.series).collect();
    series.sort_unstable();
    series.dedup();
    for series in series {
        let mut own: Vec<&(CaseNumber, String)> = used
            .iter()
            .filter(|(c, _)| c.year == yy && c.series == series && !cycle.cases.contains_key(c))
            .collect();
        own.sort_by_key(|(c, _)| c.number);
        let previous = cycle.year_max.get(&(series, yy));
        if let (Some((first, field)), Some((prev_max, prev_meeting))) = (own.first(), previous) {
            let reached = first.with_number(*prev_max);
            if first.number > prev_max.saturating_add(1) {
                diags.push(file.warning(
                    &format!("{field}.case"),
                    format!(
                        "{} missing: meeting {prev_meeting} ended at {reached} and meeting {meeting_number} starts at {first}",
                        missing_range(reached.with_number(prev_max.saturating_add(1)), first.number.saturating_sub(1)),
                    ),
                ));
            } else if first.number <= *prev_max {
                diags.push(file.warning(
                    &format!("{field}.case"),
                    format!(
                        "case {first} is out of order: the earlier meeting {prev_meeting} already reached {reached}"
                    ),
                ));
            }
        }
        for pair in own.windows(2) {
            let ((a, _), (b, field)) = (pair[0], pair[1]);
            if b.number > a.number.saturating_add(1) {
                diags.push(file.warning(
                    &format!("{field}.case"),
                    format!(
                        "{} missing in meeting {meeting_number} (between {a} and {b})",
                        missing_range(
                            a.with_number(a.number.saturating_add(1)),
                            b.number.saturating_sub(1)
                        )
                    ),
                ));
            }
        }
    }
}

/// Records this meeting's case numbers for the meetings after it.
fn record(
    file: &SourceFile,
    meeting_number: &str,
    yy: u32,
    used: &[(CaseNumber, String)],
    cycle: &mut Cycle,
) {
    for (case, _) in used {
        cycle
            .cases
            .entry(*case)
            .or_insert_with(|| (meeting_number.to_owned(), file.path.clone()));
        if case.year == yy {
            let entry = cycle
                .year_max
                .entry((case.series, yy))
                .or_insert((0, meeting_number.to_owned()));
            if case.number > entry.0 {
                *entry = (case.number, meeting_number.to_owned());
            }
        }
    }
}

/// The numbers from `from` to number `to` of its series and year.
fn missing_range(from: CaseNumber, to: u32) -> String {
    if from.number == to {
        format!("case number {from} is")
    } else {
        format!("case numbers {from}–{} are", from.with_number(to))
    }
}

/// The action points reported at a meeting on `date`: every one still open after
/// earlier minutes, then those the latest minutes closed. Open ones past their
/// due date are marked overdue.
pub(crate) fn action_status(cycle: &Cycle, date: Option<Date>) -> Vec<ActionPoint> {
    let mut open: Vec<ActionPoint> = Vec::new();
    for &index in &cycle.open_actions {
        let mut point = cycle.actions[index].clone();
        point.overdue = match (point.due, date) {
            (Some(due), Some(date)) => due < date,
            _ => false,
        };
        open.push(point);
    }
    let mut closed: Vec<usize> = cycle
        .closed_last
        .iter()
        .filter_map(|id| cycle.action_ids.get(id).copied())
        .filter(|&index| cycle.actions[index].status != ActionStatus::Open)
        .collect();
    closed.sort_unstable();
    closed.dedup();
    open.extend(closed.into_iter().map(|index| cycle.actions[index].clone()));
    open
}
