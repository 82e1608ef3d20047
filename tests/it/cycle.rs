//! The meeting cycle across consecutive meetings: numbering, previous minutes,
//! attendance, action points carried and closed, `motebok new`.

use std::fs;
use std::path::Path;

use motebok::load::load_project;
use motebok::model::{ActionStatus, BodyContent, Date, Meeting};
use motebok::view::{Labels, Phrases};

use crate::common::*;

fn cycle() -> BodyContent {
    let (project, diags) = load_project(&root().join("tests/fixtures/cycle"));
    assert!(diags.0.is_empty(), "{:#?}", diags.0);
    project.bodies.into_iter().next().unwrap()
}

fn meeting<'a>(body: &'a BodyContent, number: &str) -> &'a Meeting {
    body.meetings
        .iter()
        .find(|m| m.number.to_string() == number)
        .unwrap()
}

fn names(list: &[motebok::model::Attendee]) -> Vec<&str> {
    list.iter().map(|a| a.name.as_str()).collect()
}

#[test]
fn case_numbers_run_on_and_restart_with_the_year() {
    let body = cycle();
    let cases: Vec<Vec<String>> = body
        .meetings
        .iter()
        .map(|m| m.cases().map(|c| c.case.to_string()).collect())
        .collect();
    assert_eq!(
        cases,
        [
            vec!["20/23", "21/23", "22/23"],
            vec!["23/23", "24/23", "25/23"],
            vec!["1/24", "2/24", "3/24", "4/24"]
        ]
    );
}

#[test]
fn the_previous_meeting_is_derived_for_the_minutes_item() {
    let body = cycle();
    let first = meeting(&body, "1/2024");
    let item = first.cases().nth(1).unwrap();
    let labels = Labels::builtin();
    let phrases = Phrases::new(&labels, &body.body, first);
    assert_eq!(
        phrases.title(item),
        "Godkjenning av referat fra møte i Rådet for testing 16. november 2023"
    );
    assert_eq!(
        phrases.proposed(item),
        ["Rådet godkjenner referatet fra møtet 16. november 2023."]
    );
    let previous = first.previous.as_ref().unwrap();
    assert_eq!(previous.number.as_deref(), Some("6/2023"));
}

#[test]
fn attendance_is_derived_from_the_roster() {
    let body = cycle();
    let m5 = meeting(&body, "5/2023").minutes.as_ref().unwrap();
    assert_eq!(
        names(&m5.present),
        [
            "Liv Leder",
            "Mona Medlem",
            "Mia Medlem",
            "Ole Observatør",
            "Siri Sekretær"
        ]
    );
    assert_eq!(
        names(&m5.absent),
        ["Mats Medlem"],
        "members missing from `present` sent apologies"
    );
    assert_eq!(names(&m5.others), ["Gro Gjest"]);
    assert_eq!(m5.partial[0].cases, ["21/23"]);
    let m6 = meeting(&body, "6/2023").minutes.as_ref().unwrap();
    assert_eq!(names(&m6.absent), ["Mats Medlem"]);
    assert!(
        !names(&m6.present).contains(&"Siri Sekretær"),
        "the secretariat is listed only when named"
    );
    assert_eq!(m6.present.len(), 4);
}

#[test]
fn decisions_are_adopted_or_amended() {
    let body = cycle();
    let meeting5 = meeting(&body, "5/2023");
    let m5 = meeting5.minutes.as_ref().unwrap();
    let labels = Labels::builtin();
    let phrases = Phrases::new(&labels, &body.body, meeting5);
    let adopted = |i: usize| {
        let case = meeting5.case(m5.items[i].case).unwrap();
        phrases.adopted(case, &m5.items[i])
    };
    assert_eq!(
        adopted(0),
        (
            vec!["Rådet godkjenner innkalling og dagsorden.".to_owned()],
            false
        )
    );
    assert_eq!(adopted(1).0.len(), 2);
    assert!(adopted(1).1, "amended");
    assert_eq!(m5.items[1].actions[0].id, "5/2023-1");
}

#[test]
fn action_points_are_carried_until_closed() {
    let body = cycle();
    assert!(meeting(&body, "5/2023").action_status.is_empty());
    let at6 = &meeting(&body, "6/2023").action_status;
    assert_eq!(at6.len(), 1);
    assert_eq!(
        (at6[0].id.as_str(), at6[0].status, at6[0].overdue),
        ("5/2023-1", ActionStatus::Open, true)
    );
    let at1 = &meeting(&body, "1/2024").action_status;
    assert_eq!(
        at1[0].due,
        Date::parse("2024-01-10"),
        "the later minutes moved the due date"
    );
    assert_eq!(at1[0].note.as_deref(), Some("Fristen er flyttet."));
    let closed = &meeting(&body, "1/2024").minutes.as_ref().unwrap().actions[0];
    assert_eq!(closed.status, ActionStatus::Closed);
}

