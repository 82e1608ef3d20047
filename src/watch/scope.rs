//! Watch stage, scope: which meetings the errors of a load reach, so that watch
//! builds every other meeting.
//!
//! A meeting's documents read its own files, its body, the templates, and the
//! meetings before it in date order (previous minutes, case numbers, action
//! points). So an error in the templates, the content folder or outside any
//! body reaches everything; one in a body's own files reaches the body; one in
//! a meeting's folder reaches that meeting and the meetings after it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostics;
use crate::fsread::{self, Root};
use crate::load::{MAX_FILE_BYTES, MEETING_FILE};
use crate::model::{Date, Project};

use super::{absolute, as_named};

/// Where each meeting folder stood in its body's date order the last time it
/// loaded: a meeting that no longer loads keeps its place, so the meetings
/// before it are still built.
#[derive(Debug, Default)]
pub(super) struct Places(HashMap<PathBuf, Date>);

impl Places {
    /// Records the date of every meeting that loaded.
    pub(super) fn record(&mut self, project: &Project) {
        for (b, content) in project.bodies.iter().enumerate() {
            for (m, meeting) in content.meetings.iter().enumerate() {
                let dir = absolute(project.sources.meeting_dir(b, m));
                self.0.insert(dir, meeting.date);
            }
        }
    }
}

/// What the errors of one load reach.
#[derive(Debug, Default)]
pub(super) struct Blocked {
    /// Everything: the templates, the content folder, or an error outside any body.
    all: bool,
    /// Body folders reached as a whole.
    bodies: BTreeSet<PathBuf>,
    /// Per body folder: the place in date order from which its meetings are reached.
    from: BTreeMap<PathBuf, (Date, PathBuf)>,
    /// The folders the errors are in, relative to the content folder (`rad/2024-01`).
    sources: BTreeSet<String>,
}

impl Blocked {
    /// What the errors among `diagnostics` reach (in the project loaded from
    /// `content`, its places recorded in `places`); `templates_ok` is false
    /// when the templates did not load.
    pub(super) fn find(
        templates_ok: bool,
        diagnostics: &Diagnostics,
        content: &Path,
        places: &Places,
    ) -> Blocked {
        let mut blocked = Blocked {
            all: !templates_ok,
            ..Blocked::default()
        };
        for diag in diagnostics.0.iter().filter(|d| d.is_error()) {
            let rel = diag
                .file
                .as_deref()
                .map(as_named)
                .and_then(|f| f.strip_prefix(content).ok().map(Path::to_path_buf));
            let parts: Vec<&std::ffi::OsStr> = rel.iter().flat_map(|r| r.iter()).collect();
            let is_date = diag.field.as_deref() == Some("date");
            match parts.as_slice() {
                [body, meeting, _, ..] => {
                    let body_dir = content.join(body);
                    let dir = body_dir.join(meeting);
                    blocked.sources.insert(name_of(&[body, meeting]));
                    match place(places, content, &dir).filter(|_| !is_date) {
                        Some(at) => blocked.reach_from(body_dir, at),
                        None => {
                            blocked.bodies.insert(body_dir);
                        }
                    }
                }
                [body, _] => {
                    blocked.sources.insert(name_of(&[body]));
                    blocked.bodies.insert(content.join(body));
                }
                _ => blocked.all = true,
            }
        }
        blocked
    }

    /// Moves the start of the body's reached meetings back to `at` when earlier.
    fn reach_from(&mut self, body_dir: PathBuf, at: (Date, PathBuf)) {
        let from = self.from.entry(body_dir).or_insert_with(|| at.clone());
        if at < *from {
            *from = at;
        }
    }

    /// Whether an error reaches meeting `meeting` of body `body`.
    pub(super) fn reaches(&self, project: &Project, body: usize, meeting: usize) -> bool {
        if self.all {
            return true;
        }
        let body_dir = absolute(project.sources.body_dir(body));
        if self.bodies.contains(&body_dir) {
            return true;
        }
        self.from.get(&body_dir).is_some_and(|from| {
            let date = project.bodies[body].meetings[meeting].date;
            let dir = absolute(project.sources.meeting_dir(body, meeting));
            (date, dir) >= *from
        })
    }

    /// Whether the errors reach everything.
    pub(super) fn everything(&self) -> bool {
        self.all
    }

    /// The folders the errors are in (`rad/2024-01`, `rad` for a body's own files).
    pub(super) fn sources(&self) -> Vec<String> {
        self.sources.iter().cloned().collect()
    }
}

/// The place of the meeting folder `dir` (in the content folder `content`)
/// in its body's date order: the earlier of where it last loaded (now, when
/// it did: see [`Places::record`]) and the date its meeting file gives on a
/// line of its own. A meeting broken in the save that moved it earlier
/// reaches the meetings after its new date too, which read it once it loads;
/// one that never loaded is placed by its file alone.
fn place(places: &Places, content: &Path, dir: &Path) -> Option<(Date, PathBuf)> {
    let recorded = places.0.get(dir).copied();
    let written = written_date(content, &dir.join(MEETING_FILE));
    let date = match (recorded, written) {
        (Some(recorded), Some(written)) => recorded.min(written),
        (recorded, written) => recorded.or(written)?,
    };
    Some((date, dir.to_path_buf()))
}

