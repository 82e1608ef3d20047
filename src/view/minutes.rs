//! View stage, the minutes as a formal record: the words of the `protocol`
//! section of `labels.yaml`, and the context of disqualification, proposals,
//! votes, dissent, remarks, opening and closing, approval and signatures.

use serde::{Deserialize, Serialize};

use crate::model::{Attendee, ItemRecord, Minutes, Person, Remark, RosterEntry, Tally, Vote};

/// The `protocol` section of `labels.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProtocolLabels {
    deputy_for: String,
    opened: String,
    closed: String,
    and: String,
    vote: String,
    votes: String,
    disqualified: String,
    replaced_by: String,
    voting: String,
    proposals_heading: String,
    proposal: String,
    proposal_by: String,
    votes_heading: String,
    unanimous: String,
    unanimous_rejected: String,
    adopted: String,
    adopted_plain: String,
    adopted_counted: String,
    rejected: String,
    rejected_plain: String,
    rejected_counted: String,
    abstaining: String,
    names: String,
    dissent_heading: String,
    remarks_heading: String,
    approved_electronically: String,
    approved_by: String,
}

impl ProtocolLabels {
    /// Names as a list: `A`, `A og B`, `A, B og C`.
    fn names(&self, people: &[Person]) -> String {
        match people {
            [] => String::new(),
            [one] => one.name.clone(),
            [rest @ .., last] => {
                let rest: Vec<&str> = rest.iter().map(|p| p.name.as_str()).collect();
                format!("{} {} {}", rest.join(", "), self.and, last.name)
            }
        }
    }

    /// The names of a tally in brackets (` (A og B)`), or nothing.
    fn bracketed(&self, tally: &Tally) -> String {
        if tally.names.is_empty() {
            String::new()
        } else {
            self.names.replace("{names}", &self.names(&tally.names))
        }
    }

    /// A number of votes with its word (`1 stemme`, `2 stemmer`).
    fn votes_text(&self, count: u32) -> String {
        let word = if count == 1 { &self.vote } else { &self.votes };
        format!("{count} {word}")
    }

    /// The result of a vote as municipal minutes print it.
    fn vote_text(&self, vote: &Vote) -> String {
        let against = vote.against.count;
        let phrase = match (&vote.in_favour, vote.adopted) {
            _ if vote.unanimous && vote.adopted => self.unanimous.clone(),
            _ if vote.unanimous => self.unanimous_rejected.clone(),
            (_, true) if against == 0 && vote.abstaining.count == 0 => self.unanimous.clone(),
            (_, true) if against == 0 => self.adopted_plain.clone(),
            (None, false) if against == 0 => self.rejected_plain.clone(),
            (None, true) => self
                .adopted
                .replace("{names}", &self.bracketed(&vote.against)),
            (Some(_), true) => self
                .adopted_counted
                .replace("{names}", &self.bracketed(&vote.against)),
            (None, false) => self.rejected.clone(),
            (Some(f), false) => self.rejected_counted.replace("{names}", &self.bracketed(f)),
        };
        let count = vote.in_favour.as_ref().map_or(0, |t| t.count);
        let mut text = phrase
            .replace("{for_votes}", &self.votes_text(count))
            .replace("{for}", &count.to_string())
            .replace("{against_votes}", &self.votes_text(against))
            .replace("{against}", &against.to_string());
        if vote.abstaining.count > 0 {
            text.push(' ');
            text.push_str(
                &self
                    .abstaining
                    .replace("{count}", &vote.abstaining.count.to_string())
                    .replace("{names}", &self.bracketed(&vote.abstaining)),
            );
        }
        text
    }
}

/// For a deputy sitting in for a member: `Varamedlem for …`.
pub(super) fn deputy_for(labels: &ProtocolLabels, a: &Attendee) -> Option<String> {
    let member = a.substitute_for.as_deref().filter(|_| a.deputy)?;
    Some(labels.deputy_for.replace("{member}", member))
}

/// For a deputy in a member's seat on the roster: `Varamedlem for …`.
pub(super) fn roster_deputy_for(labels: &ProtocolLabels, seat: &RosterEntry) -> Option<String> {
    let member = seat.substitute_for.as_deref().filter(|_| seat.deputy)?;
    Some(labels.deputy_for.replace("{member}", member))
}

/// The formal record of one item, as templates see it (`item.record`).
#[derive(Serialize)]
pub(super) struct RecordView {
    disqualified: Vec<String>,
    voting_text: Option<String>,
    proposals_heading: String,
    proposals: Vec<ProposalView>,
    votes_heading: String,
    votes: Vec<VoteView>,
    dissent_heading: String,
    dissent: Vec<RemarkView>,
    remarks_heading: String,
    remarks: Vec<RemarkView>,
}

#[derive(Serialize)]
struct ProposalView {
    id: String,
    label: String,
    by: Option<String>,
    text: String,
    adopted: bool,
}

#[derive(Serialize)]
struct VoteView {
    on: Option<String>,
    label: Option<String>,
    adopted: bool,
    text: String,
}

#[derive(Serialize)]
struct RemarkView {
    by: String,
    text: String,
}

