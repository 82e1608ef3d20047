//! Load stage, agenda rows: one row of `meeting.yaml`'s agenda resolved into a
//! case item (number, kind, standing item, title, presenters, paper, proposed
//! decisions, clock times) or a break.

use std::path::PathBuf;

use super::attachments::resolve_attachments;
use super::body::resolve_member;
use super::case_number::{CaseField, resolve_case_number};
use super::cycle::CaseNumbers;
pub(crate) use super::item::ItemContext;
use super::item::paper_field;
use super::prefetch::read_paper_parts;
use super::schema::{AgendaFile, ClosedSpec, OneOrMany, PersonSpec, PresenterSpec};
use super::source::{SourceFile, check_markdown};
use crate::blocks::Block;
use crate::derive::{self, Clock};
use crate::diagnostic::{Diagnostics, did_you_mean};
use crate::model::{
    AgendaRow, CaseItem, CaseNumber, Kind, Person, Proposed, Restriction, RestrictionKind, Standing,
};
use crate::model::{Assets, Attachment, Break, DecisionBlock, PaperFile};

/// The longest duration of an agenda row, in minutes: a day. Agendas that run
/// past midnight are refused anyway; the bound keeps clock sums far from overflow.
pub(crate) const MAX_DURATION: u32 = 24 * 60;

/// Resolves one agenda row starting at `start`, with its case paper's file;
/// `None` when it has errors.
pub(crate) fn resolve_agenda_entry(
    ctx: &ItemContext<'_>,
    mut entry: AgendaFile,
    start: Clock,
    numbers: &mut CaseNumbers<'_>,
    diags: &mut Diagnostics,
) -> Option<(AgendaRow, Option<PathBuf>)> {
    if ctx.timed && entry.duration.is_none() {
        diags.push(
            ctx.file.error(ctx.field, "missing required field `duration`")
                .hint("the meeting has a start time, so every row needs a duration in minutes; leave out the meeting's `start` for an agenda without times"),
        );
    }
    check_duration(ctx, &mut entry, diags);
    if entry.break_label.is_some() {
        return Some((resolve_break(ctx, entry, start, diags), None));
    }
    let errors_before = diags.error_count();
    let written = (entry.case.as_deref(), entry.series.as_deref());
    let field = CaseField {
        file: ctx.file,
        field: ctx.field,
        format: &ctx.body.case_format,
    };
    let case = resolve_case_number(&field, written, numbers, diags);
    let standing = resolve_standing(ctx, entry.standing.as_deref(), diags);
    let kind = resolve_kind(ctx, entry.kind.as_deref(), standing, diags);
    let title = resolve_title(ctx, entry.title.take(), &entry, diags);
    let presenters = resolve_presenters(ctx, entry.presenter.take(), diags);
    let mut files = Vec::new();
    let (paper, blocks) = resolve_paper(ctx, entry.paper.as_deref(), &mut files, diags);
    let attachments = resolve_attachments(
        ctx.file,
        &ctx.sub("attachments"),
        (ctx.content_dir, ctx.dir),
        std::mem::take(&mut entry.attachments),
        &mut files,
        diags,
    );
    if let Some(description) = &entry.description {
        check_markdown(ctx.file, &ctx.sub("description"), description, diags);
    }
    let written_blocks = super::decisions::split_blocks(ctx, &mut entry, diags);
    let checked = written_blocks.is_some();
    let decisions = resolve_decisions(ctx, &mut entry, (standing, kind), checked, diags);
    let earlier_decisions = written_blocks.unwrap_or_default();
    let restriction = resolve_restriction(ctx, &mut entry, diags);
    if diags.error_count() > errors_before {
        return None;
    }
    let resolved = Resolved {
        case: case?,
        title,
        kind,
        standing,
        presenters,
        paper,
        blocks,
        files,
        attachments,
        decisions,
        earlier_decisions,
        restriction,
    };
    let paper_file = entry.paper.as_deref().map(|p| ctx.dir.join(p));
    Some((
        AgendaRow::Case(case_item(entry, resolved, start)),
        paper_file,
    ))
}

/// The case paper at `path` (relative to the meeting folder), with its figures
/// added to `files`, and the data blocks it places.
fn resolve_paper(
    ctx: &ItemContext<'_>,
    path: Option<&str>,
    files: &mut Vec<PaperFile>,
    diags: &mut Diagnostics,
) -> (Option<String>, Vec<Block>) {
    let Some(relative) = path else {
        return (None, Vec::new());
    };
    let field = paper_field(ctx.field);
    let paper = ctx
        .papers
        .take(ctx.dir, &field, relative)
        .unwrap_or_else(|| {
            read_paper_parts((ctx.content_dir, ctx.dir), ctx.file, &field, relative)
        });
    diags.extend(paper.diags.0);
    files.extend(paper.files);
    (paper.text, paper.blocks)
}

