//! Load stage, identity: what names a body's or a meeting's output must be
//! theirs alone (body ids, meeting numbers within a body), bounded, and agree
//! with the folder it is in; a meeting's `meeting.yaml` read and typed with
//! its number and date checked, before it is resolved.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::schema::MeetingFile;
use super::source::{MEETING_FILE, SourceFile, read_yaml, typed};
use crate::diagnostic::Diagnostics;
use crate::model::{Date, MeetingNumber};

/// The highest meeting number a body can use in a year: a bound on what content
/// can make motebok count to (`motebok new` adds one to the highest).
pub(crate) const MAX_MEETING_NUMBER: u32 = 9999;

/// A meeting file read and typed, not yet resolved against the body.
pub(crate) struct RawMeeting {
    /// The meeting folder.
    pub(crate) dir: PathBuf,
    pub(crate) file: SourceFile,
    pub(crate) raw: MeetingFile,
    /// The meeting date, when valid.
    pub(crate) date: Option<Date>,
}

/// Reads one meeting folder's `meeting.yaml`.
pub(crate) fn read_meeting(
    content_dir: &Path,
    dir: &Path,
    diags: &mut Diagnostics,
) -> Option<RawMeeting> {
    let (file, value) = read_yaml(content_dir, &dir.join(MEETING_FILE), diags)?;
    let raw: MeetingFile = typed(&file, "", value, diags)?;
    let date = Date::parse(&raw.date);
    if date.is_none() {
        diags.push(
            file.error("date", format!("`{}` is not a valid date", raw.date))
                .hint("write the date as YYYY-MM-DD, such as 2020-12-16"),
        );
    }
    let number = MeetingNumber::parse(&raw.number).filter(|n| n.number <= MAX_MEETING_NUMBER);
    check_folder_name(&file, dir, number, date, diags);
    Some(RawMeeting {
        dir: dir.to_path_buf(),
        file,
        raw,
        date,
    })
}

impl RawMeeting {
    /// `meeting.yaml`.
    pub(crate) fn file(&self) -> &SourceFile {
        &self.file
    }

    /// The meeting number as written.
    pub(crate) fn number(&self) -> &str {
        &self.raw.number
    }
}

/// Reports meetings of a body with the same number, naming both files;
/// `raws` are in date order, so the later one is reported.
pub(crate) fn check_unique_numbers(raws: &[RawMeeting], diags: &mut Diagnostics) {
    let mut seen: HashMap<MeetingNumber, &Path> = HashMap::new();
    for raw in raws {
        let Some(number) = MeetingNumber::parse(raw.number()) else {
            continue;
        };
        match seen.get(&number) {
            Some(other) => diags.push(
                raw.file()
                    .error(
                        "number",
                        format!(
                            "meeting number {number} is already used by {}",
                            other.display()
                        ),
                    )
                    .hint("each meeting of a body has its own number: the running number within the year"),
            ),
            None => {
                seen.insert(number, &raw.file().path);
            }
        }
    }
}

/// Warns when the meeting folder's name, written `YYYY-NN` (year and meeting
/// number, as `motebok new` names it) or `YYYY-MM-DD` (the date), disagrees
/// with the meeting's number or date. Other names are not checked.
pub(crate) fn check_folder_name(
    file: &SourceFile,
    dir: &Path,
    number: Option<MeetingNumber>,
    date: Option<Date>,
    diags: &mut Diagnostics,
) {
    let Some(name) = dir.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let (field, what) = match (folder_name_form(name), number, date) {
        (FolderName::Date(d), _, Some(date)) if d != date => ("date", format!("date {date}")),
        (FolderName::Number(year, n), Some(number), _)
            if (year, n) != (number.year, number.number) =>
        {
            let expected = format!("{}-{:02}", number.year, number.number);
            (
                "number",
                format!("number {number} (it would be `{expected}`)"),
            )
        }
        (FolderName::Number(year, _), _, Some(date)) if year != date.year => {
            ("date", format!("date {date}: the year differs"))
        }
        _ => return,
    };
    diags.push(
        file.warning(
            field,
            format!("the meeting folder `{name}` does not match the meeting's {what}"),
        )
        .hint("rename the folder or correct the meeting; its documents are written to a folder of the folder's name"),
    );
}

/// What a meeting folder's name says, when it follows a known form.
enum FolderName {
    /// `YYYY-MM-DD`.
    Date(Date),
    /// `YYYY-NN`: year and meeting number.
    Number(i32, u32),
    /// Any other name.
    Other,
}

fn folder_name_form(name: &str) -> FolderName {
    if let Some(date) = Date::parse(name) {
        return FolderName::Date(date);
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match name.split_once('-') {
        Some((y, n)) if y.len() == 4 && digits(y) && digits(n) && n.len() <= 4 => {
            match (y.parse(), n.parse()) {
                (Ok(year), Ok(number)) => FolderName::Number(year, number),
                _ => FolderName::Other,
            }
        }
        _ => FolderName::Other,
    }
}

/// Whether `text` is written `N/Y…` with digits only and a year of `year_digits`.
pub(crate) fn is_number_form(text: &str, year_digits: usize) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    text.split_once('/').is_some_and(|(n, y)| {
        digits(n) && digits(y) && y.len() == year_digits && n.bytes().any(|b| b != b'0')
    })
}

/// Reports a body id that an earlier body took: the output folder is named by
/// it, so two bodies would write over each other's files.
pub(crate) fn check_unique_id(
    file: &SourceFile,
    id: &str,
    ids: &mut HashMap<String, PathBuf>,
    diags: &mut Diagnostics,
) {
    match ids.get(id) {
        Some(other) => diags.push(
            file.error(
                "id",
                format!(
                    "body id `{id}` is already the id of {}; both would write to output/{id}",
                    other.display()
                ),
            )
            .hint("give each body its own id"),
        ),
        None => {
            ids.insert(id.to_owned(), file.path.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_read_in_their_two_forms() {
        let form = |name| match folder_name_form(name) {
            FolderName::Date(d) => format!("date {d}"),
            FolderName::Number(y, n) => format!("number {n}/{y}"),
            FolderName::Other => "other".to_owned(),
        };
        let cases = [
            ("2020-07", "number 7/2020"),
            ("2024-12", "number 12/2024"),
            ("2024-123", "number 123/2024"),
            ("2024-02-14", "date 2024-02-14"),
            ("2024-02-30", "other"),
            ("24-01", "other"),
            ("styremøte", "other"),
            ("2024-", "other"),
            ("2024-1a", "other"),
        ];
        for (name, expected) in cases {
            assert_eq!(form(name), expected, "{name}");
        }
    }

    #[test]
    fn number_forms_are_digits_slash_year() {
        let cases = [
            ("4294967295/24", 2, true),
            ("99999999999999999999/2024", 4, true),
            ("12/24", 2, true),
            ("0/24", 2, false),
            ("12/2024", 2, false),
            ("a/24", 2, false),
            ("12", 2, false),
            ("/24", 2, false),
        ];
        for (text, digits, expected) in cases {
            assert_eq!(is_number_form(text, digits), expected, "{text}");
        }
    }
}
