//! `motebok approve`: turns a meeting's draft minutes into final ones, in
//! `minutes.yaml` itself: `status: final` with the approval, every
//! `decision: as_proposed` replaced by the decision text as adopted, and a
//! digest of the cases as approved (see [`crate::load::approved`]).
//!
//! The file is edited line by line, so comments, order and layout stay as
//! they were; only the lines changed are rewritten. What it cannot keep: the
//! `comments_by` line (with any comment on it), which final minutes do not
//! print, goes. An item written on one line (`- { case: 3/24, decision:
//! as_proposed }`) is not rewritten: approve asks for it on lines of its own.

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::load::approved::{DIGEST_FIELD, meeting_digest, read_minutes_text};
use crate::load::{MINUTES_FILE, load_project};
use crate::model::{Adopted, CaseNumber, Date, MeetingNumber, MinutesStatus, Project};
use crate::output::write_atomic;
use crate::render::Renderer;
use crate::text::quote_string;
use crate::view::Phrases;

/// What to approve, resolved from the command line.
#[derive(Debug, Clone)]
pub struct ApproveConfig {
    /// The content folder.
    pub content: PathBuf,
    /// The templates folder (for the wording of formulaic decisions).
    pub templates: PathBuf,
    /// `<body>/<meeting>`.
    pub meeting: String,
    /// The date the minutes were approved.
    pub date: Date,
    /// The meeting that approved them.
    pub at: Option<MeetingNumber>,
}

/// The approval written into the minutes.
#[derive(Debug, Clone)]
pub struct Approval {
    /// Date approved.
    pub date: Date,
    /// The approving meeting.
    pub at: Option<MeetingNumber>,
    /// The decision text adopted for each case recorded `as_proposed`.
    pub decisions: Vec<(CaseNumber, Vec<String>)>,
    /// The digest of the meeting's cases.
    pub digest: Vec<(CaseNumber, String)>,
}

/// Approves the draft minutes of `config.meeting`; returns what was done.
pub fn approve(config: &ApproveConfig) -> Result<String, Vec<Diagnostic>> {
    let fail = |message: String| vec![Diagnostic::error(message)];
    let (project, diags) = load_project(&config.content);
    if diags.has_errors() {
        return Err(diags.0);
    }
    let renderer = Renderer::load(&config.templates, &[])?;
    let (b, m) = find(&project, &config.meeting).ok_or_else(|| {
        fail(format!(
            "no meeting `{}` in {}: name it as <body>/<meeting folder>, such as `nehs/2020-07`",
            config.meeting,
            config.content.display()
        ))
    })?;
    let body = &project.bodies[b].body;
    let meeting = &project.bodies[b].meetings[m];
    let minutes = match &meeting.minutes {
        Some(minutes) if minutes.status == MinutesStatus::Draft => minutes,
        Some(_) => {
            return Err(fail(format!(
                "the minutes of {} are already final",
                config.meeting
            )));
        }
        None => {
            return Err(fail(format!(
                "{} has no minutes to approve",
                config.meeting
            )));
        }
    };
    if config.date < meeting.date {
        return Err(fail(format!(
            "--date {}: the minutes cannot be approved before the meeting ({})",
            config.date, meeting.date
        )));
    }
    let phrases = Phrases::new(renderer.labels(), body, meeting);
    let decisions = (minutes.items.iter())
        .filter(|i| i.decision == Some(Adopted::AsProposed))
        .filter_map(|i| Some((i.case, phrases.proposed(meeting.case(i.case)?))))
        .collect();
    let approval = Approval {
        date: config.date,
        at: config.at,
        decisions,
        digest: meeting_digest(meeting),
    };
    let dir = project.sources.meeting_dir(b, m).to_path_buf();
    let original = read_minutes_text(&config.content, &dir).map_err(|d| d.0)?;
    let text = approve_text(&original, &approval)
        .map_err(|message| fail(format!("{}: {message}", dir.join(MINUTES_FILE).display())))?;
    write_checked(config, &dir.join(MINUTES_FILE), &original, &text)?;
    Ok(format!(
        "approved the minutes of {}: final, approved {}{}; wrote out {} decision(s) recorded as `as_proposed`; recorded the digest of {} case(s) in `{DIGEST_FIELD}`",
        config.meeting,
        config.date,
        config
            .at
            .map(|n| format!(" in møte {n}"))
            .unwrap_or_default(),
        approval.decisions.len(),
        approval.digest.len(),
    ))
}