/// Reports a duration longer than a day, and leaves it out so that no clock
/// arithmetic sees it.
fn check_duration(ctx: &ItemContext<'_>, entry: &mut AgendaFile, diags: &mut Diagnostics) {
    if let Some(minutes) = entry.duration
        && minutes > MAX_DURATION
    {
        diags.push(
            ctx.file
                .error(
                    &ctx.sub("duration"),
                    format!("a duration of {minutes} minutes is longer than a day"),
                )
                .hint(format!(
                    "give the duration in minutes, at most {MAX_DURATION}"
                )),
        );
        entry.duration = Some(0);
    }
}

/// A break row; anything a case item has is an error on it.
fn resolve_break(
    ctx: &ItemContext<'_>,
    entry: AgendaFile,
    start: Clock,
    diags: &mut Diagnostics,
) -> AgendaRow {
    let extra = [
        ("case", entry.case.is_some()),
        ("title", entry.title.is_some()),
        ("kind", entry.kind.is_some()),
        ("presenter", entry.presenter.is_some()),
        ("paper", entry.paper.is_some()),
        ("proposed_decision", entry.proposed_decision.is_some()),
        ("decision_blocks", entry.decision_blocks.is_some()),
        ("exempt", entry.exempt.is_some()),
        ("closed", entry.closed.is_some()),
        ("public_title", entry.public_title.is_some()),
    ];
    for (name, present) in extra {
        if present {
            diags.push(
                ctx.file.error(&ctx.sub(name), format!("a break has no `{name}`"))
                    .hint("a break is written `- break: Pause` with a `duration`; a case item has no `break`"),
            );
        }
    }
    AgendaRow::Break(Break {
        label: entry.break_label.unwrap_or_default(),
        start,
        duration: entry.duration.unwrap_or(0),
    })
}

