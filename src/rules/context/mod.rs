//! DF1xx: the build context and the layer cache (manifests before the source, `.dockerignore`, secrets sent).

pub(in crate::rules) mod apt_update_alone;
pub(in crate::rules) mod copy_of_ignored_or_secret;
pub(in crate::rules) mod dependency_copy_order;
pub(in crate::rules) mod missing_dockerignore;
