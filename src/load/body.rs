//! Load stage, bodies: `body.yaml` into a [`Body`], and member ids resolved against its roster.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

use super::branding::resolve_branding;
use super::cycle::MAX_CASE_NUMBER;
use super::identity::check_unique_id;
use super::schema::{BodyFile, CaseFormatFile, LanguageName, MemberFile, PersonSpec, RoleName};
use super::source::{SourceFile, read_yaml, typed};
use crate::diagnostic::{Diagnostics, did_you_mean};
use crate::model::{Body, CaseFormat, Language, Member, Person, Role, Series};

/// Loads `body.yaml`; `ids` holds the ids taken by the bodies loaded before,
/// with their files, and gets this one's.
pub(crate) fn load_body(
    content_dir: &Path,
    path: &Path,
    ids: &mut HashMap<String, PathBuf>,
    diags: &mut Diagnostics,
) -> Option<Body> {
    let (file, value) = read_yaml(content_dir, path, diags)?;
    let raw: BodyFile = typed(&file, "", value, diags)?;
    let members = load_members(&file, raw.members, diags);
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if raw.id != folder {
        diags.push(file.warning(
            "id",
            format!(
                "body id `{}` differs from its folder name `{folder}`; output goes to output/{}",
                raw.id, raw.id
            ),
        ));
    }
    if !valid_id(&raw.id) {
        diags.push(file.error("id", invalid_id(&raw.id)));
    }
    check_unique_id(&file, &raw.id, ids, diags);
    let body_dir = path.parent().unwrap_or(content_dir);
    let branding = resolve_branding(
        &file,
        (content_dir, body_dir),
        (raw.logo, raw.colours, raw.letterhead),
        diags,
    );
    let case_format = resolve_case_format(&file, raw.case_format, diags);
    let body = Body {
        case_format,
        short_name: raw.short_name.unwrap_or_else(|| raw.name.clone()),
        id: raw.id,
        name: raw.name,
        organisation: raw.organisation,
        footer: raw.footer,
        members,
        branding,
        language: match raw.language {
            None | Some(LanguageName::Nb) => Language::Bokmal,
            Some(LanguageName::Nn) => Language::Nynorsk,
            Some(LanguageName::En) => Language::English,
        },
    };
    check_deputies(&file, &body, diags);
    Some(body)
}

/// The most digits a padded case number can have: the highest number's.
const MAX_CASE_DIGITS: u8 = MAX_CASE_NUMBER.ilog10() as u8 + 1;

/// `case_format` of `body.yaml`; the default format where it has errors.
fn resolve_case_format(
    file: &SourceFile,
    raw: Option<CaseFormatFile>,
    diags: &mut Diagnostics,
) -> CaseFormat {
    let (digits, series) = match raw {
        None => return CaseFormat::default(),
        Some(CaseFormatFile::Pattern(p)) => match p.trim().strip_suffix("/YY") {
            Some("NN") => (0, Vec::new()),
            Some(zeros) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => {
                (zeros.len().min(usize::from(u8::MAX)) as u8, Vec::new())
            }
            _ => {
                diags.push(
                    file.error("case_format", format!("`{p}` is not a case number format"))
                        .hint("write `NN/YY`, one 0 per digit such as `000/YY`, or `{ digits: 3, series: [PS, RS] }`"),
                );
                return CaseFormat::default();
            }
        },
        Some(CaseFormatFile::Spec(spec)) => (spec.digits.unwrap_or(0), spec.series),
    };
    let mut format = CaseFormat::default();
    if digits > MAX_CASE_DIGITS {
        diags.push(file.error(
            "case_format",
            format!("case numbers have at most {MAX_CASE_DIGITS} digits, not {digits}"),
        ));
    } else {
        format.digits = digits;
    }
    for (i, prefix) in series.iter().enumerate() {
        let field = format!("case_format.series[{i}]");
        match Series::new(prefix) {
            Some(s) if format.series.contains(&s) => {
                diags.push(file.error(&field, format!("series `{prefix}` is listed twice")));
            }
            Some(s) => format.series.push(s),
            None => diags.push(
                file.error(&field, format!("`{prefix}` is not a series prefix"))
                    .hint("write 1 to 4 capital letters, such as PS or RS"),
            ),
        }
    }
    format
}

