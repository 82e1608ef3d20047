//! Load stage, approved minutes: final minutes written by `motebok approve`
//! keep a digest of every case as approved. Here such minutes are checked:
//! `as_proposed` is an error in them (the decision text is written out on
//! approval), and a case whose titles, description, paper, attachments or
//! decisions changed since is a warning naming it.
//!
//! The digest of a case is 32 hex digits: the first 128 bits of the SHA-256
//! of everything the case is approved on, each part written with its length
//! so that no two cases share a record. Minutes approved before (16 hex
//! digits, FNV-1a over the titles, paper text and proposed decision) are
//! checked as they were written.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml_ng::Value;

use super::schema::{MinutesFile, MinutesStatusName};
use super::source::{MINUTES_FILE, SourceFile, read_yaml};
use crate::blocks::Block;
use crate::diagnostic::Diagnostics;
use crate::model::{CaseItem, CaseNumber, Formula, Meeting, Proposed};
use crate::text::stable_hash;

/// The field of `minutes.yaml` that holds the digest.
pub const DIGEST_FIELD: &str = "approved_digest";

/// The digest of a meeting's cases as `approve` writes it: case number and
/// fingerprint (32 hex digits), in agenda order.
pub fn meeting_digest(meeting: &Meeting) -> Vec<(CaseNumber, String)> {
    meeting
        .cases()
        .map(|c| (c.case, format!("{:032x}", fingerprint(c))))
        .collect()
}

/// Whether `recorded`, the digest of `case` as the minutes keep it, is the
/// case as it is now: a digest of 16 hex digits (written before the digest
/// was SHA-256) is compared as it was made.
fn unchanged(recorded: &str, case: &CaseItem) -> bool {
    if recorded.len() == 16 {
        recorded == format!("{:016x}", legacy_fingerprint(case))
    } else {
        recorded == format!("{:032x}", fingerprint(case))
    }
}

/// A fingerprint of what the minutes approve a case on: its titles,
/// description, case paper (text, the values of its data blocks, figures and attached
/// documents, these by the SHA-256 of their bytes that names their files)
/// and its decisions (the proposed one and any before it). Content is
/// untrusted: a crafted edit must not keep the fingerprint, so every part is
/// written with its length (no text can pass for two) and hashed with
/// SHA-256 ([`stable_hash`]).
fn fingerprint(case: &CaseItem) -> u128 {
    let mut record = Record::default();
    record.text("title", case.title.as_deref());
    record.text("paper_title", case.paper_title.as_deref());
    record.text("description", case.description.as_deref());
    record.text("paper", case.paper.as_deref());
    record.count("blocks", case.blocks.len());
    for block in &case.blocks {
        // Its values as the archive publishes them (`blocks` in its JSON):
        // what the data says, not how this version prints it.
        record.text("block", Some(&block.values().to_string()));
        // What the table prints that its values leave out.
        match block {
            Block::Budget(budget) => record.text("label", Some(&budget.label)),
            Block::Risks(risks) => record.text("since", risks.since.as_deref()),
            Block::Status(_) | Block::Scoring(_) => {}
        }
    }
    // A figure's and an attachment page's path holds the hash of its bytes.
    record.count("files", case.assets.files.len());
    for file in &case.assets.files {
        record.text("file", Some(&file.path));
    }
    record.count("attachments", case.assets.attachments.len());
    for attachment in &case.assets.attachments {
        record.text("title", Some(&attachment.title));
        record.text("file", Some(&attachment.file));
        record.count("pages", attachment.pages.len());
        for page in &attachment.pages {
            record.text("page", Some(page));
        }
    }
    record.count("earlier_decisions", case.earlier_decisions.len());
    for block in &case.earlier_decisions {
        record.text("heading", Some(&block.heading));
        record.count("decisions", block.decisions.len());
        for decision in &block.decisions {
            record.text("decision", Some(decision));
        }
    }
    record.text("decision_heading", case.decision_heading.as_deref());
    match &case.proposed {
        None => record.text("proposed", None),
        Some(Proposed::Formula(formula)) => record.text(
            "formula",
            Some(match formula {
                Formula::ApproveSummons => "approve_summons",
                Formula::ApproveMinutes => "approve_minutes",
                Formula::TakeNote => "take_note",
            }),
        ),
        Some(Proposed::Written(list)) => {
            record.count("written", list.len());
            for decision in list {
                record.text("decision", Some(decision));
            }
        }
    }
    stable_hash(&record.0)
}

