//! Load stage, action points in the minutes: new ones numbered after their
//! meeting, updates of earlier ones found by id, all kept in the body's cycle.

use serde_yaml_ng::Value;

use super::body::resolve_person;
use super::cycle::Cycle;
use super::limits::MAX_OPEN_ACTIONS;
use super::schema::{ActionFile, ActionStatusName};
use super::source::{SourceFile, typed};
use crate::derive::Date;
use crate::diagnostic::{Diagnostics, did_you_mean};
use crate::model::{ActionPoint, ActionStatus, Body, CaseNumber, Meeting};

/// The status written in content.
fn status(name: ActionStatusName) -> ActionStatus {
    match name {
        ActionStatusName::Open => ActionStatus::Open,
        ActionStatusName::Closed => ActionStatus::Closed,
    }
}

/// What recording action points needs.
pub(crate) struct ActionContext<'a> {
    /// `minutes.yaml`.
    pub(crate) file: &'a SourceFile,
    meeting: &'a Meeting,
    body: &'a Body,
    cycle: &'a mut Cycle,
    /// Action points raised so far in these minutes, for numbering.
    raised: usize,
}

/// An action point entry with its owner and due date resolved.
struct Entry {
    raw: ActionFile,
    owner: Option<String>,
    due: Option<Date>,
}

impl<'a> ActionContext<'a> {
    /// Starts recording the action points of `meeting`'s minutes.
    pub(crate) fn new(
        file: &'a SourceFile,
        meeting: &'a Meeting,
        body: &'a Body,
        cycle: &'a mut Cycle,
    ) -> Self {
        ActionContext {
            file,
            meeting,
            body,
            cycle,
            raised: 0,
        }
    }

    /// Records one action point: a new one, or an update of one raised earlier.
    pub(crate) fn action(
        &mut self,
        field: &str,
        value: Value,
        case: Option<CaseNumber>,
        diags: &mut Diagnostics,
    ) -> Option<ActionPoint> {
        let file = self.file;
        let mut raw = typed::<ActionFile>(file, field, value, diags)?;
        let errors_before = diags.error_count();
        let owner = raw
            .owner
            .take()
            .and_then(|spec| {
                resolve_person(file, &format!("{field}.owner"), spec, self.body, diags)
            })
            .map(|p| p.name);
        let due = raw.due.as_deref().and_then(|d| {
            let parsed = Date::parse(d);
            if parsed.is_none() {
                diags.push(
                    file.error(
                        &format!("{field}.due"),
                        format!("`{d}` is not a valid date"),
                    )
                    .hint("write the date as YYYY-MM-DD"),
                );
            }
            parsed
        });
        let existing = raw
            .id
            .as_deref()
            .and_then(|id| self.cycle.action_ids.get(id).copied());
        // With an error (an unknown owner, a bad date) the point is still
        // recorded, so that later minutes updating it get no follow-on error.
        let failed = diags.error_count() > errors_before;
        let entry = Entry { raw, owner, due };
        let point = match existing {
            Some(index) => Some(self.update(index, entry)),
            None => self.raise(field, entry, case, diags),
        };
        point.filter(|_| !failed)
    }

    /// Updates the action point at `index` of the cycle.
    fn update(&mut self, index: usize, entry: Entry) -> ActionPoint {
        let point = &mut self.cycle.actions[index];
        if let Some(text) = entry.raw.text {
            point.text = text;
        }
        if entry.owner.is_some() {
            point.owner = entry.owner;
        }
        if let Some(due) = entry.due {
            point.due = Some(due);
        }
        if let Some(name) = entry.raw.status {
            point.status = status(name);
        }
        if entry.raw.note.is_some() {
            point.note = entry.raw.note;
        }
        point.overdue = false;
        if point.status == ActionStatus::Open {
            self.cycle.open_actions.insert(index);
        } else {
            self.cycle.open_actions.remove(&index);
        }
        point.clone()
    }

    /// Raises a new action point; it needs a text.
    fn raise(
        &mut self,
        field: &str,
        entry: Entry,
        case: Option<CaseNumber>,
        diags: &mut Diagnostics,
    ) -> Option<ActionPoint> {
        let Entry { raw, owner, due } = entry;
        let Some(text) = raw.text else {
            diags.push(self.missing_text(field, raw.id.as_deref()));
            return None;
        };
        let status = status(raw.status.unwrap_or(ActionStatusName::Open));
        if status == ActionStatus::Open && self.cycle.open_actions.len() >= MAX_OPEN_ACTIONS {
            diags.push(self.too_many_open(field));
            return None;
        }
        self.raised += 1;
        let id = raw
            .id
            .unwrap_or_else(|| format!("{}-{}", self.meeting.number, self.raised));
        let point = ActionPoint {
            id,
            text,
            owner,
            due,
            status,
            overdue: false,
            case,
            raised_in: self.meeting.number,
            note: raw.note,
        };
        let index = self.cycle.actions.len();
        self.cycle
            .action_ids
            .entry(point.id.clone())
            .or_insert(index);
        if status == ActionStatus::Open {
            self.cycle.open_actions.insert(index);
        }
        self.cycle.actions.push(point.clone());
        Some(point)
    }

    /// The error for a new action point when [`MAX_OPEN_ACTIONS`] are open.
    fn too_many_open(&self, field: &str) -> crate::diagnostic::Diagnostic {
        self.file
            .error(
                field,
                format!(
                    "{MAX_OPEN_ACTIONS} action points are open already: every summons lists them all, so no more can be raised"
                ),
            )
            .hint("close the action points that are done (`status: closed` with their `id`) in these or earlier minutes")
    }

    /// The error for an entry that neither updates an earlier action point nor
    /// has a text to raise a new one.
    fn missing_text(&self, field: &str, id: Option<&str>) -> crate::diagnostic::Diagnostic {
        let file = self.file;
        let Some(id) = id else {
            return file.error(field, "missing required field `text`");
        };
        let diag = file.error(
            &format!("{field}.id"),
            format!("no earlier action point has the id `{id}`, and this one has no `text`"),
        );
        match did_you_mean(id, self.cycle.actions.iter().map(|a| a.id.as_str())) {
            Some(best) => diag.hint(format!("did you mean `{best}`?")),
            None => diag.hint(
                "a new action point needs `text`; an update names the `id` of one raised earlier",
            ),
        }
    }
}
