//! Output stage: the names of motebok's temporary files, and removing those a killed run left.
//!
//! A temporary file is written beside its target as
//! `.<name>.motebok-<pid>-<n>.tmp`, the previous file kept while a build is put
//! in place as `.<name>.motebok-<pid>-<n>.old`. Earlier versions wrote
//! `.<name>.<pid>-<n>.tmp`. Only names of these shapes are ever removed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What marks motebok's own temporary files, between the target's name and the pid.
const MARK: &str = ".motebok-";

/// A new, unique temporary path beside `path`, ending in `suffix` (`tmp`, `old`).
fn unique_path(path: &Path, suffix: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(
        ".{name}{MARK}{}-{}.{suffix}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

/// A new temporary path for the next content of `path`.
pub(super) fn temp_path(path: &Path) -> PathBuf {
    unique_path(path, "tmp")
}

/// A new path to keep the previous content of `path` under until a commit is final.
pub(super) fn backup_path(path: &Path) -> PathBuf {
    unique_path(path, "old")
}

/// Whether `name` is a temporary file name of motebok's (this version's or an
/// earlier one's).
pub fn is_temporary(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    let Some((stem, suffix)) = rest.rsplit_once('.') else {
        return false;
    };
    let counter = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let pid_and_counter = |s: &str| {
        s.split_once('-')
            .is_some_and(|(p, n)| counter(p) && counter(n))
    };
    if let Some((target, ids)) = stem.rsplit_once(MARK) {
        return !target.is_empty() && matches!(suffix, "tmp" | "old") && pid_and_counter(ids);
    }
    // The earlier form, `.<name>.<pid>-<n>.tmp`.
    suffix == "tmp"
        && stem
            .rsplit_once('.')
            .is_some_and(|(target, ids)| !target.is_empty() && pid_and_counter(ids))
}

/// Removes the temporary files that interrupted or killed runs left anywhere
/// in `output` (only motebok's, by their names; symbolic links are not
/// followed). Call it while holding the output lock. Returns how many were removed.
pub fn remove_stale_temporaries(output: &Path) -> io::Result<usize> {
    let mut removed = 0;
    let mut dirs = vec![output.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        for entry in entries {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if kind.is_file() && is_temporary(&entry.file_name().to_string_lossy()) {
                fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_motebok_temporary_names() {
        let cases = [
            (".innkalling.pdf.motebok-123-0.tmp", true),
            (".sak-01-24.pdf.motebok-9-17.old", true),
            (".innkalling.pdf.123-4.tmp", true),
            ("innkalling.pdf.motebok-123-0.tmp", false),
            (".innkalling.pdf.motebok-123-0.bak", false),
            (".innkalling.pdf.motebok-12a-0.tmp", false),
            (".innkalling.pdf.motebok-123.tmp", false),
            (".motebok-1-2.tmp", false),
            (".notes.tmp", false),
            (".03-24.md.tmp", false),
            ("min.pdf", false),
            (".x.1-2.old", false),
        ];
        for (name, expected) in cases {
            assert_eq!(is_temporary(name), expected, "{name}");
        }
    }

    #[test]
    fn generated_names_are_recognised() {
        let path = Path::new("out/nehs/innkalling.pdf");
        for p in [temp_path(path), backup_path(path)] {
            assert!(
                is_temporary(&p.file_name().unwrap().to_string_lossy()),
                "{p:?}"
            );
        }
    }

    #[test]
    fn removes_stale_temporaries_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let meeting = dir.path().join("nehs/2020-07");
        fs::create_dir_all(&meeting).unwrap();
        for name in [
            ".innkalling.pdf.motebok-1-0.tmp",
            ".a.pdf.2-3.tmp",
            "innkalling.pdf",
            ".notes.tmp",
        ] {
            fs::write(meeting.join(name), b"x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(dir.path()).unwrap(), 2);
        let mut left: Vec<_> = fs::read_dir(&meeting)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".notes.tmp", "innkalling.pdf"]);
    }
}
