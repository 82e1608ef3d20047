//! Build script: embeds the built-in templates (everything under `templates/`,
//! subfolders included) into the binary as a generated table of
//! `(name, source)` pairs, names with `/` separators on every platform; and
//! gives the build an identity, `MOTEBOK_BUILD_ID`: a hash of the source
//! code, fonts and locked dependencies, which the build's fingerprints of
//! documents include (a document rendered by other code is rendered again).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let templates = root.join("templates");
    // A folder given here makes cargo rerun this script when any file below it
    // is added, removed or changed.
    println!("cargo::rerun-if-changed=templates");
    let mut files = Vec::new();
    collect(&templates, "", &mut files);
    files.sort();
    let mut table = String::from(
        "/// The built-in templates: name (relative to `templates/`, `/`-separated) and source.\n\
         pub(crate) static BUILT_IN: &[(&str, &str)] = &[\n",
    );
    for (name, path) in &files {
        table.push_str(&format!("    ({name:?}, include_str!({path:?})),\n"));
    }
    table.push_str("];\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    fs::write(out.join("built_in_templates.rs"), table).expect("OUT_DIR is writable");
    build_id(&root);
}

/// Emits `MOTEBOK_BUILD_ID`: an FNV-1a hash of every file under `src/` and
/// `fonts/` (path and bytes, in path order) and of `Cargo.lock`.
fn build_id(root: &Path) {
    let mut files = Vec::new();
    for folder in ["src", "fonts"] {
        println!("cargo::rerun-if-changed={folder}");
        collect(&root.join(folder), &format!("{folder}/"), &mut files);
    }
    println!("cargo::rerun-if-changed=Cargo.lock");
    files.push((
        "Cargo.lock".to_owned(),
        root.join("Cargo.lock").to_string_lossy().into_owned(),
    ));
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, path) in &files {
        let bytes = fs::read(path).unwrap_or_default();
        for byte in name.bytes().chain([0]).chain(bytes).chain([0]) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo::rustc-env=MOTEBOK_BUILD_ID={hash:016x}");
}

/// Every file under `dir` that is not hidden, as (name, absolute path).
fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
    let entries = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("failed to read folder {} ({e})", dir.display()));
    for entry in entries {
        let entry = entry.expect("a readable folder entry");
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.starts_with('.') {
            continue;
        }
        let name = format!("{prefix}{file_name}");
        let path = entry.path();
        if path.is_dir() {
            collect(&path, &format!("{name}/"), out);
        } else {
            out.push((name, path.to_string_lossy().into_owned()));
        }
    }
}
