//! Model, time: calendar dates and times of day, as values (how they print is
//! the view's business).

use std::fmt;

/// A time of day in minutes since midnight (past 24:00 when an agenda runs late).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Clock(pub u32);

impl Clock {
    /// Parses `HH:MM` (also `H:MM` and `HH.MM`).
    pub fn parse(text: &str) -> Option<Clock> {
        let (h, m) = text.split_once(':').or_else(|| text.split_once('.'))?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(Clock(h * 60 + m))
    }

    /// The time `minutes` later.
    pub fn plus(self, minutes: u32) -> Clock {
        Clock(self.0 + minutes)
    }

    /// Whether the time has run past midnight.
    pub fn past_midnight(self) -> bool {
        self.0 >= 24 * 60
    }
}

impl fmt::Display for Clock {
    /// `HH:MM`, the form written in content and messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60 % 24, self.0 % 60)
    }
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`, rejecting impossible dates.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        let valid = (1..=12).contains(&date.month)
            && date.day >= 1
            && date.day <= days_in_month(date.year, date.month);
        valid.then_some(date)
    }

    /// The day of the week, 0 for Monday to 6 for Sunday.
    pub fn weekday_index(self) -> usize {
        self.days_since_epoch().rem_euclid(7) as usize
    }

    /// Today's date (UTC) from the system clock. Used only for defaults of
    /// commands that create content, never in a build.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// The date `days` after 1970-01-01 (days-from-civil inverted).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Days since 1970-01-01 (a Thursday), by the civil-from-days algorithm,
    /// shifted so that Monday is 0 modulo 7.
    fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        // 1970-01-01 is day 719468 of this count, and a Thursday (index 3 from Monday).
        era * 146097 + doe - 719468 + 3
    }
}

impl fmt::Display for Date {
    /// ISO `YYYY-MM-DD`, the form written in content.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_parses_and_adds() {
        let start = Clock::parse("10:00").unwrap();
        assert_eq!(start.plus(3).to_string(), "10:03");
        assert_eq!(start.plus(180).to_string(), "13:00");
        assert_eq!(Clock::parse("8:30").unwrap().to_string(), "08:30");
        assert_eq!(Clock::parse("08.30").unwrap().to_string(), "08:30");
        for bad in ["24:00", "10:60", "10", "ab:cd", "10:0", ""] {
            assert_eq!(Clock::parse(bad), None, "{bad}");
        }
        assert!(Clock::parse("23:30").unwrap().plus(30).past_midnight());
    }

    #[test]
    fn days_convert_to_dates() {
        assert_eq!(Date::from_days(0), Date::parse("1970-01-01").unwrap());
        assert_eq!(Date::from_days(18_612), Date::parse("2020-12-16").unwrap());
        assert_eq!(Date::from_days(19_416), Date::parse("2023-02-28").unwrap());
        assert_eq!(Date::from_days(19_782), Date::parse("2024-02-29").unwrap());
        assert_eq!(Date::parse("2020-12-16").unwrap().to_string(), "2020-12-16");
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for bad in [
            "2021-02-29",
            "2020-13-01",
            "2020-04-31",
            "2020-00-10",
            "20-12-16",
            "2020-12-16-1",
            "16.12.2020",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }
}