/// The context of an item's record.
pub(super) fn record_view(labels: &ProtocolLabels, record: &ItemRecord) -> RecordView {
    let mut disqualified = Vec::new();
    for d in &record.disqualified {
        disqualified.push(
            labels
                .disqualified
                .replace("{member}", &d.member.name)
                .replace("{basis}", d.basis.trim()),
        );
        if let Some(p) = &d.replaced_by {
            disqualified.push(labels.replaced_by.replace("{member}", &p.name));
        }
    }
    let proposal_label = |id: &str| labels.proposal.replace("{id}", id);
    let remark = |r: &Remark| RemarkView {
        by: labels.names(&r.by),
        text: r.text.clone(),
    };
    RecordView {
        voting_text: (!record.disqualified.is_empty())
            .then(|| labels.voting.replace("{count}", &record.voting.to_string())),
        disqualified,
        proposals_heading: labels.proposals_heading.clone(),
        proposals: record
            .proposals
            .iter()
            .map(|p| ProposalView {
                id: p.id.clone(),
                label: proposal_label(&p.id),
                by: p
                    .by
                    .as_ref()
                    .map(|m| labels.proposal_by.replace("{member}", &m.name)),
                text: p.text.clone(),
                adopted: p.adopted,
            })
            .collect(),
        votes_heading: labels.votes_heading.clone(),
        votes: record
            .votes
            .iter()
            .map(|v| VoteView {
                on: v.proposal.clone(),
                label: v.proposal.as_deref().map(proposal_label),
                adopted: v.adopted,
                text: labels.vote_text(v),
            })
            .collect(),
        dissent_heading: labels.dissent_heading.clone(),
        dissent: record.dissent.iter().map(remark).collect(),
        remarks_heading: labels.remarks_heading.clone(),
        remarks: record.remarks.iter().map(remark).collect(),
    }
}

/// The frame of the minutes as a formal record, as templates see it
/// (`minutes.opened_text`, `minutes.approval_text`, …).
#[derive(Serialize)]
pub(super) struct FrameView {
    pub(super) opened_text: Option<String>,
    pub(super) closed_text: Option<String>,
    pub(super) approval_text: Option<String>,
    pub(super) signatures: Vec<String>,
}

/// The context of the minutes' frame.
pub(super) fn frame_view(
    labels: &ProtocolLabels,
    approved: Option<String>,
    m: &Minutes,
) -> FrameView {
    let approval = if m.approved_electronically {
        &labels.approved_electronically
    } else {
        &labels.approved_by
    };
    FrameView {
        opened_text: m
            .opened
            .map(|t| labels.opened.replace("{time}", &t.to_string())),
        closed_text: m
            .closed
            .map(|t| labels.closed.replace("{time}", &t.to_string())),
        approval_text: (!m.approved_by.is_empty()).then(|| {
            approval
                .replace("{names}", &labels.names(&m.approved_by))
                .replace("{date}", approved.as_deref().unwrap_or_default())
        }),
        signatures: m.signatures.iter().map(|p| p.name.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::Labels;

    fn person(name: &str) -> Person {
        Person {
            name: name.to_owned(),
            organisation: None,
            member_id: Some(name.to_lowercase()),
            title: None,
        }
    }

    fn tally(count: u32, names: &[&str]) -> Tally {
        Tally {
            count,
            names: names.iter().map(|n| person(n)).collect(),
        }
    }

    fn vote(in_favour: Option<Tally>, against: Tally, abstaining: Tally, adopted: bool) -> Vote {
        Vote {
            proposal: None,
            adopted,
            unanimous: false,
            in_favour,
            against,
            abstaining,
        }
    }

    #[test]
    fn votes_print_as_municipal_minutes_print_them() {
        let labels = Labels::builtin();
        let l = labels.protocol();
        let none = Tally::default();
        let cases = [
            (
                vote(None, none.clone(), none.clone(), true),
                "Enstemmig vedtatt.",
            ),
            (
                vote(None, tally(2, &["Per", "Pål"]), none.clone(), true),
                "Vedtatt mot 2 stemmer (Per og Pål).",
            ),
            (
                vote(Some(tally(5, &[])), tally(1, &[]), none.clone(), true),
                "Vedtatt med 5 mot 1 stemme.",
            ),
            (
                vote(
                    Some(tally(2, &["Per", "Pål"])),
                    tally(5, &[]),
                    none.clone(),
                    false,
                ),
                "Forslaget fikk 2 stemmer (Per og Pål) og falt.",
            ),
            (
                vote(None, tally(4, &[]), none.clone(), false),
                "Forslaget falt mot 4 stemmer.",
            ),
            (
                vote(Some(tally(4, &[])), none.clone(), none.clone(), true),
                "Enstemmig vedtatt.",
            ),
            (
                vote(None, none.clone(), tally(2, &[]), true),
                "Vedtatt. 2 avsto fra å stemme.",
            ),
            (
                vote(None, none.clone(), none.clone(), false),
                "Forslaget falt.",
            ),
            (
                vote(None, tally(1, &["Per"]), tally(3, &["A", "B", "C"]), true),
                "Vedtatt mot 1 stemme (Per). 3 avsto fra å stemme (A, B og C).",
            ),
        ];
        for (vote, expected) in cases {
            assert_eq!(l.vote_text(&vote), expected);
        }
    }
}
