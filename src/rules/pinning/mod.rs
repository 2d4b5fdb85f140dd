//! DF4xx: reproducibility (base image tags and digests, package versions).

pub(in crate::rules) mod base_not_digest;
pub(in crate::rules) mod unpinned_base;
pub(in crate::rules) mod unpinned_os_packages;
pub(in crate::rules) mod unpinned_packages;