/// The standing item named, if any; a misspelt name is reported.
fn resolve_standing(
    ctx: &ItemContext<'_>,
    written: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<Standing> {
    let name = written?;
    let parsed = Standing::parse(name);
    if parsed.is_none() {
        let mut diag = ctx.file.error(
            &ctx.sub("standing"),
            format!(
                "`{name}` is not a standing item: expected one of {}",
                Standing::NAMES.join(", ")
            ),
        );
        if let Some(best) = did_you_mean(name, Standing::NAMES.iter().copied()) {
            diag = diag.hint(format!("did you mean `{best}`?"));
        }
        diags.push(diag);
    }
    parsed
}

/// The kind of item; required except for *eventuelt*.
fn resolve_kind(
    ctx: &ItemContext<'_>,
    written: Option<&str>,
    standing: Option<Standing>,
    diags: &mut Diagnostics,
) -> Option<Kind> {
    let Some(name) = written else {
        if standing != Some(Standing::Eventuelt) {
            diags.push(
                ctx.file
                    .error(ctx.field, "missing required field `kind`")
                    .hint(format!("one of {}", Kind::NAMES.join(", "))),
            );
        }
        return None;
    };
    let parsed = Kind::parse(&name.to_lowercase());
    if parsed.is_none() {
        let mut diag = ctx.file.error(
            &ctx.sub("kind"),
            format!(
                "`{name}` is not a kind of item: expected one of {}",
                Kind::NAMES.join(", ")
            ),
        );
        if let Some(best) = did_you_mean(&name.to_lowercase(), Kind::NAMES.iter().copied()) {
            diag = diag.hint(format!("did you mean `{best}`?"));
        }
        diags.push(diag);
    }
    parsed
}

/// The title as written; only a standing item may leave it out (its title is
/// formulaic).
fn resolve_title(
    ctx: &ItemContext<'_>,
    written: Option<String>,
    entry: &AgendaFile,
    diags: &mut Diagnostics,
) -> Option<String> {
    // A misspelt standing item is reported already; its title would be derived.
    if written.is_none() && entry.standing.is_none() {
        diags.push(ctx.file.error(ctx.field, "missing required field `title`"));
    }
    written
}

/// The proposed decisions as written, or the formulaic one; none for a
/// postponed item. `checked`: the texts are checked already (they came from
/// `decision_blocks`).
fn resolve_decisions(
    ctx: &ItemContext<'_>,
    entry: &mut AgendaFile,
    (standing, kind): (Option<Standing>, Option<Kind>),
    checked: bool,
    diags: &mut Diagnostics,
) -> Option<Proposed> {
    let decisions = match entry.proposed_decision.take() {
        Some(OneOrMany::One(none)) if none.trim() == NO_DECISION => return None,
        Some(written) => written.into_vec(),
        None if entry.postponed.is_some() => return None,
        None => {
            let formula = derive::formula(standing, kind);
            if formula.is_none() && kind == Some(Kind::Beslutning) {
                diags.push(
                    ctx.file
                        .warning(ctx.field, "a `beslutning` item has no proposed decision")
                        .hint(format!(
                            "write it as `proposed_decision`, or `proposed_decision: {NO_DECISION}` \
                             when the item has none on purpose"
                        )),
                );
            }
            return formula.map(Proposed::Formula);
        }
    };
    if !checked {
        let field = ctx.sub("proposed_decision");
        let hint = format!(
            "write `proposed_decision: {NO_DECISION}` for an item without a proposed decision"
        );
        super::decisions::check_texts(ctx, (&field, &hint), &decisions, diags);
    }
    Some(Proposed::Written(decisions))
}

/// What `proposed_decision` says for an item that has none on purpose (and
/// would otherwise get a formulaic one, or a warning).
pub(crate) const NO_DECISION: &str = "none";

/// What the resolve steps found for a case item.
struct Resolved {
    case: CaseNumber,
    title: Option<String>,
    kind: Option<Kind>,
    standing: Option<Standing>,
    presenters: Vec<Person>,
    paper: Option<String>,
    blocks: Vec<Block>,
    /// The files the paper shows.
    files: Vec<PaperFile>,
    /// The attachments.
    attachments: Vec<Attachment>,
    decisions: Option<Proposed>,
    /// The earlier proposed decisions, each under its heading.
    earlier_decisions: Vec<DecisionBlock>,
    restriction: Option<Restriction>,
}

/// The case item.
fn case_item(entry: AgendaFile, item: Resolved, start: Clock) -> CaseItem {
    CaseItem {
        case: item.case,
        paper_title: entry.paper_title,
        title: item.title,
        decision_heading: entry.decision_heading,
        kind: item.kind,
        standing: item.standing,
        description: entry.description,
        presenters: item.presenters,
        start,
        duration: entry.duration.unwrap_or(0),
        paper: item.paper,
        blocks: item.blocks,
        assets: Box::new(Assets {
            files: item.files,
            attachments: item.attachments,
        }),
        proposed: item.decisions,
        earlier_decisions: item.earlier_decisions,
        postponed: entry.postponed,
        restriction: item.restriction,
        public_title: entry.public_title,
        withheld: false,
        case_officer: entry.case_officer,
        archive_ref: entry.archive_ref,
    }
}

/// Whether the item is exempt (`exempt: <basis>`) or closed (`closed: true`
/// or `closed: <basis>`); not both, and never with an empty basis.
fn resolve_restriction(
    ctx: &ItemContext<'_>,
    entry: &mut AgendaFile,
    diags: &mut Diagnostics,
) -> Option<Restriction> {
    let exempt = entry.exempt.take().map(|basis| Restriction {
        kind: RestrictionKind::Exempt,
        basis: Some(basis),
    });
    let closed = entry
        .closed
        .take()
        .and_then(|spec| closed_restriction(spec, RestrictionKind::Closed));
    if exempt.is_some() && closed.is_some() {
        diags.push(
            ctx.file
                .error(&ctx.sub("closed"), "an item is either `exempt` or `closed`, not both")
                .hint("write `exempt:` with the legal basis for an exempt paper, `closed:` for an item dealt with behind closed doors"),
        );
    }
    let field = if exempt.is_some() { "exempt" } else { "closed" };
    let restriction = exempt.or(closed)?;
    check_basis(ctx.file, &ctx.sub(field), &restriction, diags);
    Some(restriction)
}

/// The restriction a `closed` field makes: none for `false`.
pub(crate) fn closed_restriction(spec: ClosedSpec, kind: RestrictionKind) -> Option<Restriction> {
    match spec {
        ClosedSpec::Flag(false) => None,
        ClosedSpec::Flag(true) => Some(Restriction { kind, basis: None }),
        ClosedSpec::Basis(basis) => Some(Restriction {
            kind,
            basis: Some(basis),
        }),
    }
}

/// Reports a legal basis written empty.
pub(crate) fn check_basis(
    file: &SourceFile,
    field: &str,
    restriction: &Restriction,
    diags: &mut Diagnostics,
) {
    if restriction
        .basis
        .as_deref()
        .is_some_and(|b| b.trim().is_empty())
    {
        diags.push(
            file.error(field, "the legal basis is empty")
                .hint("write the legal basis as it should print, such as \"Offl. § 13 jf. fvl. § 13\" or \"koml. § 11-5\""),
        );
    }
}

/// The presenters, each a member of the roster or a guest.
fn resolve_presenters(
    ctx: &ItemContext<'_>,
    spec: Option<PresenterSpec>,
    diags: &mut Diagnostics,
) -> Vec<Person> {
    let (list, is_list) = match spec {
        None => return Vec::new(),
        Some(PresenterSpec::One(p)) => (vec![p], false),
        Some(PresenterSpec::Many(ps)) => (ps, true),
    };
    let mut out = Vec::new();
    for (i, person) in list.into_iter().enumerate() {
        let field = if is_list {
            format!("{}.presenter[{i}]", ctx.field)
        } else {
            ctx.sub("presenter")
        };
        match person {
            PersonSpec::Id(id) => {
                out.extend(resolve_member(ctx.file, &field, &id, ctx.body, diags))
            }
            PersonSpec::Guest {
                name,
                organisation,
                title,
            } => {
                out.push(Person {
                    name,
                    organisation,
                    member_id: None,
                    title,
                });
            }
        }
    }
    out
}
