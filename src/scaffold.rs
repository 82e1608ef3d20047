//! Scaffold stage, `motebok new`: the next meeting's skeleton, numbered from the meetings before it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::derive::norwegian_date;
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::load::{MEETING_FILE, load_project};
use crate::model::{BodyContent, CaseNumber, Date, MeetingNumber, Series};
use crate::text::quote_string as yaml_string;

/// What `motebok new` wrote.
#[derive(Debug)]
pub struct NewMeeting {
    /// The meeting file written.
    pub path: PathBuf,
    /// The new meeting's number (`8/2020`).
    pub number: String,
    /// The case numbers given to the standing items.
    pub cases: Vec<String>,
}

/// Writes the skeleton of `body`'s next meeting on `date` into `content`.
///
/// Never overwrites: an existing meeting folder is an error.
pub fn new_meeting(content: &Path, body_id: &str, date: Date) -> Result<NewMeeting, Diagnostics> {
    let (project, diags) = load_project(content);
    let errors = |d: Diagnostic| {
        let mut all = Diagnostics::default();
        all.push(d);
        all
    };
    let found = project.bodies.iter().position(|b| b.body.id == body_id);
    let Some(body) = found.map(|i| &project.bodies[i]) else {
        if diags.has_errors() {
            return Err(diags);
        }
        let ids: Vec<&str> = project.bodies.iter().map(|b| b.body.id.as_str()).collect();
        let mut diag = Diagnostic::error(format!("no body `{body_id}` in {}", content.display()))
            .in_file(content);
        diag = match did_you_mean(body_id, ids.iter().copied()) {
            Some(best) => diag.hint(format!("did you mean `{best}`?")),
            None => diag.hint(format!("the bodies are: {}", ids.join(", "))),
        };
        return Err(errors(diag));
    };
    if diags.has_errors() {
        return Err(diags);
    }
    let (text, number, cases, slug) = skeleton(body, date)?;
    let dir = project.sources.body_dir(found.unwrap_or(0)).join(&slug);
    if dir.exists() {
        return Err(errors(
            Diagnostic::error(format!(
                "meeting folder {} already exists; motebok new never overwrites",
                dir.display()
            ))
            .in_file(&dir)
            .hint("edit the existing meeting, or give another --date"),
        ));
    }
    let path = dir.join(MEETING_FILE);
    if let Some(diag) = write_meeting(&path, &text) {
        return Err(errors(diag));
    }
    Ok(NewMeeting {
        path,
        number,
        cases,
    })
}

/// Writes the new meeting file `path` (and its `saker` folder) with `text`;
/// the error, if it could not.
fn write_meeting(path: &Path, text: &str) -> Option<Diagnostic> {
    let dir = path.parent().unwrap_or(Path::new("."));
    match fs::create_dir_all(dir.join("saker")).and_then(|()| write_new(path, text.as_bytes())) {
        Ok(()) => None,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Some(
            Diagnostic::error(format!(
                "{} was written by someone else meanwhile; motebok new never overwrites",
                path.display()
            ))
            .in_file(path)
            .hint("edit the existing meeting, or give another --date"),
        ),
        Err(err) => Some(Diagnostic::error(format!(
            "failed to write {} ({err})",
            path.display()
        ))),
    }
}

/// Writes `bytes` to a new file at `path`; fails with `AlreadyExists` when
/// there is one, so two `motebok new` at once never overwrite each other.
/// The bytes go to a hidden temporary file first, which is then linked to
/// `path` (a link never replaces a file): another run reading the folder
/// meanwhile sees no file or the whole file, never a half-written one.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.motebok-{}.tmp", std::process::id()));
    let written = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| fs::hard_link(&temp, path));
    let _ = fs::remove_file(&temp);
    written
}

/// The text of the next meeting's `meeting.yaml`, its number, case numbers and folder name.
fn skeleton(
    content: &BodyContent,
    date: Date,
) -> Result<(String, String, Vec<String>, String), Diagnostics> {
    if let Some(last) = content.meetings.last()
        && last.date >= date
    {
        let mut all = Diagnostics::default();
        all.push(
            Diagnostic::error(format!(
                "the new meeting's date {} is not after the latest meeting {} ({})",
                norwegian_date(date),
                last.number,
                norwegian_date(last.date)
            ))
            .hint("give the date with --date YYYY-MM-DD"),
        );
        return Err(all);
    }
    let (number, cases) = next_numbers(content, date);
    let slug = format!("{}-{:02}", date.year, number.number);
    let number = number.to_string();
    let cases: Vec<String> = cases.iter().map(CaseNumber::to_string).collect();
    let text = skeleton_text(content, &number, &cases, date);
    Ok((text, number, cases, slug))
}