/// Writes the approved minutes, and puts the draft back if the content no
/// longer loads without errors.
fn write_checked(
    config: &ApproveConfig,
    path: &std::path::Path,
    original: &str,
    text: &str,
) -> Result<(), Vec<Diagnostic>> {
    let write = |bytes: &str| {
        write_atomic(path, bytes.as_bytes()).map_err(|err| {
            vec![Diagnostic::error(format!(
                "failed to write {} ({err})",
                path.display()
            ))]
        })
    };
    write(text)?;
    let (_, diags) = load_project(&config.content);
    if diags.has_errors() {
        write(original)?;
        let mut errors = diags.0;
        errors.push(Diagnostic::error(format!(
            "the approved minutes did not load, so {} is left as it was",
            path.display()
        )));
        return Err(errors);
    }
    Ok(())
}

/// The body and meeting index of `<body>/<meeting>`.
fn find(project: &Project, name: &str) -> Option<(usize, usize)> {
    let (body, meeting) = name.trim_end_matches('/').split_once('/')?;
    let b = project.bodies.iter().position(|c| c.body.id == body)?;
    let m = (project.bodies[b].meetings.iter()).position(|m| m.slug == meeting)?;
    Some((b, m))
}

/// The text of draft minutes approved: line by line, keeping everything else.
pub fn approve_text(text: &str, approval: &Approval) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 512);
    let mut case: Option<String> = None;
    let mut written = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = &content[..content.len() - content.trim_start().len()];
        let body = content.trim_start().trim_start_matches("- ").trim_start();
        if let Some(rest) = body.strip_prefix("case:") {
            case = Some(yaml_scalar(rest));
        }
        if indent.is_empty() && body.starts_with("comments_by:") {
            continue;
        }
        if indent.is_empty()
            && content.starts_with("status:")
            && yaml_scalar(&content[7..]) == "draft"
        {
            out.push_str(&content.replacen("draft", "final", 1));
            out.push('\n');
            out.push_str(&approved_line(approval));
            continue;
        }
        if body.starts_with("decision:") && yaml_scalar(&body[9..]) == "as_proposed" {
            let prefix = &content[..content.len() - body.len()];
            out.push_str(&decision_lines(prefix, case.as_deref(), approval)?);
            written += 1;
            continue;
        }
        if content.contains("as_proposed") && !content.trim_start().starts_with('#') {
            return Err(format!(
                "cannot rewrite `{}`: write the item with `case:` and `decision:` on lines of their own",
                content.trim()
            ));
        }
        out.push_str(line);
    }
    if written != approval.decisions.len() {
        return Err(format!(
            "found {written} `decision: as_proposed` line(s) for {} decision(s) adopted as proposed",
            approval.decisions.len()
        ));
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&digest_lines(approval));
    Ok(out)
}

/// A YAML scalar as written after its key: quotes and a trailing comment removed.
fn yaml_scalar(rest: &str) -> String {
    let value = rest.split(" #").next().unwrap_or_default().trim();
    value.trim_matches(|c| c == '"' || c == '\'').to_owned()
}

fn approved_line(approval: &Approval) -> String {
    match approval.at {
        Some(at) => format!("approved: {{ date: {}, meeting: {at} }}\n", approval.date),
        None => format!("approved: {{ date: {} }}\n", approval.date),
    }
}

