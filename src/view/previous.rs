//! View stage, the previous minutes: the meeting whose minutes the standing
//! `referat` item approves, as templates see it (`previous_minutes`), so that
//! the pack carries those minutes after the item's paper.

use minijinja::Value;

use super::{Labels, meeting_view};
use crate::model::{BodyContent, Meeting, Standing};

/// The previous meeting of `meeting` (in `content`) as the template context's
/// `meeting`, when `meeting` has a standing `referat` item that is neither
/// postponed nor withheld and the previous meeting, in the same project, has
/// minutes (final or draft); `none` otherwise.
pub fn previous_minutes(labels: &Labels, content: &BodyContent, meeting: &Meeting) -> Value {
    match previous_with_minutes(content, meeting) {
        Some(previous) => Value::from_serialize(meeting_view(labels, &content.body, previous)),
        None => Value::from(()),
    }
}

/// The meeting whose minutes `meeting`'s `referat` item approves, when it has
/// minutes.
fn previous_with_minutes<'a>(content: &'a BodyContent, meeting: &Meeting) -> Option<&'a Meeting> {
    let approves = meeting.cases().any(|item| {
        item.standing == Some(Standing::Referat) && item.postponed.is_none() && !item.withheld
    });
    let previous = meeting.previous.as_ref().filter(|_| approves)?;
    let same_day =
        || (content.meetings.iter()).filter(|m| m.date == previous.date && m.slug != meeting.slug);
    let named = previous
        .number
        .as_deref()
        .and_then(|number| same_day().find(|m| m.number.to_string() == number));
    named
        .or_else(|| same_day().next())
        .filter(|m| m.minutes.is_some())
}
