//! HL5xx: what each kind of build infrastructure requires of steps.

pub mod background_unsupported_field;
pub mod entrypoint_without_image;
pub mod missing_image;
pub mod nested_step_group;
pub mod run_entrypoint;
