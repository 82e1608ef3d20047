//! Model, numbers: case numbers (`38/20`) and meeting numbers (`7/2020`).

use std::fmt;

/// A case number `NN/YY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseNumber {
    /// Running number within the year.
    pub number: u32,
    /// Two-digit year.
    pub year: u32,
}

impl CaseNumber {
    /// Parses `NN/YY`.
    pub fn parse(text: &str) -> Option<CaseNumber> {
        let (n, y) = text.split_once('/')?;
        if n.is_empty() || y.len() != 2 || !n.bytes().chain(y.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number = n.parse().ok().filter(|&n| n > 0)?;
        Some(CaseNumber {
            number,
            year: y.parse().ok()?,
        })
    }

    /// The file-name form, `38-20`.
    pub fn slug(self) -> String {
        format!("{:02}-{:02}", self.number, self.year)
    }
}

impl fmt::Display for CaseNumber {
    /// `38/20`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.number, self.year)
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
