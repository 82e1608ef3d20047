//! Schema stage, `motebok schema`: the JSON Schemas of the content files, derived
//! from the raw shapes [`crate::load`] reads, so that editors with the YAML
//! language server complete and check fields while typing.   [writes files]
//!
//! The schemas are draft-07 (the draft every editor's JSON Schema support
//! knows), with sorted keys so that the text does not depend on how serde_json
//! was built.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::load::schema::{BodyFile, MeetingFile, MinutesFile};
use crate::output::write_atomic;

/// The folder of a project the schemas are written to, beside `content/`.
pub const SCHEMA_FOLDER: &str = "schema";

/// A kind of content file that has a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentFile {
    /// `content/<body>/body.yaml`.
    Body,
    /// `content/<body>/<meeting>/meeting.yaml`.
    Meeting,
    /// `content/<body>/<meeting>/minutes.yaml`.
    Minutes,
}

impl ContentFile {
    /// Every kind, in the order they are written.
    pub const ALL: [ContentFile; 3] = [
        ContentFile::Body,
        ContentFile::Meeting,
        ContentFile::Minutes,
    ];

    /// The content file's name (`meeting.yaml`).
    pub fn content_name(self) -> &'static str {
        match self {
            ContentFile::Body => crate::load::BODY_FILE,
            ContentFile::Meeting => crate::load::MEETING_FILE,
            ContentFile::Minutes => crate::load::MINUTES_FILE,
        }
    }

    /// The kind of a content file from its name, if it has a schema.
    pub fn from_content_name(name: &str) -> Option<ContentFile> {
        ContentFile::ALL
            .into_iter()
            .find(|f| f.content_name() == name)
    }

    /// The schema's file name (`meeting.schema.json`).
    pub fn schema_name(self) -> &'static str {
        match self {
            ContentFile::Body => "body.schema.json",
            ContentFile::Meeting => "meeting.schema.json",
            ContentFile::Minutes => "minutes.schema.json",
        }
    }

    /// The schema as a JSON value.
    pub fn schema(self) -> Value {
        let mut value = match self {
            ContentFile::Body => root_schema::<BodyFile>(),
            ContentFile::Meeting => root_schema::<MeetingFile>(),
            ContentFile::Minutes => root_schema::<MinutesFile>(),
        };
        if let Some(object) = value.as_object_mut() {
            let title = format!("motebok: {}", self.content_name());
            object.insert("title".to_owned(), Value::String(title));
        }
        drop_null_defaults(&mut value);
        value.sort_all_objects();
        value
    }

    /// The schema's text as written to its file: pretty JSON ending in a newline.
    pub fn schema_text(self) -> String {
        let mut text = serde_json::to_string_pretty(&self.schema())
            .unwrap_or_else(|err| unreachable!("a JSON value always serialises ({err})"));
        text.push('\n');
        text
    }

    /// The path of the schema as seen from the content file at its place in a
    /// project (`content/<body>/body.yaml`, `content/<body>/<meeting>/…`).
    pub fn relative_schema_path(self) -> String {
        let up = match self {
            ContentFile::Body => "../../",
            ContentFile::Meeting | ContentFile::Minutes => "../../../",
        };
        format!("{up}{SCHEMA_FOLDER}/{}", self.schema_name())
    }

    /// The first line of a content file that points the YAML language server
    /// (VS Code, Neovim) at its schema, with its newline.
    pub fn modeline(self) -> String {
        format!(
            "# yaml-language-server: $schema={}\n",
            self.relative_schema_path()
        )
    }
}