#[test]
fn minutes_and_action_status_reach_the_pdfs() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    // A fourth meeting, after the minutes that closed the action point.
    let next = project.path().join("content/rad/2024-02");
    fs::create_dir_all(&next).unwrap();
    fs::write(
        next.join("meeting.yaml"),
        "number: 2/2024\ndate: 2024-02-15\nstart: \"09:00\"\nplace: Møterom Fjorden\nagenda:\n  - case: auto\n    standing: innkalling\n    kind: godkjenning\n    duration: 5\n",
    )
    .unwrap();
    let out = run(project.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let output = project.path().join("output/rad");

    let summons = pdf_text(&output.join("2024-01/innkalling.pdf"));
    assert_contains(
        &summons,
        &[
            "Status aksjonspunkt",
            "5/2023-1",
            "Legge fram gevinstplan for budsjett 2024",
            "Siri Sekretær",
            "10. januar 2024",
            "Forfalt",
        ],
    );
    let pack = pdf_text(&output.join("2024-01/motepakke.pdf"));
    assert_contains(&pack, &["Status aksjonspunkt", "Forfalt"]);

    let draft = pdf_text(&output.join("2024-01/referat.pdf"));
    assert_contains(
        &draft,
        &[
            "UTKAST",
            "Utkast referat: møte 1/2024",
            "Sendt 22. januar 2024",
            "Kommentarer innen 29. januar 2024",
            "Lukket",
            "Gevinstplanen ble lagt fram i sak 3/24.",
        ],
    );
    let final_minutes = pdf_text(&output.join("2023-05/referat.pdf"));
    assert_contains(
        &final_minutes,
        &[
            "Endelig referat: møte 5/2023",
            "Godkjent 16. november 2023 i møte 6/2023",
            "Referent Siri Sekretær",
            "Forfall",
            "Mats Medlem, Helse Nord RHF",
            "Andre som var til stede",
            "Gro Gjest, Helsedirektoratet",
            "Til stede på sak",
            "Per Presentatør, KS (sak 21/23)",
            "Vedtak (endret fra forslaget)",
            "Sekretariatet legger fram en gevinstplan i neste møte.",
            "Aksjonspunkter",
        ],
    );
    assert!(
        !final_minutes.contains("UTKAST"),
        "final minutes carry no draft mark"
    );

    let after_closing = pdf_text(&output.join("2024-02/innkalling.pdf"));
    assert_contains(
        &after_closing,
        &["Status aksjonspunkt", "5/2023-1", "Lukket"],
    );
    assert!(!after_closing.contains("Forfalt"));
    assert!(
        !output.join("2024-02/referat.pdf").exists(),
        "no minutes, no referat.pdf"
    );
}

fn edit(project: &Path, file: &str, from: &str, to: &str) {
    let path = project.join("content/rad").join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {file}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_case_number_used_by_two_meetings_is_an_error_naming_both() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    edit(
        project.path(),
        "2023-06/meeting.yaml",
        "case: 24/23",
        "case: 21/23",
    );
    let out = run(project.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &stderr(&out),
        &[
            "error: content/rad/2023-06/meeting.yaml:11:11: agenda[1].case: case number 21/23 is already used in meeting 5/2023",
            "content/rad/2023-05/meeting.yaml",
            "warning: content/rad/2023-06/meeting.yaml:16:11: agenda[2].case: case number 24/23 is missing in meeting 6/2023 (between 23/23 and 25/23)",
        ],
    );
}

#[test]
fn gaps_between_meetings_are_warnings_naming_both() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    edit(
        project.path(),
        "2023-06/meeting.yaml",
        "case: 23/23",
        "case: 30/23",
    );
    edit(
        project.path(),
        "2023-06/meeting.yaml",
        "case: 24/23",
        "case: 31/23",
    );
    edit(
        project.path(),
        "2023-06/meeting.yaml",
        "case: 25/23",
        "case: 32/23",
    );
    edit(
        project.path(),
        "2023-06/minutes.yaml",
        "case: 23/23",
        "case: 30/23",
    );
    edit(
        project.path(),
        "2023-06/minutes.yaml",
        "case: 24/23",
        "case: 31/23",
    );
    edit(
        project.path(),
        "2023-06/minutes.yaml",
        "case: 25/23",
        "case: 32/23",
    );
    let out = run(project.path(), &["check"]);
    assert!(
        out.status.success(),
        "a gap is only a warning: {}",
        stderr(&out)
    );
    assert_contains(
        &stderr(&out),
        &[
            "warning: content/rad/2023-06/meeting.yaml:6:11: agenda[0].case: case numbers 23/23–29/23 are missing: meeting 5/2023 ended at 22/23 and meeting 6/2023 starts at 30/23",
        ],
    );
}

