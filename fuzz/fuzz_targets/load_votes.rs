//! Loading minutes as a formal record: the fuzz input is `kub/2024-01/minutes.yaml`
//! of the kontroll fixture (proposals, votes, dissent, protocol remarks,
//! disqualification, approval and signatures against a valid meeting, with the
//! next meeting's minutes approving it). See `load_common.rs`.
#![no_main]

#[path = "common.rs"]
mod common;
#[path = "load_common.rs"]
mod load_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let content = common::scratch_fixture("kontroll");
    load_common::load_and_render(content, "kub/2024-01/minutes.yaml", data);
});
