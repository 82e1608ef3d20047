//! Load stage, the formal record of a minutes item: disqualification
//! (*habilitet*), proposals (*forslag*), votes (*votering*), dissent and
//! protocol remarks, checked against who was present for the item.

use serde_yaml_ng::Value;

use super::body::{resolve_member, resolve_person};
use super::schema::{DisqualifiedFile, ProposalFile, RemarkFile, TallyFile, VoteFile};
use super::source::{SourceFile, typed};
use crate::diagnostic::Diagnostics;
use crate::model::{
    Body, CaseNumber, Disqualification, ItemRecord, Person, Proposal, Remark, Tally, Vote,
};

/// The raw record fields of one item in `minutes.yaml`.
pub(crate) struct RecordFile {
    /// `disqualified`.
    pub(crate) disqualified: Vec<Value>,
    /// `proposals`.
    pub(crate) proposals: Vec<Value>,
    /// `adopted`.
    pub(crate) adopted: Option<String>,
    /// `votes`.
    pub(crate) votes: Vec<Value>,
    /// `dissent`.
    pub(crate) dissent: Vec<Value>,
    /// `protocol_remarks`.
    pub(crate) remarks: Vec<Value>,
}

/// What an item's record is checked against.
pub(crate) struct RecordContext<'a> {
    /// The file, for locations.
    pub(crate) file: &'a SourceFile,
    /// The item's field path (`items[2]`).
    pub(crate) field: &'a str,
    /// The case.
    pub(crate) case: CaseNumber,
    /// The members with a vote present at the meeting, in their seats (a
    /// substitute under the member id of the seat).
    pub(crate) voting: &'a [Person],
    /// The body, for member ids.
    pub(crate) body: &'a Body,
}

/// Who has a vote for one item: those present with a vote, less the
/// disqualified, plus those who took their seats.
struct Voters {
    /// Member ids of those with a vote.
    ids: Vec<String>,
    /// Member ids of the disqualified.
    disqualified: Vec<String>,
    /// How many have a vote (a guest taking a seat has no id).
    count: u32,
}

impl Voters {
    fn new(voting: &[Person], disqualified: &[Disqualification]) -> Voters {
        let out: Vec<String> = disqualified
            .iter()
            .filter_map(|d| d.member.member_id.clone())
            .collect();
        let mut ids: Vec<String> = voting
            .iter()
            .filter_map(|p| p.member_id.clone())
            .filter(|id| !out.contains(id))
            .collect();
        let mut guests = 0;
        for d in disqualified {
            match d.replaced_by.as_ref().map(|p| p.member_id.clone()) {
                Some(Some(id)) if !ids.contains(&id) => ids.push(id),
                Some(None) => guests += 1,
                _ => {}
            }
        }
        let count = u32::try_from(ids.len()).unwrap_or(u32::MAX) + guests;
        Voters {
            ids,
            disqualified: out,
            count,
        }
    }
}

/// The person in the seat of member `id`, when that seat was filled.
fn seated(ctx: &RecordContext<'_>, id: &str) -> Option<Person> {
    ctx.voting
        .iter()
        .find(|p| p.member_id.as_deref() == Some(id))
        .cloned()
}

/// The member id `id` written at `field`, resolved: the person in the seat
/// (a substitute sits in the seat of the member replaced), else the member.
fn member(
    ctx: &RecordContext<'_>,
    field: &str,
    id: &str,
    diags: &mut Diagnostics,
) -> Option<Person> {
    let member = resolve_member(ctx.file, field, id, ctx.body, diags)?;
    Some(seated(ctx, id).unwrap_or(member))
}

