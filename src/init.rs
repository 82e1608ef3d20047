//! Starting a project: `motebok init` writes a body, a first meeting, README,
//! .gitignore and a CI workflow; `motebok templates eject` copies the built-in
//! templates out for customisation. Both only ever create files.   [writes files]

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::cli::InitArgs;
use crate::diagnostic::Diagnostic;
use crate::output::write_atomic;
use crate::render::TemplateSet;
use crate::render::templates::{built_in_files, join_name};

mod files;

/// What `motebok init` wrote.
#[derive(Debug)]
pub struct Init {
    /// The project folder.
    pub dir: PathBuf,
    /// The body's id.
    pub body: String,
    /// Every file written, in the order written.
    pub written: Vec<PathBuf>,
}

impl Init {
    /// What to print: the files, then what to do next.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for path in &self.written {
            let _ = writeln!(out, "wrote {}", path.display());
        }
        let _ = writeln!(
            out,
            "started a project for `{}` in {}: edit content/{}/body.yaml and the first meeting, \
             then run `motebok build` there (see README.md)",
            self.body,
            self.dir.display(),
            self.body
        );
        out
    }
}

/// The settings of a new project, resolved from the arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSpec {
    /// The body's id (its folder under content/).
    pub body: String,
    /// The body's name.
    pub name: String,
    /// The first meeting's date.
    pub date: crate::derive::Date,
}

/// Writes a new project into `args.dir`; never overwrites: when any of its
/// files exists, nothing is written and the error names every one.
pub fn init(args: &InitArgs) -> Result<Init, Vec<Diagnostic>> {
    let (body, default_name) = match &args.body {
        Some(id) => (id.clone(), name_from_id(id)),
        None => {
            let folder = folder_name(&args.dir);
            (body_id_from_folder(&folder)?, capitalised(folder.trim()))
        }
    };
    if !valid_id(&body) {
        return Err(vec![
            Diagnostic::error(format!(
                "`{body}` is not a valid body id: use lower-case letters, digits and `-`"
            ))
            .hint("give one with --body, such as --body styret"),
        ]);
    }
    let spec = ProjectSpec {
        name: args.name.clone().unwrap_or(default_name),
        body,
        date: crate::derive::Date::today(),
    };
    let planned: Vec<(PathBuf, String)> = files::project_files(&spec)
        .into_iter()
        .map(|(name, text)| (join_name(&args.dir, &name), text))
        .collect();
    let existing: Vec<Diagnostic> = planned
        .iter()
        .filter(|(path, _)| path.exists())
        .map(|(path, _)| {
            Diagnostic::error(format!(
                "{} already exists; motebok init never overwrites, so nothing was written",
                path.display()
            ))
            .in_file(path)
            .hint("run init in an empty folder, or move the file away")
        })
        .collect();
    if !existing.is_empty() {
        return Err(existing);
    }
    let mut written = Vec::new();
    for (path, text) in planned {
        write_new(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(Init {
        dir: args.dir.clone(),
        body: spec.body,
        written,
    })
}

/// What `motebok templates eject` did.
#[derive(Debug)]
pub struct Eject {
    /// The templates folder.
    pub folder: PathBuf,
    /// The files written.
    pub written: Vec<PathBuf>,
    /// The files left as they were, because they were already there.
    pub kept: Vec<PathBuf>,
}

impl Eject {
    /// What to print.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for path in &self.written {
            let _ = writeln!(out, "wrote {}", path.display());
        }
        for path in &self.kept {
            let _ = writeln!(
                out,
                "kept {} (already there; never overwritten)",
                path.display()
            );
        }
        let _ = writeln!(
            out,
            "{} built-in templates copied into {}; builds now use these files. Delete a file to go back to the built-in one",
            self.written.len(),
            self.folder.display()
        );
        out
    }
}

/// Copies every built-in template (and `labels.yaml`) into `folder`, keeping
/// any file already there.
pub fn eject(folder: &Path) -> Result<Eject, Vec<Diagnostic>> {
    let mut eject = Eject {
        folder: folder.to_path_buf(),
        written: Vec::new(),
        kept: Vec::new(),
    };
    for (name, source) in built_in_files() {
        let path = join_name(folder, name);
        if path.exists() {
            eject.kept.push(path);
            continue;
        }
        let text = source.replace("\r\n", "\n");
        write_new(&path, text.as_bytes())?;
        eject.written.push(path);
    }
    Ok(eject)
}

/// The templates a build with the templates folder `given` (or `templates`)
/// uses, one per line: name, then where it comes from.
pub fn list_templates(given: Option<&Path>) -> Result<String, Vec<Diagnostic>> {
    let folder = crate::config::templates_folder(given).map_err(|m| vec![Diagnostic::error(m)])?;
    let set = TemplateSet::load(&folder)?;
    let width = set.files().map(|f| f.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for file in set.files() {
        let origin = if file.is_built_in() {
            "built-in".to_owned()
        } else {
            file.path().display().to_string()
        };
        let _ = writeln!(out, "{:width$}  {origin}", file.name);
    }
    Ok(out)
}

/// Creates `path` (and its folder) with `bytes`; the error names the path.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Vec<Diagnostic>> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    folder
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|()| write_atomic(path, bytes))
        .map_err(|err| {
            vec![
                Diagnostic::error(format!("failed to write {} ({err})", path.display()))
                    .in_file(path),
            ]
        })
}

/// The last component of `dir` made absolute (`.` is the current folder's name).
fn folder_name(dir: &Path) -> String {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    absolute
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .next_back()
        .unwrap_or_default()
}

/// A body id from the project folder's name (`Styret` → `styret`, `Mitt utvalg`
/// → `mitt-utvalg`, `Råd` → `rad`).
fn body_id_from_folder(name: &str) -> Result<String, Vec<Diagnostic>> {
    let id = slug(name);
    if id.is_empty() {
        return Err(vec![
            Diagnostic::error(format!(
                "cannot make a body id from the folder name `{name}`"
            ))
            .hint("give one with --body, such as --body styret"),
        ]);
    }
    Ok(id)
}

/// Lower-case letters, digits and single `-`; Norwegian letters spelt out.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let ascii = match c {
            'æ' => "ae",
            'ø' | 'ö' => "o",
            'å' | 'ä' | 'á' | 'à' => "a",
            'é' | 'è' => "e",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if ascii == "-" && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push_str(ascii);
    }
    out.trim_end_matches('-').to_owned()
}

/// The rule body ids follow (as content loading checks them).
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A name from an id: `styret` → `Styret`, `nytt-utvalg` → `Nytt utvalg`.
fn name_from_id(id: &str) -> String {
    capitalised(&id.replace('-', " "))
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_ids_come_from_folder_names() {
        for (name, id) in [
            ("styret", "styret"),
            ("Styret", "styret"),
            ("Mitt utvalg", "mitt-utvalg"),
            ("Rådet for økonomi", "radet-for-okonomi"),
            ("  --x__y--  ", "x-y"),
            ("Æ", "ae"),
            ("!!!", ""),
        ] {
            assert_eq!(slug(name), id, "{name}");
        }
        assert_eq!(name_from_id("nytt-utvalg"), "Nytt utvalg");
        assert!(valid_id("styret-2"));
        assert!(!valid_id("Styret"));
    }
}
