//! What is published: the internal set in `output/`, the public site in
//! `site/`. The fixture `tests/fixtures/publish` has an exempt item (3/24,
//! marker `HEMMELIGMARK…` in its title, description, paper, proposed
//! decision, minutes and action point), a closed item (4/24, marker
//! `LUKKETMARK…`) and a planned meeting (2/2024, marker `PLANLAGTMARK…`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// What must never reach the site.
const MARKERS: &[&str] = &["HEMMELIGMARK", "LUKKETMARK", "PLANLAGTMARK"];

/// The exempt item's mark as it prints.
const EXEMPT: &str = "Unntatt offentlighet, Offl. § 13 jf. fvl. § 13";

fn published() -> tempfile::TempDir {
    let project = project_with(&root().join("tests/fixtures/publish"));
    let out = run(project.path(), &["archive"]);
    assert!(out.status.success(), "{}", stderr(&out));
    project
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            let sub = PathBuf::from(entry.file_name());
            out.extend(files(&entry.path()).into_iter().map(|f| sub.join(f)));
        } else {
            out.push(PathBuf::from(entry.file_name()));
        }
    }
    out.sort();
    out
}

/// Every string and (decompressed) stream of a PDF as text: metadata (the
/// info dictionary and XMP), bookmarks, annotations and page content.
fn pdf_strings(path: &Path) -> String {
    pdf_objects(path) + &pdf_text(path)
}

