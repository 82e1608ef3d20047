//! Document kinds (planning stage): the one table of what motebok makes of a meeting.
//!
//! Every kind of document is one entry of the `kinds!` table below: its template,
//! its file name, whether there is one per meeting or one per agenda item, when it
//! exists, its PDF standards and draft rule, which content it reads, its key
//! in the archive's index, and its audiences: the internal set and the public
//! site (built by the same plan and templates from the public version of the
//! project, so the site is this table's second column, not a second pipeline). Planning ([`crate::pipeline::plan`]), watch
//! ([`crate::watch::affected_jobs`]), the archive and rendering read the table, so
//! adding a kind is one entry here plus its template. Every field must be given,
//! and every reader matches the field enums exhaustively: a kind whose inputs
//! watch does not understand does not compile.

use typst_pdf::PdfStandard;

use crate::model::{CaseItem, Meeting, MeetingStatus, MinutesStatus};

/// What a kind of document is made from and where it goes: one row of the table.
#[derive(Debug)]
pub struct DocumentSpec {
    /// The template that renders it, by its name in the template set (`innkalling.typ.j2`).
    pub template: &'static str,
    /// Its file name without the extension (`innkalling`); a document per agenda
    /// item adds a dash and its item's slug (`sak-03-24`; `sak-012-24` and
    /// `sak-PS-012-24` for bodies whose `case_format` pads or has series).
    pub stem: &'static str,
    /// One per meeting or one per agenda item.
    pub scope: Scope,
    /// When a meeting (or agenda item) has this document.
    pub exists: Presence,
    /// The PDF standards it is written to unless `--pdf-standard` overrides them.
    pub standards: &'static [PdfStandard],
    /// When it is a draft, and what a draft is written to instead.
    pub draft: DraftRule,
    /// Which case papers' Markdown it prints. Every kind also reads the
    /// templates, its body and its meeting (and, through case numbers, the
    /// previous meeting and open action points, the earlier meetings).
    pub papers: Papers,
    /// Its key in the archive's index (`index.json` and the page's context):
    /// in the meeting's entry, or in each case's entry for a document per item.
    pub archive_key: &'static str,
    /// Who gets it: the secretariat's internal set (`output/`), and the public
    /// site, where it is built from the public version of the meeting.
    pub audiences: &'static [Audience],
}

/// Who a set of documents is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The secretariat and the members: every meeting, in full (`output/`).
    Internal,
    /// The public: meetings whose summons has been sent, with exempt and closed
    /// items withheld (`site/`; see [`crate::model::Project::public_version`]).
    Public,
}

/// Kinds that both audiences get.
const EVERYONE: &[Audience] = &[Audience::Internal, Audience::Public];

/// How many documents of a kind a meeting has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One for the meeting.
    Meeting,
    /// One for each case on the agenda (where [`Presence`] allows).
    Item,
}

/// When a document exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// For every meeting (or every case).
    Always,
    /// For a case that has a case paper or a proposed decision.
    ItemHasDocument,
    /// For a meeting that has minutes.
    MeetingHasMinutes,
}

/// When a document is a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftRule {
    /// Never: it is final when written.
    Never,
    /// While the meeting's minutes are a draft; a draft is written to
    /// `standards` instead, and is left out of the archive unless asked for.
    WhileMinutesDraft {
        /// The PDF standards of the draft.
        standards: &'static [PdfStandard],
    },
}

/// Which case papers' Markdown a document prints (watch rebuilds it when they change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Papers {
    /// None.
    None,
    /// The paper of its own agenda item.
    Own,
    /// Every paper of its meeting.
    All,
}

/// Documents meant to be kept: PDF/A-2a (archival, tagged) and PDF/UA-1 (accessible).
const KEPT: &[PdfStandard] = &[PdfStandard::A_2a, PdfStandard::Ua_1];

/// Drafts, which the final document replaces: accessible, not archival.
const DRAFT: &[PdfStandard] = &[PdfStandard::Ua_1];

