//! Model, languages: the written language of a body's documents.

/// The language a body writes in (`language` in `body.yaml`): it chooses the
/// labels file whose words, dates and formulas the documents print, and the
/// language the PDFs declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Language {
    /// Bokmål (`nb`), the default.
    #[default]
    Bokmal,
    /// Nynorsk (`nn`).
    Nynorsk,
    /// English (`en`).
    English,
}

impl Language {
    /// Every language, bokmål first.
    pub const ALL: [Language; 3] = [Language::Bokmal, Language::Nynorsk, Language::English];

    /// The language's code, as written in `body.yaml` and declared in PDFs (`nn`).
    pub fn code(self) -> &'static str {
        match self {
            Language::Bokmal => "nb",
            Language::Nynorsk => "nn",
            Language::English => "en",
        }
    }

    /// The labels file of the language in a templates folder (`labels-nn.yaml`);
    /// bokmål's is `labels.yaml`.
    pub fn labels_file(self) -> &'static str {
        match self {
            Language::Bokmal => "labels.yaml",
            Language::Nynorsk => "labels-nn.yaml",
            Language::English => "labels-en.yaml",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_its_own_code_and_file() {
        let codes: Vec<_> = Language::ALL.iter().map(|l| l.code()).collect();
        assert_eq!(codes, ["nb", "nn", "en"]);
        assert_eq!(Language::default(), Language::Bokmal);
        assert_eq!(Language::Nynorsk.labels_file(), "labels-nn.yaml");
    }
}
