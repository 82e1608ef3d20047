//! `motebok archive`, the site: the public documents of the published meetings
//! built into the site folder, the index and calendars written beside them,
//! and what earlier runs left there that is no longer public removed.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use super::{ArchiveConfig, ics, write_index};
use crate::diagnostic::Diagnostic;
use crate::document::{Audience, DocumentKind, Scope};
use crate::model::Project;
use crate::output::is_temporary;
use crate::pipeline::{BuildConfig, Job, build_jobs, plan};
use crate::render::Renderer;

/// The folder the public site is written to unless `--site` says otherwise.
pub const DEFAULT_SITE: &str = "site";

/// The pages of the site, at its top.
const SITE_PAGES: [&str; 2] = ["index.html", "index.json"];

impl ArchiveConfig {
    /// Checks that the site folder is a folder of its own: not the content,
    /// templates or output folder, nor a folder holding one of them, which
    /// clearing old files from the site could harm.
    pub fn check_site(&self) -> Result<(), String> {
        let site = real_path(&self.site);
        let build = &self.build;
        for (what, dir) in [
            ("content", &build.content),
            ("templates", &build.templates),
            ("output", &build.output),
        ] {
            let dir_real = real_path(dir);
            if dir_real.starts_with(&site) {
                return Err(format!(
                    "--site {}: the site folder must not hold the {what} folder {}\n  = help: the site holds only public material; give it a folder of its own, such as `site`",
                    self.site.display(),
                    dir.display()
                ));
            }
            if site.starts_with(&dir_real) {
                return Err(format!(
                    "--site {}: the site folder must not be inside the {what} folder {}\n  = help: clearing the site of files no longer public would remove files of the {what} folder; give it a folder of its own, such as `site`",
                    self.site.display(),
                    dir.display()
                ));
            }
        }
        Ok(())
    }
}

/// `path` as it is on disk: absolute, with `..` and symbolic links resolved
/// as far as it exists (`content/..` is the project, not a folder of its
/// own), and the rest as written.
fn real_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<Component<'_>> = absolute.components().collect();
    for existing in (1..=parts.len()).rev() {
        let Ok(mut real) = parts[..existing].iter().collect::<PathBuf>().canonicalize() else {
            continue;
        };
        for part in &parts[existing..] {
            match part {
                Component::ParentDir => {
                    real.pop();
                }
                Component::Normal(name) => real.push(name),
                _ => {}
            }
        }
        return real;
    }
    absolute
}

/// Whether the file at `rel` in a site is one motebok writes there, by its
/// place and name: the pages at the top, a body's calendar, a meeting's
/// documents (and the Typst sources and temporary files of earlier
/// versions), below the top only in the folder of one of `bodies`. Anything
/// else (a name that is not UTF-8 too) was put there by someone else.
fn written_by_motebok(rel: &Path, bodies: &HashSet<&str>) -> bool {
    let Some(parts) = rel
        .iter()
        .map(|p| p.to_str())
        .collect::<Option<Vec<&str>>>()
    else {
        return false;
    };
    let Some(&name) = parts.last() else {
        return false;
    };
    // Below the top, only in the folder of one of the project's bodies.
    if parts.len() > 1 && !bodies.contains(parts[0]) {
        return false;
    }
    if is_temporary(name) {
        return true;
    }
    match parts.len() {
        1 => SITE_PAGES.contains(&name),
        2 => name == ics::CALENDAR_FILE,
        3 => {
            let Some(stem) = name
                .strip_suffix(".pdf")
                .or_else(|| name.strip_suffix(".typ"))
            else {
                return false;
            };
            DocumentKind::ALL.iter().any(|kind| {
                let spec = kind.spec();
                match spec.scope {
                    Scope::Meeting => stem == spec.stem,
                    Scope::Item => stem
                        .strip_prefix(spec.stem)
                        .and_then(|rest| rest.strip_prefix('-'))
                        .is_some_and(|slug| !slug.is_empty()),
                }
            })
        }
        _ => false,
    }
}

/// Builds the site: the public version of every published meeting's
/// documents (draft minutes only when asked for), `index.json`, `index.html`
/// and a calendar per body. Returns the number of public documents.
pub(super) fn publish(
    config: &ArchiveConfig,
    project: &Project,
    renderer: &Renderer,
) -> (usize, Vec<Diagnostic>) {
    let public = project.public_version();
    let site = site_config(config);
    let jobs: Vec<Job> = plan(&public)
        .into_iter()
        .filter(|j| {
            let meeting = &public.bodies[j.body].meetings[j.meeting];
            j.kind
                .is_for(Audience::Public, meeting, config.include_drafts)
        })
        .collect();
    let report = build_jobs(&site, &public, renderer, &jobs, None);
    let mut diagnostics = report.diagnostics.0;
    if diagnostics.iter().any(Diagnostic::is_error) {
        return (0, diagnostics);
    }
    diagnostics.extend(write_index(&site, &public, renderer));
    diagnostics.extend(ics::write_calendars(
        &site.output,
        &public,
        renderer.labels(),
    ));
    let mut keep: HashSet<PathBuf> = jobs.into_iter().map(|j| j.path).collect();
    keep.extend(SITE_PAGES.map(PathBuf::from));
    keep.extend(
        public
            .bodies
            .iter()
            .map(|b| ics::calendar_path(&b.body).into()),
    );
    let bodies: HashSet<&str> = public.bodies.iter().map(|b| b.body.id.as_str()).collect();
    let mine = |rel: &Path| written_by_motebok(rel, &bodies);
    remove_stale(&site.output, Path::new(""), &keep, &mine, &mut diagnostics);
    (report.documents.len(), diagnostics)
}

/// The settings of the public build: into the site, every document compiled
/// (the site keeps no build state), no Typst source beside the PDFs.
fn site_config(config: &ArchiveConfig) -> BuildConfig {
    BuildConfig {
        output: config.site.clone(),
        keep_typst: false,
        dry_run: false,
        force: true,
        include_drafts: config.include_drafts,
        progress: None,
        ..config.build.clone()
    }
}

/// Removes the files under `site/rel` that motebok wrote on an earlier run and
/// that are no longer part of the site (a meeting set back to planned, an
/// item made exempt, draft minutes), and folders left empty.
fn remove_stale(
    site: &Path,
    rel: &Path,
    keep: &HashSet<PathBuf>,
    mine: &dyn Fn(&Path) -> bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Ok(entries) = std::fs::read_dir(site.join(rel)) else {
        return;
    };
    for entry in entries.flatten() {
        let rel = rel.join(entry.file_name());
        let path = site.join(&rel);
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_stale(site, &rel, keep, mine, diagnostics);
            // Only an empty folder goes; one holding someone else's files stays.
            let _ = std::fs::remove_dir(&path);
            continue;
        }
        if keep.contains(&rel) {
            continue;
        }
        if !mine(&rel) {
            diagnostics.push(Diagnostic::warning(format!(
                "{} is not part of the public site; remove it before publishing",
                path.display()
            )));
        } else if let Err(err) = std::fs::remove_file(&path) {
            diagnostics.push(Diagnostic::error(format!(
                "failed to remove {}, which is no longer part of the public site ({err})",
                path.display()
            )));
        }
    }
}
