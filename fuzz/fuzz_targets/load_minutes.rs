//! Loading content: the fuzz input is `rad/2023-06/minutes.yaml` of the cycle
//! fixture (valid meetings before and after it, whose action points run through
//! it). See `load_common.rs`.
#![no_main]

#[path = "common.rs"]
mod common;
#[path = "load_common.rs"]
mod load_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let content = common::scratch_fixture("cycle");
    load_common::load_and_render(content, "rad/2023-06/minutes.yaml", data);
});
