//! Every rule, one file each, grouped by code range.

pub mod pipeline;
pub mod yaml;

use crate::registry::Rule;

pub(crate) static ALL: &[&Rule] = &[
    &yaml::syntax_error::RULE,
    &yaml::duplicate_key::RULE,
    &yaml::merge_key::RULE,
    &yaml::resource_limit::RULE,
    &yaml::invalid_encoding::RULE,
    &yaml::extra_document::RULE,
    &yaml::complex_key::RULE,
    &pipeline::not_a_pipeline::RULE,
    &pipeline::unknown_key::RULE,
    &pipeline::missing_field::RULE,
    &pipeline::wrong_type::RULE,
    &pipeline::invalid_value::RULE,
    &pipeline::invalid_format::RULE,
    &pipeline::unquoted_string::RULE,
    &pipeline::schema_violation::RULE,
    &pipeline::external_schema::RULE,
];
