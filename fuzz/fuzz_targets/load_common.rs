//! Shared body of the loading targets (included with `#[path]`).

use std::path::Path;

use motebok::load;
use motebok::pipeline;

/// Writes `data` to `file` (relative to `content`), loads the project and, when it
/// loads without errors, renders every document's Typst source.
///
/// Checks: no panic while loading, formatting diagnostics or rendering; content
/// that loads renders without template errors; every generated source parses
/// without Typst syntax errors (content is escaped, so it cannot break syntax).
pub fn load_and_render(content: &Path, file: &str, data: &[u8]) {
    std::fs::write(content.join(file), data).unwrap();
    let (project, diags) = load::load_project(content);
    // Formatting draws source snippets at diagnostic positions: exercise it
    // (unless `MOTEBOK_FUZZ_IGNORE` has `gate:nodisplay`, to look past a known
    // panic there).
    if !super::common::ignored().iter().any(|i| i == "gate:nodisplay") {
        for d in &diags.0 {
            let _ = d.to_string();
        }
    }
    if diags.has_errors() {
        return;
    }
    let renderer = super::common::renderer();
    for job in pipeline::plan(&project) {
        let source = match pipeline::render_job(renderer, &project, &job) {
            Ok(source) => source,
            Err(d) => {
                return super::common::fail(format!(
                    "content that loads without errors fails to render {}: {d}\ninput: {:?}",
                    job.path.display(),
                    String::from_utf8_lossy(data)
                ));
            }
        };
        let errors = super::common::syntax_errors(&source);
        if !errors.is_empty() {
            return super::common::fail(format!(
                "generated {} has Typst syntax errors: {errors:?}\ninput: {:?}",
                job.path.display(),
                String::from_utf8_lossy(data)
            ));
        }
    }
}

