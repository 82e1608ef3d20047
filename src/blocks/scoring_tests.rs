//! Unit tests of scoring: means, sums, weighted means, empty groups, ranks with
//! ties and written totals.

use super::*;

fn scoring(yaml: &str) -> Result<Scoring, Vec<BlockError>> {
    compute(serde_yaml_ng::from_str(yaml).expect("test data parses"))
}

fn ok(yaml: &str) -> Scoring {
    scoring(yaml).expect("scoring computes")
}

#[test]
fn means_of_questions_and_groups() {
    let s = ok("alternatives: [A, B]\ncriteria:\n\
         - name: Nytte\n  criteria:\n  - {name: q1, scores: [8, 4]}\n  - {name: q2, scores: [6, 5]}\n\
         - {name: Kost, scores: [2, 9]}\n");
    // Nytte: 7,0 and 4,5; total: (7,0 + 2) / 2 = 4,5 and (4,5 + 9) / 2 = 6,75 → 6,8.
    assert_eq!(s.nodes[0].values, vec![Some(70), Some(45)]);
    assert_eq!(s.total, vec![Some(45), Some(68)]);
    assert_eq!(s.ranks, vec![Some(2), Some(1)]);
}

#[test]
fn sums_add_the_printed_values() {
    let s = ok("alternatives: [A]\nmethod: sum\ndecimals: 0\ncriteria:\n\
         - name: G\n  criteria: [{name: a, scores: [1]}, {name: b, scores: [2]}]\n\
         - name: H\n  criteria: [{name: a, scores: [1]}, {name: b, scores: [2]}]\n");
    // Each group's mean 1,5 prints 2; the sum is 2 + 2 = 4, not 3.
    assert_eq!(s.nodes[0].values, vec![Some(2)]);
    assert_eq!(s.total, vec![Some(4)]);
}

#[test]
fn weighted_means_use_the_weights() {
    let s = ok("alternatives: [A]\nmethod: weighted\ncriteria:\n\
         - {name: a, scores: [10], weight: 3}\n- {name: b, scores: [0], weight: 1}\n");
    assert_eq!(s.total, vec![Some(75)]);
}

#[test]
fn weights_of_zero_give_no_value_instead_of_dividing_by_zero() {
    let s = ok(
        "alternatives: [A]\nmethod: weighted\ncriteria:\n- {name: a, scores: [10], weight: 0}\n",
    );
    assert_eq!(s.total, vec![None]);
    assert_eq!(s.ranks, vec![None]);
}

#[test]
fn an_empty_group_prints_a_dash_and_is_left_out_of_its_parent_with_a_note() {
    let s = ok("alternatives: [A, B]\ncriteria:\n\
         - name: Tom\n  criteria: [{name: q, scores: [~, 4]}]\n\
         - {name: Kost, scores: [6, 8]}\n");
    assert_eq!(s.nodes[0].values, vec![None, Some(40)]);
    assert_eq!(
        s.total,
        vec![Some(60), Some(60)],
        "A is the mean of Kost alone"
    );
    assert_eq!(
        s.notes,
        ["«Tom» har ingen svar for A og er holdt utenfor snittet i «totalen»."]
    );
    let t = s.table();
    assert_eq!(t.rows[0].cells[1].text, "–");
}

#[test]
fn ties_share_a_rank() {
    assert_eq!(
        rank(&[Some(5), Some(7), Some(5), None, Some(3)]),
        vec![Some(2), Some(1), Some(2), None, Some(4)]
    );
    let s = ok("alternatives: [A, B, C]\ncriteria:\n- {name: q, scores: [5, 5, 4]}\n");
    assert_eq!(s.ranks, vec![Some(1), Some(1), Some(3)]);
}

#[test]
fn ties_are_decided_on_printed_values() {
    // 6,66… and 6,7 both print 6,7: the same rank.
    let s = ok("alternatives: [A, B]\ncriteria:\n\
         - {name: a, scores: [7, 6.7]}\n- {name: b, scores: [7, 6.7]}\n- {name: c, scores: [6, 6.7]}\n");
    assert_eq!(s.total, vec![Some(67), Some(67)]);
    assert_eq!(s.ranks, vec![Some(1), Some(1)]);
}

#[test]
fn scores_outside_the_scale_are_refused() {
    let e =
        scoring("alternatives: [A]\ncriteria:\n- {name: a, scores: [11]}\n").expect_err("refused");
    assert_eq!(e[0].field, "criteria[0].scores[0]");
    assert_eq!(e[0].message, "the score 11 is outside 0–10");
}

#[test]
fn a_wrong_written_total_is_reported() {
    let e = scoring("alternatives: [A]\ncriteria:\n- {name: a, scores: [4]}\ntotal: [5]\n")
        .expect_err("refused");
    assert_eq!(e[0].field, "total[0]");
    assert_eq!(
        e[0].message,
        "the written total of `A` is 5,0 but the criteria give 4,0"
    );
}

#[test]
fn the_table_shows_groups_indented_children_total_and_rank() {
    let t = ok("alternatives: [A]\ncriteria:\n- name: G\n  criteria: [{name: q, scores: [3]}]\n")
        .table();
    let labels: Vec<&str> = t.rows.iter().map(|r| r.cells[0].text.as_str()).collect();
    assert_eq!(labels, ["G", "q", "Totalt (snitt)", "Rangering"]);
    assert!(t.rows[0].strong && !t.rows[1].strong);
    assert_eq!(t.rows[1].indent, 1);
    assert_eq!(t.rows[3].cells[1].text, "1");
}