/// The root schema of `T` as a JSON value.
fn root_schema<T: JsonSchema>() -> Value {
    SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// Removes `"default": null` (which serde's `default` on an optional field
/// gives), so that editors do not offer `null` as a field's value.
fn drop_null_defaults(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if object.get("default").is_some_and(Value::is_null) {
                object.remove("default");
            }
            object.values_mut().for_each(drop_null_defaults);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

/// What `motebok schema` wrote.
#[derive(Debug)]
pub struct SchemaWrite {
    /// The folder.
    pub folder: PathBuf,
    /// The files written.
    pub written: Vec<PathBuf>,
    /// The files that already held the same text.
    pub unchanged: Vec<PathBuf>,
}

impl SchemaWrite {
    /// What to print: the files, then how a content file uses them.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for path in &self.written {
            let _ = writeln!(out, "wrote {}", path.display());
        }
        for path in &self.unchanged {
            let _ = writeln!(out, "{} is up to date", path.display());
        }
        let _ = writeln!(
            out,
            "editors with the YAML language server (VS Code, Neovim) check a content file \
             whose first line names its schema:"
        );
        for file in ContentFile::ALL {
            let _ = write!(out, "  {}", file.modeline());
        }
        out
    }
}

/// Writes every schema into `folder` (created if missing), leaving files that
/// already hold the same text untouched.
pub fn write_schemas(folder: &Path) -> Result<SchemaWrite, Vec<Diagnostic>> {
    let fail = |verb: &str, path: &Path, err: std::io::Error| {
        vec![
            Diagnostic::error(format!("failed to {verb} {} ({err})", path.display())).in_file(path),
        ]
    };
    fs::create_dir_all(folder).map_err(|err| fail("create", folder, err))?;
    let mut done = SchemaWrite {
        folder: folder.to_path_buf(),
        written: Vec::new(),
        unchanged: Vec::new(),
    };
    for file in ContentFile::ALL {
        let path = folder.join(file.schema_name());
        let text = file.schema_text();
        if fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
            done.unchanged.push(path);
            continue;
        }
        write_atomic(&path, text.as_bytes()).map_err(|err| fail("write", &path, err))?;
        done.written.push(path);
    }
    Ok(done)
}

/// `motebok schema`: the text of the schema `print` when given, else the files
/// written into `out` and how to use them.
pub fn schema_command(out: &Path, print: Option<ContentFile>) -> Result<String, Vec<Diagnostic>> {
    match print {
        Some(file) => Ok(file.schema_text()),
        None => write_schemas(out).map(|done| done.summary()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Standing};

    /// The `enum` values of property `field` of `definition` (or the root) in `file`'s schema.
    fn names(file: ContentFile, definition: &str, field: &str) -> Vec<String> {
        let schema = file.schema();
        let shape = match definition {
            "" => &schema,
            name => &schema["definitions"][name],
        };
        let mut property = &shape["properties"][field];
        let options = property["anyOf"]
            .as_array()
            .or(property["allOf"].as_array());
        let reference = options
            .into_iter()
            .flatten()
            .find_map(|v| v["$ref"].as_str());
        if let Some(reference) = reference.or(property["$ref"].as_str()) {
            let name = reference.trim_start_matches("#/definitions/");
            property = &schema["definitions"][name];
        }
        let consts = property["oneOf"].as_array().into_iter().flatten();
        let consts = consts.flat_map(|v| v["const"].as_str().or(v["enum"][0].as_str()));
        let listed = property["enum"].as_array().into_iter().flatten();
        let listed = listed.filter_map(|v| v.as_str());
        consts.chain(listed).map(str::to_owned).collect()
    }

    #[test]
    fn schema_names_are_the_names_loading_takes() {
        let kinds = names(ContentFile::Meeting, "AgendaFile", "kind");
        assert_eq!(kinds, Kind::NAMES);
        let standing = names(ContentFile::Meeting, "AgendaFile", "standing");
        assert_eq!(standing, Standing::NAMES);
        let roles = names(ContentFile::Body, "MemberFile", "role");
        assert_eq!(
            roles,
            [
                "leader",
                "member",
                "observer",
                "secretariat",
                "deputy_leader",
                "deputy"
            ]
        );
        assert_eq!(
            names(ContentFile::Minutes, "", "status"),
            ["draft", "final"]
        );
    }

    #[test]
    fn content_names_map_to_schemas() {
        for file in ContentFile::ALL {
            assert_eq!(
                ContentFile::from_content_name(file.content_name()),
                Some(file)
            );
            assert!(file.modeline().ends_with(".schema.json\n"));
        }
        assert_eq!(ContentFile::from_content_name("notes.yaml"), None);
    }
}
