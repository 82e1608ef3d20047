//! motebok: structured meeting content → Typst source → official PDF meeting packs.
//!
//! The pipeline runs in stages, one module each:
//! [`load`] reads `content/` into the [`model`], [`derive`] computes the facts
//! nobody should type (times, standing decisions, dates), [`render`] turns the
//! model into Typst source through minijinja templates (with [`markdown`] for
//! long texts), [`compile`] turns Typst source into PDF inside the embedded
//! [`world`], and [`output`] writes the files. [`pipeline`] drives a build.

#![warn(missing_docs, unreachable_pub)]
// The error of a stage is a `Diagnostic` (about 200 bytes: file, position,
// field, message, hint, snippet), returned once when a stage fails and never
// in a loop; boxing it in every signature would cost more to read than the
// copy it saves.
#![allow(clippy::result_large_err)]

pub mod approve;
pub mod archive;
pub mod blocks;
mod child;
pub mod cli;
pub mod compile;
pub mod config;
pub mod derive;
pub mod diagnostic;
pub mod document;
pub mod fsread;
pub mod init;
pub mod load;
pub mod locate;
pub mod markdown;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod text;
pub mod threads;
pub mod view;
pub mod watch;
pub mod world;