/// The formal record of one item, checked.
pub(crate) fn item_record(
    ctx: &RecordContext<'_>,
    raw: RecordFile,
    diags: &mut Diagnostics,
) -> ItemRecord {
    let disqualified = disqualifications(ctx, raw.disqualified, diags);
    let voters = Voters::new(ctx.voting, &disqualified);
    let mut proposals = proposals(ctx, raw.proposals, diags);
    let adopted = adopted_proposal(ctx, raw.adopted, &proposals, diags);
    for p in &mut proposals {
        p.adopted = adopted.as_deref() == Some(p.id.as_str());
    }
    let votes = raw
        .votes
        .into_iter()
        .enumerate()
        .filter_map(|(i, value)| {
            let field = format!("{}.votes[{i}]", ctx.field);
            let raw = typed::<VoteFile>(ctx.file, &field, value, diags)?;
            vote(
                ctx,
                &field,
                raw,
                &proposals,
                adopted.as_deref(),
                &voters,
                diags,
            )
        })
        .collect();
    ItemRecord {
        disqualified,
        proposals,
        votes,
        dissent: remarks(ctx, "dissent", raw.dissent, Some(&voters), diags),
        remarks: remarks(ctx, "protocol_remarks", raw.remarks, None, diags),
        voting: voters.count,
    }
}

/// The members disqualified for the item.
fn disqualifications(
    ctx: &RecordContext<'_>,
    entries: Vec<Value>,
    diags: &mut Diagnostics,
) -> Vec<Disqualification> {
    let (file, body) = (ctx.file, ctx.body);
    let mut out: Vec<Disqualification> = Vec::new();
    for (i, value) in entries.into_iter().enumerate() {
        let field = format!("{}.disqualified[{i}]", ctx.field);
        let Some(raw) = typed::<DisqualifiedFile>(file, &field, value, diags) else {
            continue;
        };
        let member_field = format!("{field}.member");
        let Some(member) = member(ctx, &member_field, &raw.member, diags) else {
            continue;
        };
        if out.iter().any(|d| d.member.member_id == member.member_id) {
            diags.push(file.error(
                &member_field,
                format!(
                    "`{}` is disqualified twice for case {}",
                    raw.member, ctx.case
                ),
            ));
            continue;
        }
        if seated(ctx, &raw.member).is_none() {
            diags.push(
                file.warning(
                    &member_field,
                    format!(
                        "`{}` is disqualified for case {}, but is not among the members present",
                        raw.member, ctx.case
                    ),
                )
                .hint("members present are those of the roster not listed under `absent`"),
            );
        }
        if raw.basis.trim().is_empty() {
            diags.push(
                file.error(&format!("{field}.basis"), "the legal basis is empty")
                    .hint("for example `fvl. § 6 første ledd bokstav a`"),
            );
        }
        let replaced_by = raw.replaced_by.and_then(|spec| {
            resolve_person(file, &format!("{field}.replaced_by"), spec, body, diags)
        });
        out.push(Disqualification {
            member,
            basis: raw.basis,
            replaced_by,
        });
    }
    out
}

/// The proposals put forward, with their ids (written, or `1`, `2`, …).
fn proposals(
    ctx: &RecordContext<'_>,
    entries: Vec<Value>,
    diags: &mut Diagnostics,
) -> Vec<Proposal> {
    let file = ctx.file;
    let mut out: Vec<Proposal> = Vec::new();
    for (i, value) in entries.into_iter().enumerate() {
        let field = format!("{}.proposals[{i}]", ctx.field);
        let Some(raw) = typed::<ProposalFile>(file, &field, value, diags) else {
            continue;
        };
        let id = raw
            .id
            .map(|id| id.trim().to_owned())
            .unwrap_or_else(|| (i + 1).to_string());
        if out.iter().any(|p| p.id == id) {
            diags.push(
                file.error(
                    &format!("{field}.id"),
                    format!("two proposals under case {} have the id `{id}`", ctx.case),
                )
                .hint("give every proposal its own `id`"),
            );
        }
        if raw.text.trim().is_empty() {
            diags.push(file.error(&format!("{field}.text"), "the proposal is empty"));
        }
        let by = raw
            .by
            .and_then(|id| member(ctx, &format!("{field}.by"), &id, diags));
        out.push(Proposal {
            id,
            by,
            text: raw.text,
            adopted: false,
        });
    }
    out
}

