//! dockerfix: a Dockerfile formatter, linter and auto-fixer.
//!
//! The data flow, one folder per step: [`syntax::parse`] → [`rules::check`] →
//! [`fix::apply`] (to a fixed point, in [`fix_text`]) → [`format::format`] → reports.

pub mod fix;
pub mod rules;
pub mod shell;
pub mod syntax;
pub mod suppress;
