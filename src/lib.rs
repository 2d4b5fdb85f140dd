//! dockerfix: a Dockerfile formatter, linter and auto-fixer.
pub mod syntax;