/// The next meeting number of `date`'s year, and the next two case numbers
/// of the body's first series.
fn next_numbers(content: &BodyContent, date: Date) -> (MeetingNumber, [CaseNumber; 2]) {
    let number_in_year = content
        .meetings
        .iter()
        .filter(|m| m.number.year == date.year)
        .map(|m| m.number.number)
        .max()
        .unwrap_or(0)
        + 1;
    let first = next_case(content, date, content.body.case_format.default_series());
    let number = MeetingNumber {
        number: number_in_year,
        year: date.year,
    };
    (number, [first, first.with_number(first.number + 1)])
}

/// The next free case number of `series` in `date`'s year.
fn next_case(content: &BodyContent, date: Date, series: Series) -> CaseNumber {
    let yy = date.year.rem_euclid(100) as u32;
    let last_case = content
        .meetings
        .iter()
        .flat_map(|m| m.cases())
        .map(|c| c.case)
        .filter(|c| c.year == yy && c.series == series)
        .map(|c| c.number)
        .max()
        .unwrap_or(0);
    content.body.case_format.number(series, last_case + 1, yy)
}

/// A comment naming the next free number of each series after the first
/// (none for a body with one series), for items added by hand.
fn other_series(content: &BodyContent, date: Date) -> String {
    let format = &content.body.case_format;
    let mut out = String::new();
    for &series in format.series.iter().skip(1) {
        let next = next_case(content, date, series);
        out.push_str(&format!(
            "  # Neste ledige i serien {}: {next} (`series: {}` og `case: auto`).\n",
            series.as_str(),
            series.as_str()
        ));
    }
    out
}

/// The text of the new `meeting.yaml`.
fn skeleton_text(content: &BodyContent, number: &str, cases: &[String], date: Date) -> String {
    let body = &content.body;
    let last = content.meetings.last();
    let chair = body.leader().map(|m| m.id.clone());
    let mut out = crate::schema::ContentFile::Meeting.modeline();
    out.push_str(&format!(
        "# Møte {number} i {} (laget med `motebok new`).\n",
        body.name
    ));
    out.push_str(
        "# Fyll inn sakene mellom godkjenning av referat og eventuelt; se docs/content.md.\n",
    );
    out.push_str(&format!("number: {number}\n"));
    out.push_str(&format!("date: {date}\n"));
    out.push_str("# `planned`: bygges for sekretariatet, men publiseres ikke. Sett `sent` når innkallingen er sendt.\n");
    out.push_str("status: planned\n");
    match last {
        Some(m) => {
            // A meeting without a start time has an untimed agenda: so has the next.
            if let Some(start) = m.start {
                out.push_str(&format!("start: \"{start}\"\n"));
            }
            out.push_str(&format!("place: {}\n", yaml_string(&m.place)));
        }
        None => {
            out.push_str("start: \"10:00\"\n");
            out.push_str(&format!("place: {}\n", yaml_string(&body.organisation)));
        }
    }
    if let Some(chair) = &chair {
        out.push_str(&format!("chair: {chair}\n"));
    }
    out.push_str("agenda:\n");
    let presenter = chair
        .as_ref()
        .map(|c| format!("    presenter: {c}\n"))
        .unwrap_or_default();
    out.push_str(&format!("  - case: {}\n    standing: innkalling\n    kind: godkjenning\n{presenter}    duration: 5\n\n", cases[0]));
    out.push_str(&format!("  - case: {}\n    standing: referat\n    kind: godkjenning\n{presenter}    duration: 5\n\n", cases[1]));
    out.push_str("  # - case: auto\n  #   title: \n  #   kind: orientering\n  #   duration: 20\n  #   paper: saker/<nr>-<år>.md\n\n");
    out.push_str(&other_series(content, date));
    out.push_str("  # `auto` takes the next free number, after the items above.\n");
    out.push_str("  - case: auto\n    standing: eventuelt\n    duration: 5\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_meeting_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meeting.yaml");
        write_new(&path, b"number: 7/2021\n").unwrap();
        let err = write_new(&path, b"number: 8/2021\n").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).unwrap(), b"number: 7/2021\n");
    }
}
