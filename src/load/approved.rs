//! Load stage, approved minutes: final minutes written by `motebok approve`
//! keep a digest of every case as approved. Here such minutes are checked:
//! `as_proposed` is an error in them (the decision text is written out on
//! approval), and a case whose title, paper or proposed decision changed since
//! is a warning naming it.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::Value;

use super::schema::{MinutesFile, MinutesStatusName};
use super::source::{MINUTES_FILE, SourceFile, read_yaml};
use crate::diagnostic::Diagnostics;
use crate::model::{CaseNumber, Meeting};

/// The field of `minutes.yaml` that holds the digest.
pub const DIGEST_FIELD: &str = "approved_digest";

/// The digest of a meeting's cases as `approve` writes it: case number and
/// fingerprint (16 hex digits), in agenda order.
pub fn meeting_digest(meeting: &Meeting) -> Vec<(CaseNumber, String)> {
    meeting
        .cases()
        .map(|c| (c.case, format!("{:016x}", c.digest())))
        .collect()
}

/// Reads the text of a meeting's `minutes.yaml` (for `approve` to rewrite it).
pub fn read_minutes_text(content_dir: &Path, meeting_dir: &Path) -> Result<String, Diagnostics> {
    let mut diags = Diagnostics::default();
    match read_yaml(content_dir, &meeting_dir.join(MINUTES_FILE), &mut diags) {
        Some((file, _)) if !diags.has_errors() => Ok(file.text),
        _ => Err(diags),
    }
}

/// Checks minutes that carry an approval digest against the meeting as it is
/// now (`meeting`: none when its agenda has errors, so it cannot be compared).
pub(crate) fn check_approved(
    file: &SourceFile,
    raw: &MinutesFile,
    meeting: Option<&Meeting>,
    diags: &mut Diagnostics,
) {
    let Some(digest) = &raw.approved_digest else {
        return;
    };
    if raw.status == MinutesStatusName::Final {
        check_no_as_proposed(file, &raw.items, diags);
    }
    if let Some(meeting) = meeting {
        check_digest(file, digest, meeting, diags);
    }
}

/// `as_proposed` in approved minutes: the text adopted must be written out.
fn check_no_as_proposed(file: &SourceFile, items: &[Value], diags: &mut Diagnostics) {
    for (i, item) in items.iter().enumerate() {
        if item.get("decision").and_then(Value::as_str) == Some("as_proposed") {
            diags.push(
                file.error(
                    &format!("items[{i}].decision"),
                    "approved minutes record the decision as adopted, not `as_proposed`",
                )
                .hint("write out the decision text, as `motebok approve` does when it approves draft minutes"),
            );
        }
    }
}

/// Warns of every case added, removed or changed since the minutes were approved.
fn check_digest(
    file: &SourceFile,
    digest: &BTreeMap<String, String>,
    meeting: &Meeting,
    diags: &mut Diagnostics,
) {
    let now = meeting_digest(meeting);
    // (field, what changed): a changed or removed case points at its entry.
    let mut changed = Vec::new();
    for (case, hash) in &now {
        let field = format!("{DIGEST_FIELD}.{case}");
        match digest.get(&case.to_string()) {
            None => changed.push((
                DIGEST_FIELD.to_owned(),
                format!("case {case} was added to the agenda"),
            )),
            Some(old) if old != hash => changed.push((
                field,
                format!("case {case} changed (title, case paper or proposed decision)"),
            )),
            Some(_) => {}
        }
    }
    for case in digest.keys() {
        if !now.iter().any(|(c, _)| c.to_string() == *case) {
            changed.push((
                format!("{DIGEST_FIELD}.{case}"),
                format!("case {case} is no longer on the agenda"),
            ));
        }
    }
    for (field, change) in changed {
        diags.push(
            file.warning(
                &field,
                format!("{change} since the minutes were approved"),
            )
            .hint("the meeting is held and its minutes approved: its agenda, papers and proposed decisions are a record; change them only to correct an error"),
        );
    }
}
