//! Model, numbers: case numbers (`38/20`, `012/24`, `PS 12/24`), the body's
//! case number format, and meeting numbers (`7/2020`).

use std::fmt;

/// The longest series prefix (`PS`, `RS`, `DS`).
const MAX_SERIES_LEN: usize = 4;

/// A case number series, the prefix of a numbering run through the year
/// (`PS` for political cases, `RS` for reference cases); empty for a body
/// with one series and no prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Series([u8; MAX_SERIES_LEN]);

impl Series {
    /// The series of a body without prefixes.
    pub const NONE: Series = Series([0; MAX_SERIES_LEN]);

    /// A series from its prefix: 1 to 4 upper-case ASCII letters.
    pub fn new(prefix: &str) -> Option<Series> {
        let bytes = prefix.as_bytes();
        if bytes.is_empty()
            || bytes.len() > MAX_SERIES_LEN
            || !bytes.iter().all(u8::is_ascii_uppercase)
        {
            return None;
        }
        let mut code = [0; MAX_SERIES_LEN];
        code[..bytes.len()].copy_from_slice(bytes);
        Some(Series(code))
    }

    /// The prefix as written; empty for [`Series::NONE`].
    pub fn as_str(&self) -> &str {
        let len = self
            .0
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(MAX_SERIES_LEN);
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0[..len]).unwrap_or_default()
    }

    /// Whether this is the series of a body without prefixes.
    pub fn is_none(&self) -> bool {
        *self == Series::NONE
    }
}

/// A case number `NN/YY`, in the form of its body's [`CaseFormat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseNumber {
    /// The series it is numbered in ([`Series::NONE`] without prefixes).
    pub series: Series,
    /// Running number within the year (and series).
    pub number: u32,
    /// Two-digit year.
    pub year: u32,
    /// Digits the number is zero-padded to when printed (0: not padded).
    pub width: u8,
}

impl CaseNumber {
    /// A number of the default format (`NN/YY`, no series, no padding).
    pub fn plain(number: u32, year: u32) -> CaseNumber {
        CaseNumber {
            series: Series::NONE,
            number,
            year,
            width: 0,
        }
    }

    /// Parses `NN/YY` in the default format.
    pub fn parse(text: &str) -> Option<CaseNumber> {
        let (n, y) = text.split_once('/')?;
        if n.is_empty() || y.len() != 2 || !n.bytes().chain(y.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number = n.parse().ok().filter(|&n| n > 0)?;
        Some(CaseNumber::plain(number, y.parse().ok()?))
    }

    /// Another number of the same series, form and year.
    pub fn with_number(self, number: u32) -> CaseNumber {
        CaseNumber { number, ..self }
    }

    /// The file-name form: `38-20`, `012-24`, `PS-012-24`.
    pub fn slug(self) -> String {
        let width = usize::from(self.width).max(2);
        let number = format!("{:0width$}-{:02}", self.number, self.year);
        match self.series.is_none() {
            true => number,
            false => format!("{}-{number}", self.series.as_str()),
        }
    }
}

impl fmt::Display for CaseNumber {
    /// `38/20`, `012/24`, `PS 12/24`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.series.is_none() {
            write!(f, "{} ", self.series.as_str())?;
        }
        let width = usize::from(self.width);
        write!(f, "{:0width$}/{:02}", self.number, self.year)
    }
}

/// How a body writes its case numbers (`case_format` in `body.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseFormat {
    /// Digits the running number is zero-padded to (0: not padded, `38/20`).
    pub digits: u8,
    /// The series, each numbered on its own; the first is the default. Empty:
    /// one series without prefix.
    pub series: Vec<Series>,
}

/// Why a text is not a case number of a body's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseFormError {
    /// Not a case number at all, or not in the body's form.
    Form,
    /// A number above the given highest.
    TooLarge,
    /// A prefix that is none of the body's series.
    UnknownSeries(String),
    /// A prefix on a body without series.
    NoSeries,
}

impl CaseFormat {
    /// The default series: the first, or [`Series::NONE`].
    pub fn default_series(&self) -> Series {
        self.series.first().copied().unwrap_or(Series::NONE)
    }

    /// Whether `series` is one of the body's.
    pub fn has_series(&self, series: Series) -> bool {
        if self.series.is_empty() {
            series.is_none()
        } else {
            self.series.contains(&series)
        }
    }

    /// The number `number/year` of `series` in this format.
    pub fn number(&self, series: Series, number: u32, year: u32) -> CaseNumber {
        CaseNumber {
            series,
            number,
            year,
            width: self.digits,
        }
    }

    /// An example in this format, for hints (`PS 034/20`).
    pub fn example(&self) -> String {
        self.number(self.default_series(), 34, 20).to_string()
    }

