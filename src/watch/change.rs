//! Watch stage, changes: what a changed path means for the build, and the documents it reaches.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::document::Papers;
use crate::model::{Project, SourceMap};
use crate::pipeline::{Job, plan, selected};

/// What a changed file means for the build.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// The content folder itself (created again, or moved): every document may change.
    Content,
    /// A template: every document may change.
    Template,
    /// A body's roster or settings, or a meeting folder added, moved, renamed
    /// or removed (which renumbers the meetings after it): every meeting of the body.
    Body(String),
    /// A meeting's YAML or anything else in its folder: all its documents.
    Meeting(String, String),
    /// A case paper's Markdown: the documents whose kind prints it (its case paper, the pack).
    Paper(PathBuf),
    /// Not something the build reads.
    Ignored,
}

/// Sorts a changed path into a [`Change`]. `path` is as the event named it
/// (its folder made absolute, the path itself not followed if it is a link),
/// so that a file replaced by a link is a change of that file.
pub fn classify(path: &Path, content: &Path, templates: &Path, output: &Path) -> Change {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if is_scratch(&name) || path.starts_with(output) {
        return Change::Ignored;
    }
    if let Ok(rel) = path.strip_prefix(templates) {
        // Templates, in subfolders too, and the data they read
        // (`labels.yaml`); the folder itself or a folder in it, created,
        // moved or removed with what it holds. Hidden folders are not read.
        let hidden = rel.iter().any(|c| c.to_string_lossy().starts_with('.'));
        let folder = rel.as_os_str().is_empty()
            || path.is_dir()
            || (!path.exists() && path.extension().is_none());
        return if !hidden && (folder || crate::render::templates::is_set_file(&name)) {
            Change::Template
        } else {
            Change::Ignored
        };
    }
    let Ok(rel) = path.strip_prefix(content) else {
        return Change::Ignored;
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    // Hidden body and meeting folders (`.git`, a copy an editor or a sync
    // tool is writing) are not read.
    if parts.iter().take(2).any(|p| p.starts_with('.')) {
        return Change::Ignored;
    }
    match parts.as_slice() {
        [] => Change::Content,
        // A body folder comes and goes with its name; a file beside the body
        // folders (a README) is not read.
        [body] if Path::new(body).extension().is_none() => Change::Body(body.clone()),
        [_] => Change::Ignored,
        // `body.yaml`, or an entry beside it: a meeting folder that came, went
        // or was renamed.
        [body, _] => Change::Body(body.clone()),
        [body, meeting, file] if file == crate::load::MEETING_FILE => {
            Change::Meeting(body.clone(), meeting.clone())
        }
        [_, _, ..] if name.ends_with(".md") => Change::Paper(path.to_path_buf()),
        [body, meeting, ..] => Change::Meeting(body.clone(), meeting.clone()),
    }
}

/// Whether `name` is an editor's or a tool's scratch file beside the real
/// one: hidden (`.38-20.md.swp`, `.#38-20.md`), a backup (`38-20.md~`), an
/// autosave (`#38-20.md#`) or a temp file.
fn is_scratch(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

/// The jobs a set of changes requires.
pub fn affected_jobs(project: &Project, changes: &BTreeSet<Change>, filter: &[String]) -> Vec<Job> {
    plan(project)
        .into_iter()
        .filter(|job| {
            let content = &project.bodies[job.body];
            let meeting = &content.meetings[job.meeting];
            selected(filter, &content.body.id, &meeting.slug)
                && changes.iter().any(|change| affects(project, job, change))
        })
        .collect()
}

/// Whether `change` may change the document of `job` (of the body `content`).
fn affects(project: &Project, job: &Job, change: &Change) -> bool {
    let in_body = |dir: &str| {
        project
            .sources
            .body_dir(job.body)
            .file_name()
            .is_some_and(|n| n.to_string_lossy() == dir)
    };
    match change {
        Change::Content | Change::Template => true,
        Change::Body(dir) => in_body(dir),
        Change::Meeting(body, slug) => {
            // Case numbers, the previous meeting and action points run on
            // into later meetings, so those are candidates too; documents
            // whose source comes out unchanged are skipped later.
            in_body(body)
                && project.bodies[job.body]
                    .meetings
                    .iter()
                    .position(|m| m.slug == *slug)
                    .is_some_and(|changed| job.meeting >= changed)
        }
        Change::Paper(path) => prints_paper(project, job, path),
        Change::Ignored => false,
    }
}

/// Whether the document of `job` prints the case paper at `path`, by the
/// papers its kind reads (see [`Papers`]).
fn prints_paper(project: &Project, job: &Job, path: &Path) -> bool {
    let sources: &SourceMap = &project.sources;
    let uses = |row: usize| {
        sources
            .paper(job.body, job.meeting, row)
            .is_some_and(|p| same_file(p, path))
    };
    let rows = project.bodies[job.body].meetings[job.meeting].agenda.len();
    match job.kind.spec().papers {
        Papers::None => false,
        Papers::Own => job.row.is_some_and(uses),
        Papers::All => (0..rows).any(uses),
    }
}

/// Whether `a` and `b` are the same file: by name (a case paper replaced by
/// a link is that case paper, wherever the link leads), or where they lead
/// (a case paper that links to another changes with that other).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || super::as_named(a) == super::as_named(b)
        || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_classified_by_path() {
        let (c, t, o) = (
            Path::new("/p/content"),
            Path::new("/p/templates"),
            Path::new("/p/output"),
        );
        let cases = [
            ("/p/templates/sak.typ.j2", Change::Template),
            ("/p/templates/arkiv.html.j2", Change::Template),
            ("/p/templates/felles/side.typ.j2", Change::Template),
            ("/p/templates/labels.yaml", Change::Template),
            ("/p/templates/notes.txt", Change::Ignored),
            ("/p/templates/.sak.typ.j2.swp", Change::Ignored),
            // The folder itself, or a folder in it, moved in, out or over.
            ("/p/templates", Change::Template),
            ("/p/templates/felles", Change::Template),
            // A hidden folder being written before it is renamed into place.
            ("/p/templates/.felles.new/side.typ.j2", Change::Ignored),
            ("/p/content/.git/index", Change::Ignored),
            ("/p/content/.git", Change::Ignored),
            ("/p/content/nehs/.2020-09/meeting.yaml", Change::Ignored),
            ("/p/content/nehs/2020-07/saker/#38-20.md#", Change::Ignored),
            ("/p/content/nehs/body.yaml", Change::Body("nehs".into())),
            ("/p/content", Change::Content),
            ("/p/content/nehs", Change::Body("nehs".into())),
            // A meeting folder renamed, moved in or out: the body's numbering changes.
            ("/p/content/nehs/2020-09", Change::Body("nehs".into())),
            ("/p/content/nehs/.2020-09.tmp", Change::Ignored),
            (
                "/p/content/nehs/2020-07/meeting.yaml",
                Change::Meeting("nehs".into(), "2020-07".into()),
            ),
            (
                "/p/content/nehs/2020-07/saker/38-20.md",
                Change::Paper("/p/content/nehs/2020-07/saker/38-20.md".into()),
            ),
            (
                "/p/content/nehs/2020-07/saker/.38-20.md.swp",
                Change::Ignored,
            ),
            ("/p/content/nehs/2020-07/saker/38-20.md~", Change::Ignored),
            (
                "/p/content/nehs/2020-07/vedlegg.txt",
                Change::Meeting("nehs".into(), "2020-07".into()),
            ),
            ("/p/content/readme.txt", Change::Ignored),
            ("/p/output/nehs/2020-07/innkalling.pdf", Change::Ignored),
            ("/elsewhere/file.md", Change::Ignored),
        ];
        for (path, expected) in cases {
            assert_eq!(classify(Path::new(path), c, t, o), expected, "{path}");
        }
    }

    /// The file names of the jobs `changes` require in a fixture.
    fn affected(fixture: &str, changes: &[Change]) -> Vec<String> {
        let content = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
        let (project, diagnostics) = crate::load::load_project(&content);
        assert!(!diagnostics.has_errors(), "{fixture}: {diagnostics:?}");
        let changes: BTreeSet<Change> = changes.iter().cloned().collect();
        affected_jobs(&project, &changes, &[])
            .iter()
            .map(|job| job.path.to_string_lossy().replace('\\', "/"))
            .collect()
    }

    #[test]
    fn a_change_rebuilds_the_documents_that_read_it() {
        let mini = "tests/fixtures/mini";
        let paper = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(mini)
            .join("styret/2024-01/saker/03-24.md");
        let meeting = |slug: &str| Change::Meeting("rad".into(), slug.into());
        let all_mini = [
            "styret/2024-01/innkalling.pdf",
            "styret/2024-01/sak-01-24.pdf",
            "styret/2024-01/sak-02-24.pdf",
            "styret/2024-01/sak-04-24.pdf",
            "styret/2024-01/sak-03-24.pdf",
            "styret/2024-01/motepakke.pdf",
        ];
        let cases: [(&str, Vec<Change>, Vec<&str>); 6] = [
            (mini, vec![Change::Template], all_mini.to_vec()),
            (mini, vec![Change::Body("styret".into())], all_mini.to_vec()),
            (mini, vec![Change::Body("nehs".into())], vec![]),
            (
                mini,
                vec![Change::Paper(paper)],
                vec![
                    "styret/2024-01/sak-03-24.pdf",
                    "styret/2024-01/motepakke.pdf",
                ],
            ),
            (mini, vec![Change::Ignored], vec![]),
            // A meeting's change runs on into the later meetings, not the earlier.
            (
                "tests/fixtures/cycle",
                vec![meeting("2023-06")],
                vec![
                    "rad/2023-06/innkalling.pdf",
                    "rad/2023-06/sak-23-23.pdf",
                    "rad/2023-06/sak-24-23.pdf",
                    "rad/2023-06/motepakke.pdf",
                    "rad/2023-06/referat.pdf",
                    "rad/2024-01/innkalling.pdf",
                    "rad/2024-01/sak-01-24.pdf",
                    "rad/2024-01/sak-02-24.pdf",
                    "rad/2024-01/motepakke.pdf",
                    "rad/2024-01/referat.pdf",
                ],
            ),
        ];
        for (fixture, changes, expected) in cases {
            assert_eq!(affected(fixture, &changes), expected, "{changes:?}");
        }
    }
}
