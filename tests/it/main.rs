//! The integration tests, one binary (linking the Typst stack once instead of
//! once per file): every module here is a group of tests of one area.
//!
//! Run one group with `cargo test --test it bad_input`.

mod adversary;
mod archive;
mod bad_input;
mod blocks;
mod caseformat;
mod cli;
mod common;
mod confine;
mod cycle;
mod decisions;
mod drawing;
mod init;
mod lang;
mod layout;
mod links;
mod minutes;
mod output;
mod pack;
mod papers;
mod processes;
mod publish;
mod resources;
mod roundtrip;
mod schema;
mod snapshots;
mod standards;
mod templates_doc;
mod watch;
