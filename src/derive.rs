//! Computed facts: clock times, Norwegian dates, standing titles and decisions.

use std::fmt;

use crate::model::{Kind, Person, Standing};

/// A time of day in minutes since midnight.
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60 % 24, self.0 % 60)
    }
}

/// A duration in minutes as `HH:MM`, as the seeds print it (`00:20`).
pub fn duration_text(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
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

const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
];

const WEEKDAYS: [&str; 7] = [
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
];

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

    /// Norwegian long form: `16. desember 2020`.
    pub fn norwegian(self) -> String {
        format!(
            "{}. {} {}",
            self.day,
            MONTHS[usize::from(self.month) - 1],
            self.year
        )
    }

    /// Norwegian weekday name: `onsdag`.
    pub fn weekday(self) -> &'static str {
        WEEKDAYS[self.days_since_epoch().rem_euclid(7) as usize]
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

    /// Days since 1970-01-01 (a Thursday), by the civil-from-days algorithm.
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

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// The title of a standing item when none is written.
pub fn standing_title(standing: Standing, body_name: &str, previous: Option<&str>) -> String {
    match standing {
        Standing::Innkalling => "Godkjenning av innkalling og dagsorden".to_owned(),
        Standing::Referat => match previous {
            Some(date) => format!("Godkjenning av referat fra møte i {body_name} {date}"),
            None => format!("Godkjenning av referat fra forrige møte i {body_name}"),
        },
        Standing::Eventuelt => "Eventuelt".to_owned(),
    }
}

/// The formulaic proposed decision of standing items and information items.
///
/// `subject` is the body's short name, `previous` the Norwegian date of the
/// previous meeting when known.
pub fn standard_decision(
    standing: Option<Standing>,
    kind: Option<Kind>,
    subject: &str,
    previous: Option<&str>,
) -> Option<String> {
    match (standing, kind) {
        (Some(Standing::Innkalling), _) => {
            Some(format!("{subject} godkjenner innkalling og dagsorden."))
        }
        (Some(Standing::Referat), _) => Some(match previous {
            Some(date) => format!("{subject} godkjenner referatet fra møtet {date}."),
            None => format!("{subject} godkjenner referatet fra forrige møte."),
        }),
        (Some(Standing::Eventuelt), _) => None,
        (None, Some(Kind::Orientering)) => Some(format!("{subject} tar saken til orientering.")),
        (None, _) => None,
    }
}

/// Joins names the Norwegian way: `A`, `A og B`, `A, B og C`.
pub fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} og {last}", init.join(", ")),
    }
}

/// Presenters for print: names joined, organisations after each group.
///
/// `[Karl Vestli (Dir), Inga Nordberg (Dir)]` prints `Karl Vestli og Inga Nordberg`;
/// the organisation is shown by templates separately.
pub fn presenter_text(presenters: &[Person]) -> String {
    let names: Vec<String> = presenters.iter().map(|p| p.name.clone()).collect();
    join_names(&names)
}

/// The presenters' organisations, each named once, in order of appearance.
pub fn presenter_organisations(presenters: &[Person]) -> String {
    let mut orgs: Vec<&str> = Vec::new();
    for org in presenters.iter().filter_map(|p| p.organisation.as_deref()) {
        if !orgs.contains(&org) {
            orgs.push(org);
        }
    }
    orgs.join(", ")
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
    fn durations_print_as_hours_and_minutes() {
        assert_eq!(duration_text(3), "00:03");
        assert_eq!(duration_text(0), "00:00");
        assert_eq!(duration_text(95), "01:35");
    }

    #[test]
    fn dates_print_in_norwegian() {
        let cases = [
            ("2020-12-16", "16. desember 2020", "onsdag"),
            ("2022-05-19", "19. mai 2022", "torsdag"),
            ("2021-10-20", "20. oktober 2021", "onsdag"),
            ("2024-02-29", "29. februar 2024", "torsdag"),
            ("1970-01-01", "1. januar 1970", "torsdag"),
        ];
        for (iso, text, weekday) in cases {
            let date = Date::parse(iso).unwrap();
            assert_eq!(date.norwegian(), text);
            assert_eq!(date.weekday(), weekday, "{iso}");
        }
    }

    #[test]
    fn days_convert_to_dates() {
        assert_eq!(Date::from_days(0), Date::parse("1970-01-01").unwrap());
        assert_eq!(Date::from_days(18_612), Date::parse("2020-12-16").unwrap());
        assert_eq!(Date::from_days(19_416), Date::parse("2023-02-28").unwrap());
        assert_eq!(Date::from_days(19_782), Date::parse("2024-02-29").unwrap());
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

    #[test]
    fn standing_decisions_follow_the_formula() {
        let prev = Some("13. november 2020");
        assert_eq!(
            standard_decision(
                Some(Standing::Innkalling),
                Some(Kind::Godkjenning),
                "NUIT",
                None
            )
            .unwrap(),
            "NUIT godkjenner innkalling og dagsorden."
        );
        assert_eq!(
            standard_decision(
                Some(Standing::Referat),
                None,
                "Nasjonalt e-helsestyre",
                prev
            )
            .unwrap(),
            "Nasjonalt e-helsestyre godkjenner referatet fra møtet 13. november 2020."
        );
        assert_eq!(
            standard_decision(None, Some(Kind::Orientering), "NUIT", None).unwrap(),
            "NUIT tar saken til orientering."
        );
        assert_eq!(
            standard_decision(None, Some(Kind::Drøfting), "NUIT", None),
            None
        );
        assert_eq!(
            standard_decision(Some(Standing::Eventuelt), None, "NUIT", None),
            None
        );
        assert_eq!(
            standing_title(Standing::Referat, "Nasjonalt e-helsestyre", prev),
            "Godkjenning av referat fra møte i Nasjonalt e-helsestyre 13. november 2020"
        );
    }

    #[test]
    fn organisations_are_named_once() {
        let p = |name: &str, org: Option<&str>| Person {
            name: name.to_owned(),
            organisation: org.map(str::to_owned),
            member_id: None,
        };
        let list = [
            p("A", Some("NAV")),
            p("B", Some("NAV")),
            p("C", None),
            p("D", Some("KS")),
        ];
        assert_eq!(presenter_organisations(&list), "NAV, KS");
        assert_eq!(presenter_text(&list), "A, B, C og D");
    }

    #[test]
    fn names_join_with_og() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_names(&names(&["A"])), "A");
        assert_eq!(join_names(&names(&["A", "B"])), "A og B");
        assert_eq!(join_names(&names(&["A", "B", "C"])), "A, B og C");
    }
}
