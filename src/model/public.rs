//! Model, the public version: what of a project may be published. Meetings
//! still planned are left out, and every exempt or closed item keeps only its
//! case number, public title and legal basis; its paper, description, proposed
//! decision, notes, decisions and action points are taken out of the model, so
//! that no template, index or file name can reach them.

use std::collections::HashSet;

use super::{AgendaRow, BodyContent, CaseItem, CaseNumber, Meeting, MeetingStatus, Project};

impl Project {
    /// The public version of the project: its published meetings (those whose
    /// summons has been sent), with restricted items withheld.
    pub fn public_version(&self) -> Project {
        let published =
            |b: usize, m: usize| self.bodies[b].meetings[m].status == MeetingStatus::Sent;
        let bodies = self
            .bodies
            .iter()
            .map(|content| {
                let withheld = restricted_cases(content);
                BodyContent {
                    body: content.body.clone(),
                    meetings: (content.meetings.iter())
                        .filter(|m| m.status == MeetingStatus::Sent)
                        .map(|m| m.public_version(&withheld))
                        .collect(),
                }
            })
            .collect();
        Project {
            bodies,
            sources: self.sources.retain(published),
        }
    }
}

/// The case numbers of a body's restricted items, in any of its meetings.
fn restricted_cases(content: &BodyContent) -> HashSet<CaseNumber> {
    (content.meetings.iter())
        .flat_map(Meeting::cases)
        .filter(|c| c.restriction.is_some())
        .map(|c| c.case)
        .collect()
}

impl Meeting {
    /// The public version of the meeting: every restricted item withheld, and
    /// the action points raised under any restricted case of the body
    /// (`withheld`) left out.
    pub fn public_version(&self, withheld: &HashSet<CaseNumber>) -> Meeting {
        let mut meeting = self.clone();
        for row in &mut meeting.agenda {
            if let AgendaRow::Case(item) = row {
                item.withhold();
            }
        }
        let public_action = |a: &super::ActionPoint| !a.case.is_some_and(|c| withheld.contains(&c));
        meeting.action_status.retain(public_action);
        if let Some(minutes) = &mut meeting.minutes {
            minutes.actions.retain(public_action);
            for item in &mut minutes.items {
                if withheld.contains(&item.case) {
                    item.notes = None;
                    item.decision = None;
                    item.actions.clear();
                    item.record = Default::default();
                }
            }
        }
        meeting
    }
}

impl CaseItem {
    /// Takes out what a restricted item withholds from the public: the
    /// public title replaces the title, and the paper, its title, the
    /// description and the proposed decision go. Does nothing to a public item.
    pub fn withhold(&mut self) {
        if self.restriction.is_none() {
            return;
        }
        if let Some(public) = self.public_title.take() {
            self.title = Some(public);
        }
        self.paper_title = None;
        self.decision_heading = None;
        self.description = None;
        self.paper = None;
        self.blocks.clear();
        *self.assets = Default::default();
        self.proposed = None;
        self.earlier_decisions.clear();
        self.withheld = true;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Restriction, RestrictionKind};
    use super::*;

    fn item(restriction: Option<Restriction>) -> CaseItem {
        CaseItem {
            title: Some("Oppsigelse av NN".into()),
            paper_title: Some("Sak om NN".into()),
            description: Some("NN".into()),
            paper: Some("NN".into()),
            proposed: Some(super::super::Proposed::Written(vec!["NN".into()])),
            earlier_decisions: vec![super::super::DecisionBlock {
                heading: "NN".into(),
                decisions: vec!["NN".into()],
            }],
            restriction,
            public_title: Some("Personalsak".into()),
            ..CaseItem::bare("3/24")
        }
    }

    #[test]
    fn a_restricted_item_keeps_only_number_public_title_and_basis() {
        let basis = Restriction {
            kind: RestrictionKind::Exempt,
            basis: Some("Offl. § 13".into()),
        };
        let mut exempt = item(Some(basis.clone()));
        exempt.withhold();
        assert_eq!(exempt.title.as_deref(), Some("Personalsak"));
        assert_eq!(exempt.restriction, Some(basis));
        assert!(exempt.withheld && exempt.has_document());
        let leaked = format!(
            "{:?}",
            (
                &exempt.paper_title,
                &exempt.description,
                &exempt.paper,
                &exempt.proposed,
                &exempt.earlier_decisions
            )
        );
        assert!(!leaked.contains("NN"), "{leaked}");

        let mut open = item(None);
        open.withhold();
        assert_eq!(open.title.as_deref(), Some("Oppsigelse av NN"));
        assert!(!open.withheld && open.paper.is_some());
    }
}