/// The roster of `body.yaml`, each member checked on its own.
fn load_members(file: &SourceFile, values: Vec<Value>, diags: &mut Diagnostics) -> Vec<Member> {
    let mut members: Vec<Member> = Vec::new();
    for (i, value) in values.into_iter().enumerate() {
        let field = format!("members[{i}]");
        let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
        let Some(m) = typed::<MemberFile>(file, &field, value, diags) else {
            // The error is reported; the id stays known so that references to
            // the member are not reported as unknown too.
            if let Some(id) = id.filter(|id| members.iter().all(|m| &m.id != id)) {
                members.push(Member {
                    id: id.clone(),
                    name: id,
                    title: None,
                    organisation: None,
                    role: Role::Member,
                    role_label: None,
                    deputies: Vec::new(),
                });
            }
            continue;
        };
        if !valid_id(&m.id) {
            diags.push(file.error(&format!("{field}.id"), invalid_id(&m.id)));
        }
        if members.iter().any(|other| other.id == m.id) {
            diags.push(file.error(
                &format!("{field}.id"),
                format!("member id `{}` is used twice", m.id),
            ));
            continue;
        }
        members.push(Member {
            role: role(m.role),
            role_label: m.role_label,
            deputies: m.deputies,
            id: m.id,
            name: m.name,
            title: m.title,
            organisation: m.organisation,
        });
    }
    members
}

/// The role written in content.
fn role(name: RoleName) -> Role {
    match name {
        RoleName::Leader => Role::Leader,
        RoleName::Member => Role::Member,
        RoleName::Observer => Role::Observer,
        RoleName::Secretariat => Role::Secretariat,
        RoleName::DeputyLeader => Role::DeputyLeader,
        RoleName::Deputy => Role::Deputy,
    }
}

fn invalid_id(id: &str) -> String {
    format!("`{id}` is not a valid id: use lower-case letters, digits and `-`")
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A roster member as a person named in a meeting.
pub(crate) fn member_person(m: &Member) -> Person {
    Person {
        name: m.name.clone(),
        organisation: m.organisation.clone(),
        member_id: Some(m.id.clone()),
        title: m.title.clone(),
    }
}

/// Resolves the member id `id` written at `field`, reporting an unknown one.
pub(crate) fn resolve_member(
    file: &SourceFile,
    field: &str,
    id: &str,
    body: &Body,
    diags: &mut Diagnostics,
) -> Option<Person> {
    if let Some(m) = body.member(id) {
        return Some(member_person(m));
    }
    let mut diag = file.error(
        field,
        format!(
            "unknown member id `{id}` (not in the roster of {})",
            body.id
        ),
    );
    diag = match did_you_mean(id, body.members.iter().map(|m| m.id.as_str())) {
        Some(best) => diag.hint(format!("did you mean `{best}`?")),
        None => diag.hint("member ids are listed under `members` in body.yaml; a guest is written `{ name, organisation }`"),
    };
    diags.push(diag);
    None
}

/// A member id or a guest `{ name, organisation }`.
pub(crate) fn resolve_person(
    file: &SourceFile,
    field: &str,
    spec: PersonSpec,
    body: &Body,
    diags: &mut Diagnostics,
) -> Option<Person> {
    match spec {
        PersonSpec::Id(id) => resolve_member(file, field, &id, body, diags),
        PersonSpec::Guest {
            name,
            organisation,
            title,
        } => Some(Person {
            name,
            organisation,
            member_id: None,
            title,
        }),
    }
}

/// Reports deputies lists in `body.yaml` that name unknown member ids.
pub(crate) fn check_deputies(file: &SourceFile, body: &Body, diags: &mut Diagnostics) {
    for (i, member) in body.members.iter().enumerate() {
        for (j, id) in member.deputies.iter().enumerate() {
            resolve_member(
                file,
                &format!("members[{i}].deputies[{j}]"),
                id,
                body,
                diags,
            );
        }
    }
}
