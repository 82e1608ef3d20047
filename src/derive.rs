//! Derive stage: computed facts: durations, dates in the labels' words, which formulaic
//! decision an item has, presenters joined for print.

pub use crate::model::{Clock, Date};
use crate::model::{Formula, Kind, Person, Standing};

/// A duration in minutes as `HH:MM`, as the seeds print it (`00:20`).
pub fn duration_text(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The words a language prints dates with (from the labels: `dates` in
/// `labels.yaml`): twelve month names, seven weekday names from Monday, and
/// the long form with `{day}`, `{month}` and `{year}`.
#[derive(Debug, Clone, Copy)]
pub struct DateWords<'a> {
    /// January to December.
    pub months: &'a [String],
    /// Monday to Sunday.
    pub weekdays: &'a [String],
    /// The long form: `{day}. {month} {year}`.
    pub long: &'a str,
}

/// A date in the long form of `words`: `16. desember 2020`, `16 December 2020`.
pub fn long_date(date: Date, words: DateWords<'_>) -> String {
    // A parsed date's month is 1–12; the lookup is checked all the same.
    let month = usize::from(date.month)
        .checked_sub(1)
        .and_then(|i| words.months.get(i))
        .map_or_else(|| date.month.to_string(), String::clone);
    words
        .long
        .replace("{day}", &date.day.to_string())
        .replace("{month}", &month)
        .replace("{year}", &date.year.to_string())
}

/// The weekday of a date in `words`: `onsdag`, `Wednesday`.
pub fn weekday_name(date: Date, words: DateWords<'_>) -> &str {
    words
        .weekdays
        .get(date.weekday_index())
        .map_or("", String::as_str)
}

/// A date in bokmål for motebok's own messages (`16. desember 2020`); the
/// documents print dates with their language's labels ([`long_date`]).
pub fn norwegian_date(date: Date) -> String {
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
    let month = usize::from(date.month)
        .checked_sub(1)
        .and_then(|i| MONTHS.get(i))
        .map_or_else(|| date.month.to_string(), |m| (*m).to_owned());
    format!("{}. {month} {}", date.day, date.year)
}

/// The formulaic decision of a standing or information item without a written one.
pub fn formula(standing: Option<Standing>, kind: Option<Kind>) -> Option<Formula> {
    match (standing, kind) {
        (Some(Standing::Innkalling), _) => Some(Formula::ApproveSummons),
        (Some(Standing::Referat), _) => Some(Formula::ApproveMinutes),
        (Some(Standing::Eventuelt), _) => None,
        (None, Some(Kind::Orientering)) => Some(Formula::TakeNote),
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
    fn durations_print_as_hours_and_minutes() {
        assert_eq!(duration_text(3), "00:03");
        assert_eq!(duration_text(0), "00:00");
        assert_eq!(duration_text(95), "01:35");
    }

    /// Checks `cases` (ISO date, long form, weekday) against the date words
    /// given as space-separated names.
    #[track_caller]
    fn check(months: &str, weekdays: &str, long: &str, cases: &[(&str, &str, &str)]) {
        let months: Vec<String> = months.split(' ').map(str::to_owned).collect();
        let weekdays: Vec<String> = weekdays.split(' ').map(str::to_owned).collect();
        let words = DateWords {
            months: &months,
            weekdays: &weekdays,
            long,
        };
        for (iso, text, weekday) in cases {
            let date = Date::parse(iso).unwrap();
            assert_eq!(long_date(date, words), *text);
            assert_eq!(weekday_name(date, words), *weekday, "{iso}");
        }
    }

    const MONTHS_NO: &str =
        "januar februar mars april mai juni juli august september oktober november desember";

    #[test]
    fn dates_print_in_bokmal() {
        check(
            MONTHS_NO,
            "mandag tirsdag onsdag torsdag fredag lørdag søndag",
            "{day}. {month} {year}",
            &[
                ("2020-12-16", "16. desember 2020", "onsdag"),
                ("2022-05-19", "19. mai 2022", "torsdag"),
                ("2024-02-29", "29. februar 2024", "torsdag"),
                ("1970-01-01", "1. januar 1970", "torsdag"),
            ],
        );
    }

    #[test]
    fn dates_print_in_nynorsk() {
        check(
            MONTHS_NO,
            "måndag tysdag onsdag torsdag fredag laurdag søndag",
            "{day}. {month} {year}",
            &[
                ("2020-12-16", "16. desember 2020", "onsdag"),
                ("2024-03-04", "4. mars 2024", "måndag"),
                ("2024-03-05", "5. mars 2024", "tysdag"),
                ("2024-03-09", "9. mars 2024", "laurdag"),
            ],
        );
    }

    #[test]
    fn dates_print_in_english() {
        check(
            "January February March April May June July August September October November December",
            "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
            "{day} {month} {year}",
            &[
                ("2020-12-16", "16 December 2020", "Wednesday"),
                ("2021-10-20", "20 October 2021", "Wednesday"),
                ("2024-03-10", "10 March 2024", "Sunday"),
            ],
        );
    }

    #[test]
    fn messages_print_dates_in_bokmal() {
        let date = Date::parse("2020-12-16").unwrap();
        assert_eq!(norwegian_date(date), "16. desember 2020");
    }

    #[test]
    fn formulas_follow_standing_items_and_kinds() {
        let cases = [
            (
                Some(Standing::Innkalling),
                Some(Kind::Godkjenning),
                Some(Formula::ApproveSummons),
            ),
            (Some(Standing::Referat), None, Some(Formula::ApproveMinutes)),
            (None, Some(Kind::Orientering), Some(Formula::TakeNote)),
            (None, Some(Kind::Drøfting), None),
            (Some(Standing::Eventuelt), None, None),
        ];
        for (standing, kind, expected) in cases {
            assert_eq!(formula(standing, kind), expected, "{standing:?} {kind:?}");
        }
    }

    #[test]
    fn organisations_are_named_once() {
        let p = |name: &str, org: Option<&str>| Person {
            name: name.to_owned(),
            organisation: org.map(str::to_owned),
            member_id: None,
            title: None,
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