/// Declares [`DocumentKind`], its list [`DocumentKind::ALL`] and its table
/// [`DocumentKind::spec`] from one list of entries, so that a kind cannot exist
/// without its row.
macro_rules! kinds {
    ($($(#[doc = $doc:literal])* $kind:ident => $spec:expr;)+) => {
        /// The kinds of document, in build order (the order of the table).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum DocumentKind {
            $($(#[doc = $doc])* $kind,)+
        }

        impl DocumentKind {
            /// Every kind, in build order.
            pub const ALL: [DocumentKind; [$(stringify!($kind)),+].len()] =
                [$(DocumentKind::$kind),+];

            /// This kind's row of the table.
            pub const fn spec(self) -> &'static DocumentSpec {
                match self {
                    $(DocumentKind::$kind => &$spec,)+
                }
            }
        }
    };
}

kinds! {
    /// The summons with the timed agenda (`innkalling`).
    Summons => DocumentSpec {
        template: "innkalling.typ.j2",
        stem: "innkalling",
        scope: Scope::Meeting,
        exists: Presence::Always,
        standards: KEPT,
        draft: DraftRule::Never,
        papers: Papers::None,
        archive_key: "summons",
        audiences: EVERYONE,
    };
    /// One case paper, ending in the proposed decision (`sak`).
    CasePaper => DocumentSpec {
        template: "sak.typ.j2",
        stem: "sak",
        scope: Scope::Item,
        exists: Presence::ItemHasDocument,
        standards: KEPT,
        draft: DraftRule::Never,
        papers: Papers::Own,
        archive_key: "paper",
        audiences: EVERYONE,
    };
    /// Summons and all case papers in one document (`motepakke`).
    Pack => DocumentSpec {
        template: "motepakke.typ.j2",
        stem: "motepakke",
        scope: Scope::Meeting,
        exists: Presence::Always,
        standards: KEPT,
        draft: DraftRule::Never,
        papers: Papers::All,
        archive_key: "pack",
        audiences: EVERYONE,
    };
    /// The minutes, draft or final (`referat`).
    Minutes => DocumentSpec {
        template: "referat.typ.j2",
        stem: "referat",
        scope: Scope::Meeting,
        exists: Presence::MeetingHasMinutes,
        standards: KEPT,
        draft: DraftRule::WhileMinutesDraft { standards: DRAFT },
        papers: Papers::None,
        archive_key: "minutes",
        audiences: EVERYONE,
    };
}

impl DocumentKind {
    /// The template that renders this kind.
    pub const fn template(self) -> &'static str {
        self.spec().template
    }

    /// The templates every build needs: one per kind.
    pub fn templates() -> impl Iterator<Item = &'static str> {
        DocumentKind::ALL.into_iter().map(DocumentKind::template)
    }

    /// The file name of this kind's document; `item_slug` is the agenda item's
    /// slug (`03-24`) for a document per item.
    pub fn file_name(self, item_slug: Option<&str>) -> String {
        let stem = self.spec().stem;
        match (self.spec().scope, item_slug) {
            (Scope::Item, Some(slug)) => format!("{stem}-{slug}.pdf"),
            (Scope::Item, None) | (Scope::Meeting, _) => format!("{stem}.pdf"),
        }
    }

    /// Whether `meeting` (for a document per item: its case `item`) has this document.
    pub fn exists(self, meeting: &Meeting, item: Option<&CaseItem>) -> bool {
        match self.spec().exists {
            Presence::Always => true,
            Presence::ItemHasDocument => item.is_some_and(|item| item.has_document()),
            Presence::MeetingHasMinutes => meeting.minutes.is_some(),
        }
    }

    /// Whether this kind's document of `meeting` is a draft.
    pub fn is_draft(self, meeting: &Meeting) -> bool {
        match self.spec().draft {
            DraftRule::Never => false,
            DraftRule::WhileMinutesDraft { .. } => minutes_are_draft(meeting),
        }
    }

    /// The PDF standards this kind's document of `meeting` is written to unless overridden.
    pub fn standards(self, meeting: &Meeting) -> &'static [PdfStandard] {
        self.standards_when(self.is_draft(meeting))
    }

    /// The PDF standards of this kind's final document, or of its draft when `draft`.
    pub const fn standards_when(self, draft: bool) -> &'static [PdfStandard] {
        match self.spec().draft {
            DraftRule::WhileMinutesDraft { standards } if draft => standards,
            DraftRule::WhileMinutesDraft { .. } | DraftRule::Never => self.spec().standards,
        }
    }
}