/// Every string and decompressed stream of a PDF's objects, as text.
fn pdf_objects(path: &Path) -> String {
    fn decode(bytes: &[u8]) -> String {
        match bytes {
            [0xfe, 0xff, rest @ ..] => {
                let units: Vec<u16> = rest
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            _ => String::from_utf8_lossy(bytes).into_owned(),
        }
    }
    fn walk(object: &lopdf::Object, out: &mut String) {
        match object {
            lopdf::Object::String(bytes, _) | lopdf::Object::Name(bytes) => {
                out.push_str(&decode(bytes));
                out.push('\n');
            }
            lopdf::Object::Array(items) => items.iter().for_each(|o| walk(o, out)),
            lopdf::Object::Dictionary(dict) => dict.iter().for_each(|(_, o)| walk(o, out)),
            lopdf::Object::Stream(stream) => {
                stream.dict.iter().for_each(|(_, o)| walk(o, out));
                let content = stream
                    .decompressed_content()
                    .unwrap_or_else(|_| stream.content.clone());
                out.push_str(&String::from_utf8_lossy(&content));
            }
            _ => {}
        }
    }
    let pdf = lopdf::Document::load(path).unwrap();
    let mut out = String::new();
    for object in pdf.objects.values() {
        walk(object, &mut out);
    }
    out
}

fn pages(path: &Path) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(&fs::read(path).unwrap())
        .unwrap()
        .into_iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn no_withheld_text_reaches_the_site_while_the_internal_pack_has_it() {
    let project = published();
    let site = project.path().join("site");
    let output = project.path().join("output");

    let listed = files(&site);
    assert!(listed.contains(&"styret/2024-01/motepakke.pdf".into()));
    for file in &listed {
        let name = file.to_string_lossy();
        assert!(
            !MARKERS.iter().any(|m| name.contains(m)),
            "a file name leaks: {name}"
        );
        let ok = name.ends_with(".pdf")
            || ["index.html", "index.json", "styret/moter.ics"].contains(&&*name);
        assert!(ok, "{name} is not public material");
        let text = if name.ends_with(".pdf") {
            pdf_strings(&site.join(file))
        } else {
            fs::read_to_string(site.join(file)).unwrap()
        };
        for marker in MARKERS {
            assert!(!text.contains(marker), "{name} leaks {marker}");
        }
    }
    // Nothing of the planned meeting, no build state, no Typst source.
    assert!(!site.join("styret/2024-02").exists());
    assert!(!site.join(".motebok").exists());

    // The helper does see text in metadata and bookmarks: the internal
    // versions carry every marker of the meeting, and the planned meeting is
    // built for the secretariat.
    let internal = pdf_strings(&output.join("styret/2024-01/motepakke.pdf"));
    assert_contains(&internal, &["HEMMELIGMARKØR", "LUKKETMARKØR"]);
    // Metadata and bookmarks alone (without the page text) name the item.
    let objects = pdf_objects(&output.join("styret/2024-01/sak-03-24.pdf"));
    assert_contains(&objects, &["HEMMELIGMARK"]);
    assert_contains(
        &pdf_text(&output.join("styret/2024-01/referat.pdf")),
        &[
            "Utvalget drøftet HEMMELIGMARKØR AS.",
            "LUKKETMARKØR ble intervjuet.",
            "Avtalen med HEMMELIGMARKØR AS burde vært reforhandlet.",
        ],
    );
    // The exempt paper's figure (caption, alt text, drawing) and its computed
    // status table are withheld with the paper.
    assert_contains(
        &pdf_text(&output.join("styret/2024-01/sak-03-24.pdf")),
        &[
            "Tidslinjen for HEMMELIGMARKØR AS",
            "HEMMELIGMARKØR AS leverer for sent.",
            "Avtalen med HEMMELIGMARKØR AS",
        ],
    );
    assert_contains(
        &internal,
        &["Vedlegg til sak 3/24: Avtalen med HEMMELIGMARKØR AS"],
    );
    assert_contains(
        &pdf_text(&output.join("styret/2024-02/innkalling.pdf")),
        &["PLANLAGTMARKØR"],
    );
}

#[test]
fn an_exempt_paper_is_marked_on_every_page_of_the_internal_set() {
    let project = published();
    let output = project.path().join("output/styret/2024-01");

    let paper = pages(&output.join("sak-03-24.pdf"));
    assert!(paper.len() >= 2, "the fixture's paper runs over pages");
    for (i, page) in paper.iter().enumerate() {
        assert!(page.contains(EXEMPT), "page {} of the paper: {page}", i + 1);
    }
    // In the pack, the exempt paper's pages only.
    let pack = pages(&output.join("motepakke.pdf"));
    let mut marked = 0;
    for page in &pack {
        // The paper, the end of it that lists its attachment, and the
        // attachment's pages belong to the exempt item.
        let exempt_paper = page.contains("HEMMELIGMARKØR AS har")
            || page.contains("Vedlegg 1. Avtalen")
            || page.contains("Vedlegg til sak 3/24") && !page.contains("MØTEPAKKE");
        let header = page.split("Sak ").next().unwrap_or_default();
        if exempt_paper || page.contains("Punkt 2") {
            assert!(page.contains(EXEMPT), "{page}");
            marked += 1;
        } else {
            assert!(!header.contains(EXEMPT), "{page}");
        }
    }
    assert!(marked >= 2, "{marked}");
    assert!(!pdf_text(&output.join("sak-02-24.pdf")).contains("Unntatt offentlighet"));
}

#[test]
fn public_versions_keep_number_public_title_and_basis() {
    let project = published();
    let site = project.path().join("site");
    let paper = pdf_text(&site.join("styret/2024-01/sak-03-24.pdf"));
    assert_contains(
        &paper,
        &[
            "Sak 3/24: Leverandøravtale",
            EXEMPT,
            "Saksdokumentene, forslaget til vedtak og vedtaket er unntatt offentlighet.",
        ],
    );
    assert!(!paper.contains("Forslag til vedtak"));
    let minutes = pdf_text(&site.join("styret/2024-01/referat.pdf"));
    assert_contains(
        &minutes,
        &[
            "Sak 3/24: Leverandøravtale",
            "Sak 4/24: Tilsetting av direktør",
            "Lukket møte, koml. § 11-5",
            "Saken behandles i lukket møte.",
            // What is public stays.
            "Utvalget tok budsjettet til orientering.",
        ],
    );
    let summons = pdf_text(&site.join("styret/2024-01/innkalling.pdf"));
    assert_contains(
        &summons,
        &["Leverandøravtale", EXEMPT, "Tilsetting av direktør"],
    );

    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(site.join("index.json")).unwrap()).unwrap();
    let body = &json["bodies"][0];
    assert_eq!(body["calendar"], "styret/moter.ics");
    let meetings = body["years"][0]["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 1, "the planned meeting is not listed");
    let meeting = &meetings[0];
    assert_eq!(meeting["status"], "sent");
    assert_eq!(meeting["date"], "2024-02-14");
    assert_eq!(meeting["number_parts"]["number"], 1);
    assert_eq!(meeting["minutes"]["approved_date"], "2024-03-20");
    let exempt = &meeting["cases"][2];
    assert_eq!(exempt["case"], "3/24");
    assert_eq!(exempt["case_parts"]["number"], 3);
    assert_eq!(exempt["case_parts"]["year"], 2024);
    assert_eq!(exempt["title"], "Leverandøravtale");
    assert_eq!(exempt["restriction"]["kind"], "exempt");
    assert_eq!(exempt["restriction"]["basis"], "Offl. § 13 jf. fvl. § 13");
    assert_eq!(exempt["proposed"], serde_json::json!([]));
    assert_eq!(exempt["adopted"], serde_json::json!([]));
    assert_eq!(meeting["cases"][3]["restriction"]["kind"], "closed");
    assert_eq!(meeting["cases"][1]["restriction"], serde_json::Value::Null);

    let calendar = fs::read_to_string(site.join("styret/moter.ics")).unwrap();
    assert!(calendar.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert_contains(
        &calendar,
        &[
            "UID:styret-2024-01@motebok\r\n",
            "DTSTART:20240214T090000\r\n",
            "SUMMARY:Møte i Testutvalget (1/2024)\r\n",
            "LOCATION:Møterom Ø1\\, Verkstedveien 1\r\n",
        ],
    );
    assert!(
        !calendar.contains("2024-02@motebok"),
        "planned meetings stay out"
    );
}

#[test]
fn a_meeting_set_back_to_planned_leaves_the_site() {
    let project = published();
    let site = project.path().join("site");
    assert!(site.join("styret/2024-01/innkalling.pdf").is_file());
    let meeting = project.path().join("content/styret/2024-01/meeting.yaml");
    let text = fs::read_to_string(&meeting).unwrap();
    fs::write(&meeting, format!("{text}status: planned\n")).unwrap();
    let again = run(project.path(), &["archive"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(!site.join("styret/2024-01").exists());
    assert_eq!(
        files(&site),
        ["index.html", "index.json", "styret/moter.ics"].map(PathBuf::from)
    );
    // Still built for the secretariat.
    assert!(
        project
            .path()
            .join("output/styret/2024-01/innkalling.pdf")
            .is_file()
    );
}

#[test]
fn a_closed_meeting_withholds_every_item() {
    let project = project_with(&root().join("tests/fixtures/publish"));
    let meeting = project.path().join("content/styret/2024-01/meeting.yaml");
    let text = fs::read_to_string(&meeting).unwrap();
    fs::write(&meeting, format!("{text}closed: koml. § 11-5\n")).unwrap();
    let out = run(project.path(), &["archive"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let paper = pdf_text(&project.path().join("site/styret/2024-01/sak-02-24.pdf"));
    assert_contains(
        &paper,
        &["Sak 2/24: Budsjett 2024", "Lukket møte, koml. § 11-5"],
    );
    assert!(
        !paper.contains("Budsjettet for 2024 er lagt fram"),
        "{paper}"
    );
    let summons = pdf_text(&project.path().join("site/styret/2024-01/innkalling.pdf"));
    assert_contains(&summons, &["Offentlighet Lukket møte, koml. § 11-5"]);
    // The exempt item keeps its own basis.
    let json = fs::read_to_string(project.path().join("site/index.json")).unwrap();
    assert_contains(&json, &["\"basis\": \"Offl. § 13 jf. fvl. § 13\""]);
}

#[test]
fn new_meetings_are_planned_and_the_site_refuses_the_project_folder() {
    let project = project_with(&root().join("tests/fixtures/publish"));
    let out = run(project.path(), &["new", "styret", "--date", "2024-06-12"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = files(&project.path().join("content/styret"))
        .into_iter()
        .find(|f| f.starts_with("2024-03"))
        .expect("the new meeting's folder");
    let text = fs::read_to_string(project.path().join("content/styret").join(written)).unwrap();
    assert_contains(&text, &["\nstatus: planned\n"]);

    let refused = run(project.path(), &["archive", "--site", "."]);
    assert!(!refused.status.success());
    assert_contains(
        &stderr(&refused),
        &["--site .", "must not hold the content folder"],
    );
    assert!(!project.path().join("index.html").exists());
}

#[test]
fn the_workflows_upload_the_site_only() {
    let ours = fs::read_to_string(root().join(".github/workflows/archive.yml")).unwrap();
    let project = tempfile::tempdir().unwrap();
    let out = run(project.path(), &["init", "--body", "styret"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let theirs = fs::read_to_string(project.path().join(".github/workflows/motebok.yml")).unwrap();
    for workflow in [ours, theirs] {
        let upload = workflow
            .split("upload-pages-artifact")
            .nth(1)
            .expect("the workflow uploads a Pages artifact");
        let path = upload
            .lines()
            .find_map(|l| l.trim().strip_prefix("path: "))
            .unwrap();
        assert_eq!(path, "site", "{workflow}");
    }
}

#[test]
fn approve_turns_the_examples_draft_minutes_final_and_later_edits_warn() {
    let project = project_with(&root().join("content"));
    let minutes = project.path().join("content/pspds/2021-06/minutes.yaml");
    let draft = fs::read_to_string(&minutes).unwrap();
    let out = run(
        project.path(),
        &[
            "approve",
            "pspds/2021-06",
            "--date",
            "2021-11-10",
            "--at",
            "7/2021",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_contains(&stdout(&out), &["approved the minutes of pspds/2021-06"]);
    let text = fs::read_to_string(&minutes).unwrap();
    // Comments and untouched lines stay; the draft's dates for comments go.
    let comments: Vec<&str> = draft.lines().filter(|l| l.starts_with('#')).collect();
    assert_contains(&text, &comments);
    assert_contains(
        &text,
        &[
            "\nstatus: final\napproved: { date: 2021-11-10, meeting: 7/2021 }\n",
            "  - case: 36/21\n    notes: Saken var uten underlag.\n",
            "    decision: \"Programstyret godkjenner innkalling og dagsorden.\"\n",
            "\napproved_digest:\n  \"34/21\": \"",
        ],
    );
    assert!(!text.contains("as_proposed") && !text.contains("comments_by"));

    let built = run(project.path(), &["build", "pspds/2021-06"]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(
        !stderr(&built).contains("approved_digest"),
        "{}",
        stderr(&built)
    );
    let referat = pdf_text(&project.path().join("output/pspds/2021-06/referat.pdf"));
    assert_contains(
        &referat,
        &[
            "Godkjent 10. november 2021 i møte 7/2021",
            "Programstyret gir tilslutning til prinsippene for styringsmodell.",
        ],
    );
    assert!(!referat.contains("UTKAST"));

    // A second approval is refused.
    let again = run(
        project.path(),
        &["approve", "pspds/2021-06", "--date", "2021-11-10"],
    );
    assert!(!again.status.success());
    assert_contains(&stderr(&again), &["already final"]);

    // The held meeting edited after approval: a warning naming the case.
    edit_case_38_21(project.path());
    let checked = run(project.path(), &["check"]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert_contains(
        &stderr(&checked),
        &[
            "warning: content/pspds/2021-06/minutes.yaml",
            "approved_digest.38/21: case 38/21 changed (its titles, description, case paper, attachments or decisions) since the minutes were approved",
        ],
    );
}

/// Edits the description of case 38/21 of the examples' pspds/2021-06.
fn edit_case_38_21(project: &Path) {
    let meeting = project.join("content/pspds/2021-06/meeting.yaml");
    let agenda = fs::read_to_string(&meeting).unwrap();
    assert!(agenda.contains("herunder foreslått prioritering"));
    fs::write(
        &meeting,
        agenda.replace(
            "herunder foreslått prioritering",
            "herunder en ny prioritering",
        ),
    )
    .unwrap();
}

/// Approves the examples' draft minutes of pspds/2021-06 in a copy of them.
fn approved_examples() -> tempfile::TempDir {
    let project = project_with(&root().join("content"));
    let out = run(
        project.path(),
        &["approve", "pspds/2021-06", "--date", "2021-11-10"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    project
}

/// The `approved_digest` warnings of `motebok check`, one line each.
fn digest_warnings(project: &Path) -> Vec<String> {
    let checked = run(project, &["check"]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    stderr(&checked)
        .lines()
        .filter(|l| l.starts_with("warning:") && l.contains("approved_digest"))
        .map(|l| l.split(": ").skip(2).collect::<Vec<_>>().join(": "))
        .collect()
}

#[test]
fn what_a_case_paper_shows_is_part_of_its_approved_digest() {
    let project = approved_examples();
    let minutes =
        fs::read_to_string(project.path().join("content/pspds/2021-06/minutes.yaml")).unwrap();
    let digest = minutes.split("approved_digest:\n").nth(1).unwrap();
    assert_eq!(digest.lines().count(), 7, "{digest}");
    for line in digest.lines() {
        let hash = line.rsplit('"').nth(1).unwrap();
        assert!(
            hash.len() == 32 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{line}"
        );
    }
    assert_eq!(digest_warnings(project.path()), Vec::<String>::new());

    // A comment in a data file is not what was approved; its values are.
    let meeting = project.path().join("content/pspds/2021-06");
    let status = meeting.join("saker/35-21-status.yaml");
    let data = fs::read_to_string(&status).unwrap();
    fs::write(&status, format!("# Rettet skrivefeil.\n{data}")).unwrap();
    assert_eq!(digest_warnings(project.path()), Vec::<String>::new());

    // Another attached document under the same name, and a status turned red.
    fs::copy(
        meeting.join("vedlegg/38-21-leveranseplan-nilar.pdf"),
        meeting.join("vedlegg/37-21-leveranseplan-tag.pdf"),
    )
    .unwrap();
    assert!(data.contains("status: green"));
    fs::write(&status, data.replacen("status: green", "status: red", 1)).unwrap();
    assert_eq!(
        digest_warnings(project.path()),
        [
            "approved_digest.35/21: case 35/21 changed (its titles, description, case paper, attachments or decisions) since the minutes were approved",
            "approved_digest.37/21: case 37/21 changed (its titles, description, case paper, attachments or decisions) since the minutes were approved",
        ]
    );
}

#[test]
fn minutes_approved_by_an_earlier_version_are_checked_as_written() {
    let project = approved_examples();
    let path = project.path().join("content/pspds/2021-06/minutes.yaml");
    let minutes = fs::read_to_string(&path).unwrap();
    let (approved, _) = minutes.split_once("approved_digest:\n").unwrap();
    // What `motebok approve` wrote for these cases before its digest was
    // SHA-256 (16 hex digits, FNV-1a).
    let earlier = concat!(
        "approved_digest:\n",
        "  \"34/21\": \"ae0e4ffd84650f8a\"\n",
        "  \"35/21\": \"a57496a8a8b05e33\"\n",
        "  \"36/21\": \"68febd5e118f0a5d\"\n",
        "  \"37/21\": \"a616ac9657563aa5\"\n",
        "  \"38/21\": \"151972d40a764278\"\n",
        "  \"39/21\": \"541d45d947e19d63\"\n",
        "  \"40/21\": \"10a11b3799ad8b35\"\n",
    );
    fs::write(&path, format!("{approved}{earlier}")).unwrap();
    assert_eq!(digest_warnings(project.path()), Vec::<String>::new());

    edit_case_38_21(project.path());
    assert_eq!(
        digest_warnings(project.path()),
        [
            "approved_digest.38/21: case 38/21 changed (its titles, description, case paper, attachments or decisions) since the minutes were approved"
        ]
    );
}

#[test]
fn action_points_of_an_exempt_case_stay_out_of_later_public_summons() {
    let project = project_with(&root().join("tests/fixtures/publish"));
    let next = project.path().join("content/styret/2024-02/meeting.yaml");
    let text = fs::read_to_string(&next).unwrap();
    fs::write(
        &next,
        text.replace("status: planned", "status: sent")
            .replace("PLANLAGTMARKØR strategi", "Strategi"),
    )
    .unwrap();
    let out = run(project.path(), &["archive"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let internal = pdf_text(&project.path().join("output/styret/2024-02/innkalling.pdf"));
    assert_contains(&internal, &["Varsle HEMMELIGMARKØR AS om oppsigelsen"]);
    let public = pdf_strings(&project.path().join("site/styret/2024-02/innkalling.pdf"));
    assert!(!public.contains("HEMMELIGMARK"), "{public}");
    assert!(
        project
            .path()
            .join("site/styret/2024-02/motepakke.pdf")
            .is_file()
    );
}
