//! HL1xx: the pipeline's shape: what Harness's schema allows, requires and ignores.

pub mod not_a_pipeline;
