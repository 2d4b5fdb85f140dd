//! DF3xx: how the container runs and what the build trusts (user, exec form, secrets, downloads, shells).

pub(in crate::rules) mod add_url_checksum;
pub(in crate::rules) mod cd_in_run;
pub(in crate::rules) mod curl_and_wget;
pub(in crate::rules) mod ln_bin_sh;
pub(in crate::rules) mod non_numeric_user;
pub(in crate::rules) mod pipe_to_shell;
pub(in crate::rules) mod pipefail;
pub(in crate::rules) mod root_user;
pub(in crate::rules) mod secret_in_arg_env;
pub(in crate::rules) mod shell_form_cmd;
pub(in crate::rules) mod sudo;
pub(in crate::rules) mod wget_progress;