impl DocumentKind {
    /// Whether `audience` gets this kind's document of `meeting`: the internal
    /// set every one; the public only those of meetings whose summons has been
    /// sent, and a draft only when `drafts` are published.
    pub fn is_for(self, audience: Audience, meeting: &Meeting, drafts: bool) -> bool {
        let listed = self.spec().audiences.contains(&audience);
        match audience {
            Audience::Internal => listed,
            Audience::Public => {
                listed
                    && meeting.status == MeetingStatus::Sent
                    && (drafts || !self.is_draft(meeting))
            }
        }
    }
}

/// Whether the meeting's minutes are a draft.
pub fn minutes_are_draft(meeting: &Meeting) -> bool {
    meeting
        .minutes
        .as_ref()
        .is_some_and(|m| m.status == MinutesStatus::Draft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_template_in_the_templates_folder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        for kind in DocumentKind::ALL {
            let path = dir.join(kind.template());
            assert!(path.is_file(), "{kind:?}: {} is missing", path.display());
            assert!(kind.template().ends_with(".typ.j2"), "{kind:?} makes Typst");
        }
        assert_eq!(DocumentKind::templates().count(), DocumentKind::ALL.len());
    }

    #[test]
    fn file_names_follow_the_scope() {
        let cases = [
            (DocumentKind::Summons, None, "innkalling.pdf"),
            (DocumentKind::CasePaper, Some("03-24"), "sak-03-24.pdf"),
            (DocumentKind::Pack, None, "motepakke.pdf"),
            (DocumentKind::Minutes, None, "referat.pdf"),
            // A meeting's document ignores a slug.
            (DocumentKind::Summons, Some("03-24"), "innkalling.pdf"),
        ];
        for (kind, slug, expected) in cases {
            assert_eq!(kind.file_name(slug), expected, "{kind:?}");
        }
    }

    #[test]
    fn stems_templates_and_archive_keys_are_unique() {
        for (i, a) in DocumentKind::ALL.iter().enumerate() {
            for b in &DocumentKind::ALL[i + 1..] {
                let (a, b) = (a.spec(), b.spec());
                assert_ne!(a.stem, b.stem);
                assert_ne!(a.template, b.template);
                assert_ne!(a.archive_key, b.archive_key);
            }
        }
    }

    #[test]
    fn kept_documents_are_archival_and_draft_minutes_accessible_only() {
        let kept = [PdfStandard::A_2a, PdfStandard::Ua_1];
        let cases = [
            (DocumentKind::Summons, false, &kept[..]),
            (DocumentKind::Summons, true, &kept[..]),
            (DocumentKind::CasePaper, false, &kept[..]),
            (DocumentKind::Pack, false, &kept[..]),
            (DocumentKind::Minutes, false, &kept[..]),
            (DocumentKind::Minutes, true, &[PdfStandard::Ua_1][..]),
        ];
        for (kind, draft, expected) in cases {
            assert_eq!(
                kind.standards_when(draft),
                expected,
                "{kind:?} draft {draft}"
            );
        }
    }

    #[test]
    fn every_kind_is_internal_and_published() {
        for kind in DocumentKind::ALL {
            assert_eq!(kind.spec().audiences, EVERYONE, "{kind:?}");
        }
    }

    #[test]
    fn the_table_is_in_build_order() {
        use DocumentKind::*;
        assert_eq!(DocumentKind::ALL, [Summons, CasePaper, Pack, Minutes]);
        let per_item: Vec<_> = DocumentKind::ALL
            .into_iter()
            .filter(|k| k.spec().scope == Scope::Item)
            .collect();
        assert_eq!(per_item, [CasePaper]);
    }
}
