//! DF0xx: what BuildKit rejects when it dispatches the instruction (the build fails).

pub(in crate::rules) mod duplicate_stage_name;
pub(in crate::rules) mod invalid_arguments;
pub(in crate::rules) mod no_build_stage;
pub(in crate::rules) mod unknown_instruction;