/// The date on the top-level `date: YYYY-MM-DD` line of the meeting file at
/// `path`, read as text: the file may not load as a meeting (its YAML broken,
/// a field wrong) while its date line is whole. `None` without such a line.
fn written_date(content: &Path, path: &Path) -> Option<Date> {
    Date::parse(&written_value(content, path, "date")?)
}

/// The value on the top-level `key: value` line of the YAML file at `path`
/// (in the content folder `content`), read as text, so that it is known
/// while the file does not load: unquoted, without a trailing comment.
pub(super) fn written_value(content: &Path, path: &Path, key: &str) -> Option<String> {
    let bytes = fsread::read_file(Root::content(content), path, MAX_FILE_BYTES).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    text.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?.trim();
        let value = value.split(" #").next().unwrap_or(value).trim();
        let value = value.trim_matches(['"', '\'']);
        (!value.is_empty()).then(|| value.to_owned())
    })
}

/// `a/b` from path parts.
fn name_of(parts: &[&&std::ffi::OsStr]) -> String {
    parts
        .iter()
        .map(|p| p.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::diagnostic::Diagnostic;

    /// The cycle fixture (three meetings of `rad`) and its content folder.
    fn cycle() -> (Project, PathBuf) {
        let content = absolute(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cycle"));
        let (project, diagnostics) = crate::load::load_project(&content);
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        (project, content)
    }

    /// The meetings (slugs) an error in `file` (relative to the content) reaches.
    fn reached(file: Option<&str>, field: Option<&str>, places: &Places) -> Vec<String> {
        let (project, content) = cycle();
        let mut diag = Diagnostic::error("feil");
        diag.file = file.map(|f| content.join(f));
        diag.field = field.map(str::to_owned);
        let blocked = Blocked::find(true, &Diagnostics::from(vec![diag]), &content, places);
        let meetings = &project.bodies[0].meetings;
        (0..meetings.len())
            .filter(|&m| blocked.reaches(&project, 0, m))
            .map(|m| meetings[m].slug.clone())
            .collect()
    }

    /// The date of a meeting file that does not load, from its own line.
    #[test]
    fn a_broken_meeting_file_gives_its_date_line() {
        let dir = tempfile::tempdir().unwrap();
        let content = absolute(dir.path());
        let file = content.join("meeting.yaml");
        let cases = [
            ("number: [1/2024\ndate: 2024-02-14\n", Some((2024, 2, 14))),
            ("date: \"2024-02-14\"  # onsdag\n", Some((2024, 2, 14))),
            ("date: '2024-02-14'\n", Some((2024, 2, 14))),
            // Indented: a field of something else, not the meeting's date.
            ("previous_meeting:\n  date: 2023-12-06\n", None),
            ("date: 2024-02-30\n", None),
            ("date: i morgen\n", None),
            ("", None),
        ];
        for (text, expected) in cases {
            fs::write(&file, text).unwrap();
            let date = written_date(&content, &file).map(|d| (d.year, d.month, d.day));
            assert_eq!(date, expected, "{text:?}");
        }
    }

    /// A meeting moved earlier in the save that broke it is placed by its new
    /// date (before, by the date it last loaded with, so the meetings between
    /// were built without it); moved later, by where it was.
    #[test]
    fn a_broken_meeting_is_placed_by_the_earlier_of_its_dates() {
        let dir = tempfile::tempdir().unwrap();
        let content = absolute(dir.path());
        let meeting = content.join("rad/2024-01");
        fs::create_dir_all(&meeting).unwrap();
        let mut places = Places::default();
        let loaded = Date::parse("2024-01-18").unwrap();
        places.0.insert(meeting.clone(), loaded);
        let date_of = |text: &str| {
            fs::write(meeting.join(MEETING_FILE), text).unwrap();
            place(&places, &content, &meeting).map(|(d, _)| (d.year, d.month, d.day))
        };
        assert_eq!(
            date_of("number: [1/2024\ndate: 2023-05-20\n"),
            Some((2023, 5, 20))
        );
        assert_eq!(
            date_of("number: [1/2024\ndate: 2024-03-01\n"),
            Some((2024, 1, 18))
        );
        assert_eq!(date_of("number: [1/2024\ndate: [\n"), Some((2024, 1, 18)));
        fs::remove_file(meeting.join(MEETING_FILE)).unwrap();
        assert_eq!(
            place(&places, &content, &meeting).map(|(d, _)| d),
            Some(loaded)
        );
        assert_eq!(place(&Places::default(), &content, &meeting), None);
    }

    #[test]
    fn errors_reach_their_meeting_and_the_meetings_after_it() {
        let (project, _) = cycle();
        let mut places = Places::default();
        places.record(&project);
        let all = ["2023-05", "2023-06", "2024-01"];
        let cases: [(Option<&str>, Option<&str>, &[&str]); 6] = [
            (Some("rad/2023-06/meeting.yaml"), None, &all[1..]),
            (Some("rad/2024-01/minutes.yaml"), None, &all[2..]),
            (Some("rad/2023-05/saker/01.md"), None, &all),
            // A broken date moves the meeting first in its body.
            (Some("rad/2024-01/meeting.yaml"), Some("date"), &all),
            (Some("rad/body.yaml"), None, &all),
            (None, None, &all),
        ];
        for (file, field, expected) in cases {
            assert_eq!(reached(file, field, &places), expected, "{file:?}");
        }
        // A meeting that never loaded has no known place: its error reaches the whole body.
        assert_eq!(
            reached(Some("rad/2023-09/meeting.yaml"), None, &Places::default()),
            all
        );
    }
}
