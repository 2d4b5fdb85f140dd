//! DF9xx: deprecated instructions.

pub(in crate::rules) mod maintainer_deprecated;