/// The id of the adopted proposal: as written, or the only one.
fn adopted_proposal(
    ctx: &RecordContext<'_>,
    written: Option<String>,
    proposals: &[Proposal],
    diags: &mut Diagnostics,
) -> Option<String> {
    let Some(id) = written.map(|id| id.trim().to_owned()) else {
        return match proposals {
            [only] => Some(only.id.clone()),
            _ => None,
        };
    };
    if !proposals.iter().any(|p| p.id == id) {
        diags.push(
            ctx.file
                .error(
                    &format!("{}.adopted", ctx.field),
                    format!("no proposal with the id `{id}` under case {}", ctx.case),
                )
                .hint(proposal_hint(proposals)),
        );
        return None;
    }
    Some(id)
}

/// Names the proposals of an item, for a hint.
fn proposal_hint(proposals: &[Proposal]) -> String {
    if proposals.is_empty() {
        return "add the proposal under `proposals` with its `id`".to_owned();
    }
    let ids: Vec<String> = proposals.iter().map(|p| format!("`{}`", p.id)).collect();
    format!("the proposals are {}", ids.join(", "))
}

/// One vote, checked: the proposal it was on, the counts against those with a
/// vote, and the named voters.
fn vote(
    ctx: &RecordContext<'_>,
    field: &str,
    raw: VoteFile,
    proposals: &[Proposal],
    adopted: Option<&str>,
    voters: &Voters,
    diags: &mut Diagnostics,
) -> Option<Vote> {
    let proposal = voted_on(ctx, field, raw.on, proposals, diags)?;
    let mut named: Vec<String> = Vec::new();
    let mut count = |key: &str, raw: Option<TallyFile>, diags: &mut Diagnostics| {
        raw.map(|t| tally(ctx, &format!("{field}.{key}"), t, voters, &mut named, diags))
    };
    let in_favour = count("for", raw.in_favour, diags);
    let against = count("against", raw.against, diags).unwrap_or_default();
    let abstaining = count("abstaining", raw.abstaining, diags).unwrap_or_default();
    let is_adopted = match &proposal {
        Some(id) => adopted == Some(id.as_str()),
        None => true,
    };
    let vote = Vote {
        proposal,
        adopted: is_adopted,
        unanimous: raw.unanimous,
        in_favour,
        against,
        abstaining,
    };
    check_counts(ctx, field, &vote, voters, diags);
    Some(vote)
}

/// The proposal a vote was on: as written, or the only one. `None` inside
/// when the item has no proposals (the vote is on the proposed decision).
fn voted_on(
    ctx: &RecordContext<'_>,
    field: &str,
    on: Option<String>,
    proposals: &[Proposal],
    diags: &mut Diagnostics,
) -> Option<Option<String>> {
    let file = ctx.file;
    match (on.map(|id| id.trim().to_owned()), proposals) {
        (None, []) => Some(None),
        (None, [only]) => Some(Some(only.id.clone())),
        (None, _) => {
            diags.push(
                file.error(
                    field,
                    format!(
                        "case {} has several proposals: say which one the vote was on",
                        ctx.case
                    ),
                )
                .hint(format!("add `on:`; {}", proposal_hint(proposals))),
            );
            None
        }
        (Some(id), _) if proposals.iter().any(|p| p.id == id) => Some(Some(id)),
        (Some(id), _) => {
            diags.push(
                file.error(
                    &format!("{field}.on"),
                    format!("no proposal with the id `{id}` under case {}", ctx.case),
                )
                .hint(proposal_hint(proposals)),
            );
            None
        }
    }
}

