//! DF2xx: package managers and image size (apt, apk, dnf, pip, npm; caches, leftovers, slim bases).

pub(in crate::rules) mod add_for_local_files;
pub(in crate::rules) mod apk_cache;
pub(in crate::rules) mod apt_install_recommends;
pub(in crate::rules) mod apt_lists_not_removed;
pub(in crate::rules) mod build_tools_in_final_stage;
pub(in crate::rules) mod download_leftovers;
pub(in crate::rules) mod mergeable_runs;
pub(in crate::rules) mod npm_ci;
pub(in crate::rules) mod package_manager_prompt;
pub(in crate::rules) mod pip_cache;
pub(in crate::rules) mod rpm_family_clean;
pub(in crate::rules) mod slim_base;
pub(in crate::rules) mod use_apt_get;
pub(in crate::rules) mod useradd_lastlog;
pub(in crate::rules) mod yarn_cache;
pub(in crate::rules) mod zypper_dist_upgrade;
