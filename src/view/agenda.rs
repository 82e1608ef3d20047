//! View stage, the agenda: each row of a meeting's agenda as templates see it
//! (`meeting.agenda[]`, and `item` in a case paper).

use serde::Serialize;

use super::*;

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub(super) enum RowView<'a> {
    Case(Box<CaseView<'a>>),
    Break {
        label: &'a str,
        start: String,
        end: String,
        duration: u32,
        duration_text: String,
    },
}

#[derive(Serialize)]
pub(super) struct CaseView<'a> {
    case: String,
    slug: String,
    title: String,
    paper_title: String,
    decision_heading: &'a str,
    kind: Option<&'a str>,
    standing: Option<&'static str>,
    description: Option<&'a str>,
    presenters: Vec<PersonView<'a>>,
    presenter_text: String,
    presenter_organisations: String,
    start: String,
    end: String,
    duration: u32,
    duration_text: String,
    paper: Option<&'a str>,
    blocks: Vec<crate::blocks::Table>,
    decisions: Vec<String>,
    earlier_decisions: Vec<DecisionView<'a>>,
    postponed: Option<&'a str>,
    has_document: bool,
    restriction: Option<RestrictionView<'a>>,
    withheld: bool,
    case_officer: Option<&'a str>,
    archive_ref: Option<&'a str>,
    attachments: Vec<AttachmentView<'a>>,
}

/// An earlier proposed decision of a case item, under its own heading.
#[derive(Serialize)]
pub(super) struct DecisionView<'a> {
    heading: &'a str,
    decisions: &'a [String],
}

/// An attachment (*vedlegg*) of a case item: its title, file and pages (each a
/// drawing the Typst world serves by virtual path).
#[derive(Serialize)]
pub(super) struct AttachmentView<'a> {
    title: &'a str,
    file: &'a str,
    pages: &'a [String],
}

/// A clock time as printed on the agenda: empty when the agenda is untimed.
fn agenda_clock(meeting: &Meeting, clock: Clock) -> String {
    if meeting.timed() {
        clock.to_string()
    } else {
        String::new()
    }
}

pub(super) fn row_view<'a>(
    labels: &'a Labels,
    phrases: &Phrases<'_>,
    meeting: &Meeting,
    row: &'a AgendaRow,
) -> RowView<'a> {
    match row {
        AgendaRow::Case(item) => RowView::Case(Box::new(case_view(labels, phrases, meeting, item))),
        AgendaRow::Break(b) => RowView::Break {
            label: &b.label,
            start: agenda_clock(meeting, b.start),
            end: agenda_clock(meeting, b.start.plus(b.duration)),
            duration: b.duration,
            duration_text: derive::duration_text(b.duration),
        },
    }
}

pub(super) fn case_view<'a>(
    labels: &'a Labels,
    phrases: &Phrases<'_>,
    meeting: &Meeting,
    item: &'a CaseItem,
) -> CaseView<'a> {
    let title = phrases.title(item);
    CaseView {
        case: item.case.to_string(),
        slug: item.slug(),
        paper_title: item.paper_title.clone().unwrap_or_else(|| title.clone()),
        title,
        decision_heading: item
            .decision_heading
            .as_deref()
            .unwrap_or(labels.decision_heading()),
        kind: item.kind.map(|k| labels.kind(k)),
        standing: item.standing.map(Standing::name),
        description: item.description.as_deref(),
        presenters: item.presenters.iter().map(person_view).collect(),
        presenter_text: derive::presenter_text(&item.presenters),
        presenter_organisations: derive::presenter_organisations(&item.presenters),
        start: agenda_clock(meeting, item.start),
        end: agenda_clock(meeting, item.end()),
        duration: item.duration,
        duration_text: derive::duration_text(item.duration),
        paper: item.paper.as_deref(),
        blocks: item
            .blocks
            .iter()
            .map(crate::blocks::Block::table)
            .collect(),
        decisions: phrases.proposed(item),
        earlier_decisions: item
            .earlier_decisions
            .iter()
            .map(|b| DecisionView {
                heading: &b.heading,
                decisions: &b.decisions,
            })
            .collect(),
        postponed: item.postponed.as_deref(),
        has_document: item.has_document(),
        restriction: item
            .restriction
            .as_ref()
            .map(|r| restriction_view(labels, r)),
        withheld: item.withheld,
        case_officer: item.case_officer.as_deref(),
        archive_ref: item.archive_ref.as_deref(),
        attachments: item
            .assets
            .attachments
            .iter()
            .map(|a| AttachmentView {
                title: &a.title,
                file: &a.file,
                pages: &a.pages,
            })
            .collect(),
    }
}
