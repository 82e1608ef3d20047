//! Loading data blocks: the fuzz input's first byte picks one of the data files
//! of the blokker fixture's case paper 7/24 (budget, status, scoring, risks, or
//! the earlier risk register that `risiko.yaml` carries changes from); the rest
//! is that file. See `load_common.rs`.
#![no_main]

#[path = "common.rs"]
mod common;
#[path = "load_common.rs"]
mod load_common;

use libfuzzer_sys::fuzz_target;

const FILES: [&str; 5] = [
    "budsjett.yaml",
    "status.yaml",
    "vurdering.yaml",
    "risiko.yaml",
    "risiko-januar.yaml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, data)) = data.split_first() else { return };
    let content = common::scratch_fixture("blokker");
    // Put back every data file the previous input may have replaced.
    let fixture = common::fixture("blokker").join("styret/2024-02/saker");
    let dir = content.join("styret/2024-02/saker");
    for name in FILES {
        std::fs::copy(fixture.join(name), dir.join(name)).unwrap();
    }
    let file = FILES[usize::from(pick) % FILES.len()];
    load_common::load_and_render(content, &format!("styret/2024-02/saker/{file}"), data);
});