/// The bytes a [`fingerprint`] hashes: each part a name, then its length
/// and bytes (or a mark for none), so that the record reads back one way
/// only.
#[derive(Default)]
struct Record(Vec<u8>);

impl Record {
    fn text(&mut self, name: &str, text: Option<&str>) {
        self.name(name);
        match text {
            None => self.0.push(0),
            Some(text) => {
                self.0.push(1);
                self.0.extend((text.len() as u64).to_le_bytes());
                self.0.extend(text.as_bytes());
            }
        }
    }

    fn count(&mut self, name: &str, count: usize) {
        self.name(name);
        self.0.extend((count as u64).to_le_bytes());
    }

    fn name(&mut self, name: &str) {
        self.0.extend((name.len() as u64).to_le_bytes());
        self.0.extend(name.as_bytes());
    }
}

/// The fingerprint `approve` wrote before it used SHA-256 (FNV-1a over the
/// titles, paper and proposed decision), to check minutes approved then.
fn legacy_fingerprint(case: &CaseItem) -> u64 {
    let proposed = match &case.proposed {
        None => String::new(),
        Some(Proposed::Written(list)) => list.join("\u{1f}"),
        Some(Proposed::Formula(formula)) => format!("{formula:?}"),
    };
    let parts = [
        case.title.as_deref().unwrap_or_default(),
        case.paper_title.as_deref().unwrap_or_default(),
        case.paper.as_deref().unwrap_or_default(),
        &proposed,
    ];
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0x1e]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
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
    // (field, what changed): a changed or removed case points at its entry.
    let mut changed = Vec::new();
    for item in meeting.cases() {
        let case = item.case;
        let field = format!("{DIGEST_FIELD}.{case}");
        match digest.get(&case.to_string()) {
            None => changed.push((
                DIGEST_FIELD.to_owned(),
                format!("case {case} was added to the agenda"),
            )),
            Some(old) if !unchanged(old, item) => changed.push((
                field,
                format!("case {case} changed (its titles, description, case paper, attachments or decisions)"),
            )),
            Some(_) => {}
        }
    }
    for case in digest.keys() {
        if !meeting.cases().any(|c| c.case.to_string() == *case) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attachment, DecisionBlock};

    fn case() -> CaseItem {
        CaseItem {
            title: Some("Revidert leveranseplan".into()),
            description: Some("Planen legges frem.".into()),
            paper: Some("Planen er revidert.".into()),
            proposed: Some(Proposed::Written(vec!["Styret godkjenner planen.".into()])),
            ..CaseItem::bare("38/21")
        }
    }

    /// FNV-1a over parts joined by a separator let one text pass for two:
    /// a crafted case paper could take the fingerprint of another.
    #[test]
    fn no_text_passes_for_two_parts() {
        let mut one = case();
        one.title = Some("Plan\u{1e}A".into());
        one.paper_title = Some(String::new());
        let mut two = case();
        two.title = Some("Plan".into());
        two.paper_title = Some("A\u{1e}".into());
        assert_eq!(legacy_fingerprint(&one), legacy_fingerprint(&two));
        assert_ne!(fingerprint(&one), fingerprint(&two));

        let mut split = case();
        split.proposed = Some(Proposed::Written(vec![
            "Styret godkjenner".into(),
            "planen.".into(),
        ]));
        let mut joined = case();
        joined.proposed = Some(Proposed::Written(vec![
            "Styret godkjenner\u{1f}planen.".into(),
        ]));
        assert_eq!(legacy_fingerprint(&split), legacy_fingerprint(&joined));
        assert_ne!(fingerprint(&split), fingerprint(&joined));
    }

    /// Each part of what a case is approved on changes its fingerprint.
    #[test]
    fn every_part_of_the_case_is_in_its_fingerprint() {
        type Edit = (&'static str, fn(&mut CaseItem));
        let edits: [Edit; 8] = [
            ("description", |c| c.description = None),
            ("decision heading", |c| {
                c.decision_heading = Some("Justert forslag til vedtak".into())
            }),
            ("earlier decisions", |c| {
                c.earlier_decisions.push(DecisionBlock {
                    heading: "Forslag til vedtak".into(),
                    decisions: vec!["Styret tar saken til orientering.".into()],
                })
            }),
            ("a figure", |c| {
                c.assets.files.push(crate::model::PaperFile {
                    path: format!("/{:032x}/plan.png", 1),
                    bytes: crate::model::FileBytes::ready(b"png".to_vec()),
                })
            }),
            ("an attachment", |c| {
                c.assets.attachments.push(Attachment {
                    title: "Plan".into(),
                    file: "vedlegg/plan.pdf".into(),
                    pages: vec![format!("/{:032x}/side-1.svg", 2)],
                })
            }),
            ("a formula", |c| {
                c.proposed = Some(Proposed::Formula(Formula::TakeNote))
            }),
            ("no proposal", |c| c.proposed = None),
            ("the paper", |c| {
                c.paper = Some("Planen er ikke revidert.".into())
            }),
        ];
        let before = fingerprint(&case());
        for (what, edit) in edits {
            let mut edited = case();
            edit(&mut edited);
            assert_ne!(fingerprint(&edited), before, "{what}");
        }
        assert_eq!(
            fingerprint(&case()),
            before,
            "the same case, the same fingerprint"
        );
    }

    /// What a data block prints beyond its values (the archive's JSON) is in
    /// the fingerprint too: the budget's label column, the register's `since`.
    #[test]
    fn what_a_block_prints_beyond_its_values_is_in_the_fingerprint() {
        let budget = |label: &str| {
            let spec = format!(
                "label: {label}\nunit: MNOK\ndecimals: 1\ncolumns: [A]\nrows:\n- {{label: x, amounts: [1]}}\n"
            );
            let spec = serde_yaml_ng::from_str(&spec).unwrap();
            Block::Budget(crate::blocks::budget::compute(spec).unwrap())
        };
        let risks = |since: &str| {
            let spec = format!(
                "since: {since}\nrisks:\n- {{id: 1, description: R, probability: 2, consequence: 3}}\n"
            );
            let spec = serde_yaml_ng::from_str(&spec).unwrap();
            Block::Risks(crate::blocks::risks::compute(spec).unwrap())
        };
        let with = |block: Block| {
            let mut item = case();
            item.blocks.push(block);
            fingerprint(&item)
        };
        assert_eq!(budget("Post").values(), budget("Tiltak").values());
        assert_ne!(with(budget("Post")), with(budget("Tiltak")));
        assert_eq!(with(budget("Post")), with(budget("Post")));
        assert_ne!(with(risks("2024-01")), with(risks("2024-02")));
    }

    /// A digest written before SHA-256 is compared as it was made, and one
    /// of SHA-256 as it is: neither passes for the other.
    #[test]
    fn digests_of_both_forms_are_checked() {
        let item = case();
        let legacy = format!("{:016x}", legacy_fingerprint(&item));
        let current = format!("{:032x}", fingerprint(&item));
        assert!(unchanged(&legacy, &item) && unchanged(&current, &item));
        assert!(!unchanged(&format!("{legacy}{legacy}"), &item));
        assert!(!unchanged(&current[..16], &item));
        let mut edited = case();
        edited.paper = Some("Endret.".into());
        assert!(!unchanged(&legacy, &edited) && !unchanged(&current, &edited));
    }
}
