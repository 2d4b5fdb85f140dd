//! DF5xx: BuildKit features (cache mounts, the syntax directive).

pub(in crate::rules) mod package_cache_mount;
pub(in crate::rules) mod syntax_directive;
