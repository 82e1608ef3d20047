//! Watch stage, lines: what a rebuild line says of the changed paths, and
//! whether the meetings that errors hold back have PDFs to keep.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::model::Project;
use crate::pipeline::plan;

use super::{as_named, output_folder};

/// The meetings (`rad/2024-01`) and bodies (`rad`), by their folders in the
/// output, one of whose planned documents has a PDF in `output`.
pub(super) fn built_meetings(project: &Project, output: &Path) -> HashSet<String> {
    let mut built = HashSet::new();
    for job in plan(project) {
        if output.join(&job.path).is_file() {
            let meeting = output_folder(&job);
            if let Some(body) = meeting.split('/').next() {
                built.insert(body.to_owned());
            }
            built.insert(meeting);
        }
    }
    built
}

/// How deep under `output/<body>` a PDF is looked for when the body or
/// meeting did not load: a body's folder holds meeting folders, which hold
/// the PDFs (and the folders kept Typst sources show).
pub(super) const PDF_DEPTH: usize = 2;

/// Whether the folder `dir` holds a PDF, `depth` folders down at most.
pub(super) fn has_pdf_under(dir: &Path, depth: usize) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => depth > 0 && has_pdf_under(&path, depth - 1),
            Ok(t) if t.is_file() => path.extension().is_some_and(|e| e == "pdf"),
            _ => false,
        }
    })
}

/// The changed paths the build reads, relative to the project, without the
/// paths inside a changed folder; removed ones marked; files before
/// folders, and after [`DESCRIBED_PATHS`] of them, how many more.
pub(super) fn describe(
    paths: &BTreeSet<PathBuf>,
    content: &Path,
    templates: &Path,
    reads: impl Fn(&Path) -> bool,
) -> String {
    // Sorted by component, a folder comes right before what it holds.
    let read: BTreeSet<PathBuf> = paths
        .iter()
        .filter(|p| reads(p))
        .map(|p| as_named(p))
        .collect();
    let mut outermost: Vec<&PathBuf> = Vec::new();
    for path in &read {
        if !outermost
            .last()
            .is_some_and(|folder| path.starts_with(folder))
        {
            outermost.push(path);
        }
    }
    // Files first: an edit in a burst of folders made or removed is named.
    outermost.sort_by_key(|p| p.extension().is_none());
    let mut names: Vec<String> = outermost
        .iter()
        .take(DESCRIBED_PATHS)
        .map(|p| {
            let name = [(content, "content"), (templates, "templates")]
                .into_iter()
                .find_map(|(root, name)| {
                    let rel = p.strip_prefix(root).ok()?;
                    Some(if rel.as_os_str().is_empty() {
                        PathBuf::from(name)
                    } else {
                        Path::new(name).join(rel)
                    })
                })
                .unwrap_or_else(|| p.to_path_buf());
            let gone = if p.exists() { "" } else { " (removed)" };
            format!("{}{gone}", name.display())
        })
        .collect();
    if outermost.len() > DESCRIBED_PATHS {
        names.push(format!("{} more", outermost.len() - DESCRIBED_PATHS));
    }
    names.join(", ")
}

/// How many changed paths a rebuild line names before it counts the rest:
/// more than the documents it names ([`crate::report`]'s six), since one
/// save often touches a few files (a paper, its figure, its data), while a
/// tool that makes or removes thousands fills no screen.
const DESCRIBED_PATHS: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::absolute;

    /// A rebuild line names each changed path once: not the paths inside a
    /// changed folder, files first, and after ten of them, how many more (a folder of
    /// 25 000 folders removed made a line of 880 KB, found in time
    /// quadratic in the paths).
    #[test]
    fn a_rebuild_names_the_outermost_paths_and_counts_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = absolute(dir.path());
        let (content, templates) = (root.join("content"), root.join("templates"));
        let meeting = content.join("rad/2024-01");
        let mut paths: BTreeSet<PathBuf> = BTreeSet::new();
        paths.insert(meeting.join("meeting.yaml"));
        paths.insert(meeting.join("junk"));
        for i in 0..20 {
            paths.insert(meeting.join(format!("junk/d{i:02}")));
            paths.insert(meeting.join(format!("junk/d{i:02}/x.md")));
        }
        for i in 0..12 {
            paths.insert(meeting.join(format!("saker/{i:02}-24.md")));
        }
        let line = describe(&paths, &content, &templates, |_| true);
        assert_eq!(
            line,
            "content/rad/2024-01/meeting.yaml (removed), \
             content/rad/2024-01/saker/00-24.md (removed), content/rad/2024-01/saker/01-24.md (removed), \
             content/rad/2024-01/saker/02-24.md (removed), content/rad/2024-01/saker/03-24.md (removed), \
             content/rad/2024-01/saker/04-24.md (removed), content/rad/2024-01/saker/05-24.md (removed), \
             content/rad/2024-01/saker/06-24.md (removed), content/rad/2024-01/saker/07-24.md (removed), \
             content/rad/2024-01/saker/08-24.md (removed), 4 more"
        );
    }
}