/// `decision:` with the text adopted for `case`, at the place of `as_proposed`
/// (`prefix` is what came before `decision:` on its line).
fn decision_lines(prefix: &str, case: Option<&str>, approval: &Approval) -> Result<String, String> {
    let case = case.ok_or("`decision: as_proposed` before any `case:`")?;
    let texts = approval
        .decisions
        .iter()
        .find(|(c, _)| c.to_string() == case)
        .map(|(_, texts)| texts)
        .ok_or_else(|| {
            format!("`decision: as_proposed` after `case: {case}`, which has no proposed decision to adopt; write `case:` first in each item")
        })?;
    let indent = " ".repeat(prefix.chars().count());
    Ok(match texts.as_slice() {
        [one] => format!("{prefix}decision: {}\n", quote_string(one)),
        many => {
            let mut out = format!("{prefix}decision:\n");
            for text in many {
                out.push_str(&format!("{indent}  - {}\n", quote_string(text)));
            }
            out
        }
    })
}

fn digest_lines(approval: &Approval) -> String {
    let mut out = format!(
        "# Skrevet av `motebok approve` {}: et fingeravtrykk av hver sak slik den var da\n# referatet ble godkjent. motebok varsler om saker som er endret siden.\n{DIGEST_FIELD}:\n",
        approval.date
    );
    for (case, hash) in &approval.digest {
        out.push_str(&format!("  \"{case}\": \"{hash}\"\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval() -> Approval {
        let case = |t| CaseNumber::parse(t).unwrap();
        Approval {
            date: Date::parse("2021-11-10").unwrap(),
            at: MeetingNumber::parse("7/2021"),
            decisions: vec![
                (
                    case("34/21"),
                    vec!["Programstyret godkjenner \"innkallingen\".".into()],
                ),
                (case("37/21"), vec!["Første.".into(), "Andre.".into()]),
            ],
            digest: vec![(case("34/21"), "00ff".into())],
        }
    }

    #[test]
    fn draft_minutes_become_final_keeping_comments_and_layout() {
        let draft = "# Utkast.\nstatus: draft  # til kommentar\nsent: 2021-10-27\ncomments_by: 2021-11-03\nitems:\n  - case: 34/21\n    decision: as_proposed # som foreslått\n  - case: 36/21\n    notes: Uten underlag.\n  - decision: as_proposed\n    case: 37/21\n";
        let err = approve_text(draft, &approval()).unwrap_err();
        assert!(
            err.contains("case: 36/21"),
            "the case before it counts: {err}"
        );

        let draft = draft.replace(
            "  - decision: as_proposed\n    case: 37/21\n",
            "  - case: 37/21\n    decision: as_proposed\n",
        );
        let text = approve_text(&draft, &approval()).unwrap();
        assert_eq!(
            text,
            concat!(
                "# Utkast.\n",
                "status: final  # til kommentar\n",
                "approved: { date: 2021-11-10, meeting: 7/2021 }\n",
                "sent: 2021-10-27\n",
                "items:\n",
                "  - case: 34/21\n",
                "    decision: \"Programstyret godkjenner \\\"innkallingen\\\".\"\n",
                "  - case: 36/21\n",
                "    notes: Uten underlag.\n",
                "  - case: 37/21\n",
                "    decision:\n",
                "      - \"Første.\"\n",
                "      - \"Andre.\"\n",
                "# Skrevet av `motebok approve` 2021-11-10: et fingeravtrykk av hver sak slik den var da\n",
                "# referatet ble godkjent. motebok varsler om saker som er endret siden.\n",
                "approved_digest:\n",
                "  \"34/21\": \"00ff\"\n",
            )
        );
    }

    #[test]
    fn items_on_one_line_are_not_rewritten() {
        let draft = "status: draft\nitems:\n  - { case: 34/21, decision: as_proposed }\n";
        let err = approve_text(draft, &approval()).unwrap_err();
        assert!(err.contains("lines of their own"), "{err}");
    }
}