#[test]
fn attendance_mistakes_are_reported() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    edit(
        project.path(),
        "2023-05/minutes.yaml",
        "present: [leder, medlem1, medlem3, obs, sekr]",
        "present: [leder, medlem1, medlem3, obs, sekr]\nabsent: [medlem1, medlm2]",
    );
    edit(
        project.path(),
        "2023-05/minutes.yaml",
        "  - case: 22/23\n",
        "  - case: 23/23\n",
    );
    let out = run(project.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_contains(
        &stderr(&out),
        &[
            "minutes.yaml:5:10: absent[0]: `medlem1` is listed both as present and as absent",
            "minutes.yaml:5:19: absent[1]: unknown member id `medlm2`",
            "did you mean `medlem2`?",
            "items[2].case: case 23/23 is not on the agenda of meeting 5/2023",
        ],
    );
}

#[test]
fn new_writes_the_next_meeting_and_never_overwrites() {
    let project = project_with(&root().join("tests/fixtures/cycle"));
    let out = run(project.path(), &["new", "rad", "--date", "2024-02-15"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_contains(
        &stdout(&out),
        &[
            "content/rad/2024-02/meeting.yaml: meeting 2/2024, 15. februar 2024, standing items 5/24, 6/24 and Eventuelt",
        ],
    );
    let written =
        fs::read_to_string(project.path().join("content/rad/2024-02/meeting.yaml")).unwrap();
    assert_contains(
        &written,
        &[
            "number: 2/2024",
            "date: 2024-02-15",
            "chair: leder",
            "case: 5/24",
            "standing: referat",
            "case: auto\n    standing: eventuelt",
        ],
    );
    let check = run(project.path(), &["build"]);
    assert!(
        check.status.success(),
        "the skeleton builds: {}",
        stderr(&check)
    );
    let summons = pdf_text(&project.path().join("output/rad/2024-02/innkalling.pdf"));
    assert_contains(
        &summons,
        &[
            "Godkjenning av referat fra møte i Rådet for testing 18. januar 2024",
            "7/24",
            "Eventuelt",
        ],
    );

    fs::create_dir_all(project.path().join("content/rad/2024-03")).unwrap();
    let again = run(project.path(), &["new", "rad", "--date", "2024-03-14"]);
    assert_eq!(again.status.code(), Some(1));
    assert_contains(
        &stderr(&again),
        &["2024-03 already exists; motebok new never overwrites"],
    );
    let early = run(project.path(), &["new", "rad", "--date", "2024-01-01"]);
    assert_contains(&stderr(&early), &["is not after the latest meeting 2/2024"]);
    let unknown = run(project.path(), &["new", "raad"]);
    assert_contains(
        &stderr(&unknown),
        &["no body `raad`", "did you mean `rad`?"],
    );
}

/// After a meeting with no start time (an untimed agenda), `new` wrote
/// `start: ""`, which `check` then refused.
#[test]
fn new_after_an_untimed_meeting_writes_a_meeting_that_loads() {
    let project = project_with(&root().join("tests/fixtures/mini"));
    let file = project.path().join("content/styret/2024-01/meeting.yaml");
    let meeting = fs::read_to_string(&file).unwrap();
    assert!(meeting.contains("start: \"09:00\"\n"));
    fs::write(&file, meeting.replace("start: \"09:00\"\n", "")).unwrap();
    let before = run(project.path(), &["check"]);
    assert!(before.status.success(), "{}", stderr(&before));

    let out = run(project.path(), &["new", "styret", "--date", "2024-03-06"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written =
        fs::read_to_string(project.path().join("content/styret/2024-02/meeting.yaml")).unwrap();
    assert!(!written.contains("start:"), "{written}");
    let checked = run(project.path(), &["check"]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert!(
        !stderr(&checked).contains("2024-02"),
        "{}",
        stderr(&checked)
    );
}
