//! Load stage, deputies (*varamedlemmer*): a substitute in `meeting.yaml`
//! named by the member id of a deputy on the roster, or by name; and the
//! member's deputies list (in `body.yaml`) consulted.

use super::body::resolve_member;
use super::schema::SubstituteFile;
use super::source::SourceFile;
use crate::diagnostic::Diagnostics;
use crate::model::{Body, Member};

/// A substitute sitting in for a member at one meeting, resolved.
pub(crate) struct Substitute {
    /// Member id of the member replaced.
    pub(crate) replaces: String,
    /// Full name.
    pub(crate) name: String,
    /// Job title.
    pub(crate) title: Option<String>,
    /// Organisation, when written (else the member's).
    pub(crate) organisation: Option<String>,
    /// Whether the substitute is a deputy on the roster.
    pub(crate) deputy: bool,
}

/// The substitute written at `field`: `deputy` (a member id) or `name`.
pub(crate) fn resolve_substitute(
    file: &SourceFile,
    field: &str,
    sub: SubstituteFile,
    body: &Body,
    diags: &mut Diagnostics,
) -> Option<Substitute> {
    let SubstituteFile {
        replaces,
        name,
        deputy,
        title,
        organisation,
    } = sub;
    match (name, deputy) {
        (Some(name), None) => Some(Substitute {
            replaces,
            name,
            title,
            organisation,
            deputy: false,
        }),
        (None, Some(id)) => {
            let at = format!("{field}.deputy");
            let person = resolve_member(file, &at, &id, body, diags)?;
            let deputy = body.member(&id)?;
            check_listed(file, &at, body.member(&replaces), deputy, diags);
            Some(Substitute {
                replaces,
                name: person.name,
                title: title.or_else(|| deputy.title.clone()),
                organisation: organisation.or(person.organisation),
                deputy: true,
            })
        }
        (Some(_), Some(_)) | (None, None) => {
            diags.push(
                file.error(
                    field,
                    "write either `deputy` (a member id of a deputy) or `name` (and `organisation`)",
                )
                .hint("for example `{ for: kvestli, deputy: vara1 }` or `{ for: kvestli, name: Kari Nordmann }`"),
            );
            None
        }
    }
}

/// Warns when the member replaced has a deputies list without this deputy.
fn check_listed(
    file: &SourceFile,
    field: &str,
    member: Option<&Member>,
    deputy: &Member,
    diags: &mut Diagnostics,
) {
    let Some(member) = member else {
        return;
    };
    if !member.deputies.is_empty() && !member.deputies.contains(&deputy.id) {
        diags.push(
            file.warning(
                field,
                format!(
                    "`{}` is not among the deputies of `{}` ({})",
                    deputy.id,
                    member.id,
                    member.deputies.join(", ")
                ),
            )
            .hint("the deputies of a member are listed under `deputies` in body.yaml"),
        );
    }
}
