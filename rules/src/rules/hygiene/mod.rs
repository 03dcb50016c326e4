//! HL7xx: hygiene: what works today but leaks, drifts or misleads.

pub mod plaintext_secret;
pub mod unpinned_image;
