//! Loading content: the fuzz input is `styret/2024-01/meeting.yaml` of the mini
//! fixture (valid `body.yaml` and case papers beside it). See `load_common.rs`.
#![no_main]

#[path = "common.rs"]
mod common;
#[path = "load_common.rs"]
mod load_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let content = common::scratch_fixture("mini");
    load_common::load_and_render(content, "styret/2024-01/meeting.yaml", data);
});
