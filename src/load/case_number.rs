//! Load stage, case numbers: an agenda row's case number and series, read in
//! its body's `case_format` (`38/20`, `012/24`, `PS 12/24`), or the next free
//! number of its series for `case: auto`.

use super::cycle::{CaseNumbers, MAX_CASE_NUMBER};
use super::source::SourceFile;
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::{CaseFormError, CaseFormat, CaseNumber, Series};

/// Where an agenda row's case number is read: its file, its field path
/// (`agenda[3]`) and its body's format.
pub(crate) struct CaseField<'a> {
    /// `meeting.yaml`.
    pub(crate) file: &'a SourceFile,
    /// The row's field path.
    pub(crate) field: &'a str,
    /// The body's case number format.
    pub(crate) format: &'a CaseFormat,
}

impl CaseField<'_> {
    fn sub(&self, name: &str) -> String {
        format!("{}.{name}", self.field)
    }
}

/// The row's case number: as written, or the next free one of its series for `auto`.
pub(crate) fn resolve_case_number(
    ctx: &CaseField<'_>,
    (written, series): (Option<&str>, Option<&str>),
    numbers: &mut CaseNumbers<'_>,
    diags: &mut Diagnostics,
) -> Option<CaseNumber> {
    let file = ctx.file;
    let format = ctx.format;
    let Some(text) = written else {
        diags.push(
            file.error(ctx.field, "missing required field `case`")
                .hint(format!(
                    "every agenda item needs a case number such as `{}`, or `break:` for a break",
                    format.example()
                )),
        );
        return None;
    };
    let explicit = series.is_some();
    let series = resolve_series(ctx, series, diags)?;
    if text == "auto" {
        return next_case_number(ctx, series, numbers, diags);
    }
    let number = match format.parse(text, Some(series), MAX_CASE_NUMBER) {
        Ok(number) => number,
        Err(why) => {
            // The numbers after a refused one depend on it: `auto` cannot
            // count on (it would only report again what is reported here).
            numbers.refused = true;
            diags.push(case_form_error(ctx, text, why));
            return None;
        }
    };
    if explicit && number.series != series {
        diags.push(file.error(
            &ctx.sub("case"),
            format!(
                "case {number} is not of the item's series {}",
                series.as_str()
            ),
        ));
        return None;
    }
    if let Some(year) = numbers.meeting_year
        && i64::from(number.year) != i64::from(year.rem_euclid(100))
    {
        diags.push(file.warning(
            &ctx.sub("case"),
            format!("case {number} is numbered for another year than the meeting ({year})"),
        ));
    }
    if let Some((_, previous)) = numbers.used.iter().find(|(c, _)| *c == number) {
        diags.push(file.error(
            &ctx.sub("case"),
            format!("case number {number} is used twice in this meeting (also at {previous})"),
        ));
    } else {
        numbers.used.push((number, ctx.field.to_owned()));
    }
    Some(number)
}

/// The next free number of `series` for `case: auto`.
fn next_case_number(
    ctx: &CaseField<'_>,
    series: Series,
    numbers: &mut CaseNumbers<'_>,
    diags: &mut Diagnostics,
) -> Option<CaseNumber> {
    if numbers.refused {
        // An earlier number of this meeting is reported; counting on from
        // it would only repeat that.
        return None;
    }
    let format = ctx.format;
    match numbers.next_free(format, series) {
        Ok(number) => {
            numbers.used.push((number, ctx.field.to_owned()));
            Some(number)
        }
        Err(why) => {
            diags.push(
                ctx.file.error(&ctx.sub("case"), format!("cannot assign a case number: {why}"))
                    .hint(format!("write the first case number of the year, such as `{}`; later items can use `auto`", format.number(series, 34, 20))),
            );
            None
        }
    }
}

/// The error for a case number not in the body's format.
fn case_form_error(ctx: &CaseField<'_>, text: &str, why: CaseFormError) -> Diagnostic {
    let format = ctx.format;
    let field = ctx.sub("case");
    let example = format.example();
    match why {
        CaseFormError::TooLarge => ctx.file.error(
            &field,
            format!("case number `{text}` is too large: a body has at most {MAX_CASE_NUMBER} cases a year"),
        ),
        CaseFormError::Form if *format == CaseFormat::default() => ctx
            .file
            .error(&field, format!("`{text}` is not a case number"))
            .hint("write the running number and the two-digit year, such as `34/20`"),
        CaseFormError::Form => ctx
            .file
            .error(&field, format!("`{text}` is not a case number in this body's form"))
            .hint(format!("the body's case_format writes case numbers such as `{example}`")),
        CaseFormError::NoSeries => ctx
            .file
            .error(&field, format!("`{text}` has a series prefix, but the body has no series"))
            .hint(format!("write the number as `{example}`, or give the body series in case_format")),
        CaseFormError::UnknownSeries(prefix) => unknown_series(ctx, &field, &prefix),
    }
}

/// The item's series: as written in `series`, or the body's first.
fn resolve_series(
    ctx: &CaseField<'_>,
    written: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<Series> {
    let format = ctx.format;
    let Some(prefix) = written else {
        return Some(format.default_series());
    };
    match Series::new(prefix).filter(|s| format.has_series(*s)) {
        Some(series) => Some(series),
        None => {
            diags.push(unknown_series(ctx, &ctx.sub("series"), prefix));
            None
        }
    }
}

/// The error for a series the body does not have.
fn unknown_series(ctx: &CaseField<'_>, field: &str, prefix: &str) -> Diagnostic {
    let format = ctx.format;
    let names: Vec<&str> = format.series.iter().map(|s| s.as_str()).collect();
    let diag = ctx
        .file
        .error(field, format!("unknown case number series `{prefix}`"));
    if names.is_empty() {
        return diag
            .hint("the body's case_format has no series: leave out the prefix and `series`");
    }
    match did_you_mean(prefix, names.iter().copied()) {
        Some(best) => diag.hint(format!(
            "did you mean {best}? The body's series are {}",
            names.join(", ")
        )),
        None => diag.hint(format!("the body's series are {}", names.join(", "))),
    }
}