/// Votes cast one way; named voters must have a vote for the item, once.
fn tally(
    ctx: &RecordContext<'_>,
    field: &str,
    raw: TallyFile,
    voters: &Voters,
    named: &mut Vec<String>,
    diags: &mut Diagnostics,
) -> Tally {
    let ids = match raw {
        TallyFile::Count(count) => {
            return Tally {
                count,
                names: Vec::new(),
            };
        }
        TallyFile::Names(ids) => ids,
    };
    let mut names = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let Some(person) = member(ctx, &at, id, diags) else {
            continue;
        };
        let problem = if voters.disqualified.contains(id) {
            Some(format!(
                "`{id}` is disqualified for case {} and cannot vote",
                ctx.case
            ))
        } else if !voters.ids.contains(id) {
            Some(format!(
                "`{id}` has no vote at case {}: not among the members present",
                ctx.case
            ))
        } else if named.contains(id) {
            Some(format!("`{id}` is named twice in this vote"))
        } else {
            None
        };
        match problem {
            Some(message) => diags.push(ctx.file.error(&at, message)),
            None => {
                named.push(id.clone());
                names.push(person);
            }
        }
    }
    Tally {
        count: u32::try_from(ids.len()).unwrap_or(u32::MAX),
        names,
    }
}

/// A vote's counts: no more than those with a vote, none against a unanimous
/// vote, and a majority that agrees with what was adopted.
fn check_counts(
    ctx: &RecordContext<'_>,
    field: &str,
    vote: &Vote,
    voters: &Voters,
    diags: &mut Diagnostics,
) {
    let file = ctx.file;
    let cast =
        vote.in_favour.as_ref().map_or(0, |t| t.count) + vote.against.count + vote.abstaining.count;
    if cast > voters.count {
        diags.push(
            file.error(
                field,
                format!(
                    "{cast} votes counted, but only {} members with a vote were present for case {}",
                    voters.count, ctx.case
                ),
            )
            .hint("members present are derived from `present` and `absent`; the disqualified do not vote, whoever took their seat does"),
        );
    }
    if vote.unanimous && (vote.against.count > 0 || vote.abstaining.count > 0) {
        diags.push(file.error(
            &format!("{field}.unanimous"),
            "a unanimous vote has no votes against and none abstaining",
        ));
    }
    if let Some(in_favour) = &vote.in_favour
        && (in_favour.count > vote.against.count) != vote.adopted
    {
        let what = vote.proposal.as_deref().map_or_else(
            || "the proposed decision".to_owned(),
            |id| format!("proposal `{id}`"),
        );
        let state = if vote.adopted {
            "adopted"
        } else {
            "not adopted"
        };
        diags.push(
            file.error(
                field,
                format!(
                    "{} for and {} against, but {what} is recorded as {state}",
                    in_favour.count, vote.against.count
                ),
            )
            .hint(if vote.proposal.is_some() {
                "`adopted` names the proposal that was adopted"
            } else {
                "a vote without proposals adopts the proposed decision; write the proposals under `proposals` and name the adopted one under `adopted`"
            }),
        );
    }
}

/// Dissent or protocol remarks: who (member ids) and the text. Dissent
/// (`voters` given) is for those who took part in the decision.
fn remarks(
    ctx: &RecordContext<'_>,
    key: &str,
    entries: Vec<Value>,
    voters: Option<&Voters>,
    diags: &mut Diagnostics,
) -> Vec<Remark> {
    let file = ctx.file;
    let mut out = Vec::new();
    for (i, value) in entries.into_iter().enumerate() {
        let field = format!("{}.{key}[{i}]", ctx.field);
        let Some(raw) = typed::<RemarkFile>(file, &field, value, diags) else {
            continue;
        };
        let ids = raw.by.into_vec();
        let single = ids.len() == 1;
        let by: Vec<Person> = ids
            .iter()
            .enumerate()
            .filter_map(|(j, id)| {
                let at = if single {
                    format!("{field}.by")
                } else {
                    format!("{field}.by[{j}]")
                };
                if voters.is_some_and(|v| v.disqualified.contains(id)) {
                    diags.push(file.error(
                        &at,
                        format!(
                            "`{id}` is disqualified for case {} and took no part in the decision",
                            ctx.case
                        ),
                    ));
                    return None;
                }
                member(ctx, &at, id, diags)
            })
            .collect();
        if raw.text.trim().is_empty() {
            diags.push(file.error(&format!("{field}.text"), "the text is empty"));
        }
        out.push(Remark { by, text: raw.text });
    }
    out
}
