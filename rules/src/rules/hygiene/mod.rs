//! HL7xx: hygiene: what works today but leaks, drifts or misleads.

pub mod output_variable_not_exported;
pub mod plaintext_secret;
pub mod unpinned_image;