    /// Parses a case number written in this format; a number at most `max`.
    /// Without a prefix it is of `series` if given, else a prefix is needed
    /// when the body has series. A padded format takes the number exactly as
    /// it prints (`012/24`, not `12/24`); the default format any `NN/YY`.
    pub fn parse(
        &self,
        text: &str,
        series: Option<Series>,
        max: u32,
    ) -> Result<CaseNumber, CaseFormError> {
        let (prefix, rest) = match text.split_once(' ') {
            Some((p, r)) => (Some(p), r.trim_start()),
            None => (None, text),
        };
        let series = match (prefix, self.series.is_empty()) {
            (Some(_), true) => return Err(CaseFormError::NoSeries),
            (Some(p), false) => Series::new(p)
                .filter(|s| self.series.contains(s))
                .ok_or_else(|| CaseFormError::UnknownSeries(p.to_owned()))?,
            (None, true) => Series::NONE,
            (None, false) => series
                .filter(|s| self.has_series(*s))
                .ok_or(CaseFormError::Form)?,
        };
        let (n, y) = rest.split_once('/').ok_or(CaseFormError::Form)?;
        let digits = n.bytes().chain(y.bytes()).all(|b| b.is_ascii_digit());
        if n.is_empty() || y.len() != 2 || !digits {
            return Err(CaseFormError::Form);
        }
        let number = n.parse::<u64>().map_err(|_| CaseFormError::TooLarge)?;
        if number == 0 {
            return Err(CaseFormError::Form);
        }
        if number > u64::from(max) {
            return Err(CaseFormError::TooLarge);
        }
        let case = self.number(
            series,
            number as u32,
            y.parse().map_err(|_| CaseFormError::Form)?,
        );
        // A padded number is kept as written: only its printed form is taken.
        if self.digits > 0 && case.to_string().rsplit(' ').next() != Some(rest) {
            return Err(CaseFormError::Form);
        }
        Ok(case)
    }
}

/// A meeting number `N/YYYY`: the meeting's running number within its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MeetingNumber {
    /// Running number within the year.
    pub number: u32,
    /// Four-digit year.
    pub year: i32,
}

impl MeetingNumber {
    /// Parses `N/YYYY`.
    pub fn parse(text: &str) -> Option<MeetingNumber> {
        let (n, y) = text.split_once('/')?;
        if n.is_empty() || y.len() != 4 || !n.bytes().chain(y.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(MeetingNumber {
            number: n.parse().ok().filter(|&n| n > 0)?,
            year: y.parse().ok()?,
        })
    }
}

impl fmt::Display for MeetingNumber {
    /// `7/2020`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.number, self.year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_parse_and_print() {
        let c = CaseNumber::parse("38/20").unwrap();
        assert_eq!((c.number, c.year), (38, 20));
        assert_eq!(c.to_string(), "38/20");
        assert_eq!(CaseNumber::parse("3/22").unwrap().to_string(), "3/22");
        assert_eq!(CaseNumber::parse("3/22").unwrap().slug(), "03-22");
        for bad in ["38", "38/2020", "a/20", "0/20", "/20", "38/-1", " 38/20"] {
            assert_eq!(CaseNumber::parse(bad), None, "{bad}");
        }
    }

    fn format(digits: u8, series: &[&str]) -> CaseFormat {
        CaseFormat {
            digits,
            series: series.iter().map(|s| Series::new(s).unwrap()).collect(),
        }
    }

    #[test]
    fn case_numbers_parse_and_print_per_format() {
        let ps = Series::new("PS");
        // (format, series of the item, text, printed, slug)
        let cases = [
            (format(0, &[]), None, "38/20", "38/20", "38-20"),
            (format(0, &[]), None, "038/20", "38/20", "38-20"),
            (format(3, &[]), None, "012/24", "012/24", "012-24"),
            (format(3, &[]), None, "1234/24", "1234/24", "1234-24"),
            (
                format(0, &["PS", "RS"]),
                None,
                "PS 12/24",
                "PS 12/24",
                "PS-12-24",
            ),
            (
                format(0, &["PS", "RS"]),
                None,
                "RS 3/24",
                "RS 3/24",
                "RS-03-24",
            ),
            (
                format(0, &["PS", "RS"]),
                ps,
                "12/24",
                "PS 12/24",
                "PS-12-24",
            ),
            (
                format(3, &["PS", "RS"]),
                None,
                "PS 012/24",
                "PS 012/24",
                "PS-012-24",
            ),
        ];
        for (format, series, text, printed, slug) in cases {
            let c = format.parse(text, series, 9999).unwrap();
            assert_eq!(
                (c.to_string().as_str(), c.slug().as_str()),
                (printed, slug),
                "{text}"
            );
        }
        let refused = [
            (format(3, &[]), "12/24", CaseFormError::Form),
            (format(3, &[]), "0012/24", CaseFormError::Form),
            (format(3, &[]), "PS 012/24", CaseFormError::NoSeries),
            (format(0, &["PS", "RS"]), "12/24", CaseFormError::Form),
            (
                format(0, &["PS", "RS"]),
                "XS 12/24",
                CaseFormError::UnknownSeries("XS".into()),
            ),
            (format(0, &[]), "10000/24", CaseFormError::TooLarge),
            (format(0, &[]), "0/24", CaseFormError::Form),
            (format(0, &[]), "12/2024", CaseFormError::Form),
        ];
        for (format, text, why) in refused {
            assert_eq!(format.parse(text, None, 9999), Err(why), "{text}");
        }
    }

    #[test]
    fn the_default_format_prints_as_before() {
        let f = CaseFormat::default();
        assert_eq!(
            f.parse("3/22", None, 9999),
            Ok(CaseNumber::parse("3/22").unwrap())
        );
        assert_eq!(f.example(), "34/20");
        assert_eq!(format(3, &["PS"]).example(), "PS 034/20");
        assert_eq!(Series::new("ps"), None);
        assert_eq!(Series::new("ABCDE"), None);
    }

    #[test]
    fn meeting_numbers_need_a_full_year() {
        assert_eq!(
            MeetingNumber::parse("7/2020").unwrap().to_string(),
            "7/2020"
        );
        assert_eq!(MeetingNumber::parse("12/2021").unwrap().number, 12);
        for bad in ["7/20", "7", "0/2020", "a/2020", "7/2020/1", "07/2020x"] {
            assert_eq!(MeetingNumber::parse(bad), None, "{bad}");
        }
    }
}
