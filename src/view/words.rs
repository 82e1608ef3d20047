//! View stage, languages: the labels of each language a body may write in
//! (`labels.yaml`, `labels-nn.yaml`, `labels-en.yaml`), their date words and
//! the fixed words templates print (`labels.…`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::labels::Labels;
use crate::derive::{self, DateWords};
use crate::diagnostic::Diagnostic;
use crate::model::{Date, Language};

/// The built-in labels of every language, bokmål first.
const BUILTIN: [(Language, &str); 3] = [
    (
        Language::Bokmal,
        include_str!("../../templates/labels.yaml"),
    ),
    (
        Language::Nynorsk,
        include_str!("../../templates/labels-nn.yaml"),
    ),
    (
        Language::English,
        include_str!("../../templates/labels-en.yaml"),
    ),
];

/// The words templates print as `labels.…`, and the language code.
#[derive(Serialize)]
pub(super) struct TemplateWords<'a> {
    /// The language's code (`nb`), for `set text(lang: …)` and metadata.
    language: &'a str,
    #[serde(flatten)]
    words: &'a BTreeMap<String, String>,
}

impl Labels {
    /// The built-in labels of `language` alone.
    pub fn builtin_in(language: Language) -> Labels {
        let text = BUILTIN
            .iter()
            .find(|(l, _)| *l == language)
            .map_or(BUILTIN[0].1, |(_, text)| text);
        let mut labels: Labels =
            serde_yaml_ng::from_str(text).expect("the built-in labels files are valid");
        labels.own = language;
        labels
    }

    /// The labels of `language` from the text of its file: words a project's
    /// copy lacks are the built-in file's of the same language.
    #[allow(clippy::result_large_err)]
    pub fn parse_in(text: &str, language: Language) -> Result<Labels, Diagnostic> {
        let mut labels = Labels::parse(text)?;
        labels.own = language;
        let builtin = Labels::builtin_in(language);
        for (key, word) in builtin.words {
            labels.words.entry(key).or_insert(word);
        }
        if labels.dates.months.len() != 12 || labels.dates.weekdays.len() != 7 {
            return Err(Diagnostic::error(
                "invalid labels: dates: expected 12 `months` and 7 `weekdays`",
            ));
        }
        Ok(labels)
    }

    /// These labels with `others` for the other languages.
    pub fn with_languages(mut self, others: Vec<Labels>) -> Labels {
        self.others = others;
        self
    }

    /// The labels of `language`: these, or one of the other languages they carry.
    pub fn for_language(&self, language: Language) -> &Labels {
        if self.own == language {
            return self;
        }
        self.others
            .iter()
            .find(|l| l.own == language)
            .unwrap_or(self)
    }

    fn date_words(&self) -> DateWords<'_> {
        DateWords {
            months: &self.dates.months,
            weekdays: &self.dates.weekdays,
            long: &self.dates.long,
        }
    }

    /// A date as these labels print it (`16. desember 2020`).
    pub fn date(&self, date: Date) -> String {
        derive::long_date(date, self.date_words())
    }

    /// The weekday of a date (`onsdag`).
    pub fn weekday(&self, date: Date) -> &str {
        derive::weekday_name(date, self.date_words())
    }

    /// The words templates print, as `labels` in the template context.
    pub(super) fn template_words(&self) -> TemplateWords<'_> {
        TemplateWords {
            language: &self.language,
            words: &self.words,
        }
    }

    /// The words the archive's page prints (`arkiv.html.j2`): those of
    /// [`Labels::template_words`] and the heading of a proposed decision.
    pub fn site_words(&self) -> impl Serialize + '_ {
        #[derive(Serialize)]
        struct SiteWords<'a> {
            #[serde(flatten)]
            words: TemplateWords<'a>,
            decision_heading: &'a str,
        }
        SiteWords {
            words: self.template_words(),
            decision_heading: self.decision_heading(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_the_words_of_bokmal() {
        let nb = Labels::builtin_in(Language::Bokmal);
        for language in Language::ALL {
            let labels = Labels::builtin_in(language);
            assert_eq!(labels.language, language.code());
            let keys: Vec<_> = labels.words.keys().collect();
            assert_eq!(keys, nb.words.keys().collect::<Vec<_>>(), "{language:?}");
            assert!(Labels::parse_in(BUILTIN[language as usize].1, language).is_ok());
        }
    }

    #[test]
    fn dates_print_in_the_body_language() {
        let all = Labels::builtin().with_languages(vec![
            Labels::builtin_in(Language::Nynorsk),
            Labels::builtin_in(Language::English),
        ]);
        let date = Date::parse("2020-12-16").unwrap();
        let nn = all.for_language(Language::Nynorsk);
        assert_eq!(nn.date(date), "16. desember 2020");
        assert_eq!(nn.decision_heading(), "Framlegg til vedtak");
        let en = all.for_language(Language::English);
        assert_eq!(en.date(date), "16 December 2020");
        assert_eq!(en.weekday(date), "Wednesday");
        assert_eq!(en.decision_heading(), "Proposed resolution");
        assert_eq!(all.for_language(Language::Bokmal).weekday(date), "onsdag");
    }

    #[test]
    fn a_copy_without_words_gets_the_built_in_ones_of_its_language() {
        let text = BUILTIN[1].1.split("\nwords:").next().unwrap();
        let labels = Labels::parse_in(text, Language::Nynorsk).unwrap();
        assert_eq!(labels.words, Labels::builtin_in(Language::Nynorsk).words);
        let short = BUILTIN[0].1.replace("  - søndag\n", "");
        assert!(Labels::parse_in(&short, Language::Bokmal).is_err());
    }
}
