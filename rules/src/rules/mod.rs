//! Every rule, one file each, grouped by code range.

pub mod credentials;
pub mod hygiene;
pub mod identifiers;
pub mod infrastructure;
pub mod ordering;
pub mod pipeline;
pub mod services;
pub mod yaml;

use crate::context::Context;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub(crate) static ALL: &[&Rule] = &[
    &yaml::syntax_error::RULE,
    &yaml::duplicate_key::RULE,
    &yaml::merge_key::RULE,
    &yaml::resource_limit::RULE,
    &yaml::invalid_encoding::RULE,
    &yaml::extra_document::RULE,
    &yaml::complex_key::RULE,
    &yaml::unused_suppression::RULE,
    &yaml::invalid_suppression::RULE,
    &pipeline::not_a_pipeline::RULE,
    &pipeline::unknown_key::RULE,
    &pipeline::missing_field::RULE,
    &pipeline::wrong_type::RULE,
    &pipeline::invalid_value::RULE,
    &pipeline::invalid_format::RULE,
    &pipeline::unquoted_string::RULE,
    &pipeline::schema_violation::RULE,
    &pipeline::external_schema::RULE,
    &services::port_collision::RULE,
    &services::reserved_port::RULE,
    &services::pgdata_missing::RULE,
    &services::pgdata_not_on_volume::RULE,
    &services::pgdata_shared::RULE,
    &services::wrong_host::RULE,
    &services::unknown_host::RULE,
    &services::service_in_other_stage::RULE,
    &services::port_mismatch::RULE,
    &services::socket_connection::RULE,
    &services::loopback_unreachable::RULE,
    &ordering::parallel_with_health_checks::RULE,
    &ordering::service_race::RULE,
    &ordering::used_before_service::RULE,
    &ordering::fixed_sleep::RULE,
    &ordering::unchecked_service::RULE,
    &ordering::unbounded_readiness_loop::RULE,
    &credentials::missing_password::RULE,
    &credentials::unknown_database::RULE,
    &credentials::client_cannot_authenticate::RULE,
    &credentials::service_will_not_start::RULE,
    &infrastructure::missing_image::RULE,
    &infrastructure::entrypoint_without_image::RULE,
    &infrastructure::background_unsupported_field::RULE,
    &infrastructure::nested_step_group::RULE,
    &infrastructure::run_entrypoint::RULE,
    &identifiers::reserved_identifier::RULE,
    &identifiers::duplicate_identifier::RULE,
    &identifiers::malformed_expression::RULE,
    &identifiers::unknown_reference::RULE,
    &identifiers::reference_not_ready::RULE,
    &identifiers::malformed_secret::RULE,
    &hygiene::plaintext_secret::RULE,
    &hygiene::unpinned_image::RULE,
    &hygiene::output_variable_not_exported::RULE,
];

/// A rule's check: reads the context, adds its findings.
pub(crate) type Check = fn(&Context, &mut Vec<Diagnostic>);

/// The rules that examine the pipeline model and the analysis (the others turn loader and
/// schema problems into diagnostics), each with its check.
pub(crate) static CHECKS: &[(&Rule, Check)] = &[
    (
        &services::port_collision::RULE,
        services::port_collision::check,
    ),
    (
        &services::reserved_port::RULE,
        services::reserved_port::check,
    ),
    (
        &services::pgdata_missing::RULE,
        services::pgdata_missing::check,
    ),
    (
        &services::pgdata_not_on_volume::RULE,
        services::pgdata_not_on_volume::check,
    ),
    (
        &services::pgdata_shared::RULE,
        services::pgdata_shared::check,
    ),
    (&services::wrong_host::RULE, services::wrong_host::check),
    (&services::unknown_host::RULE, services::unknown_host::check),
    (
        &services::service_in_other_stage::RULE,
        services::service_in_other_stage::check,
    ),
    (
        &services::port_mismatch::RULE,
        services::port_mismatch::check,
    ),
    (
        &services::socket_connection::RULE,
        services::socket_connection::check,
    ),
    (
        &services::loopback_unreachable::RULE,
        services::loopback_unreachable::check,
    ),
    (
        &ordering::parallel_with_health_checks::RULE,
        ordering::parallel_with_health_checks::check,
    ),
    (&ordering::service_race::RULE, ordering::service_race::check),
    (
        &ordering::used_before_service::RULE,
        ordering::used_before_service::check,
    ),
    (&ordering::fixed_sleep::RULE, ordering::fixed_sleep::check),
    (
        &ordering::unchecked_service::RULE,
        ordering::unchecked_service::check,
    ),
    (
        &ordering::unbounded_readiness_loop::RULE,
        ordering::unbounded_readiness_loop::check,
    ),
    (
        &credentials::missing_password::RULE,
        credentials::missing_password::check,
    ),
    (
        &credentials::unknown_database::RULE,
        credentials::unknown_database::check,
    ),
    (
        &credentials::client_cannot_authenticate::RULE,
        credentials::client_cannot_authenticate::check,
    ),
    (
        &credentials::service_will_not_start::RULE,
        credentials::service_will_not_start::check,
    ),
    (
        &infrastructure::missing_image::RULE,
        infrastructure::missing_image::check,
    ),
    (
        &infrastructure::entrypoint_without_image::RULE,
        infrastructure::entrypoint_without_image::check,
    ),
    (
        &infrastructure::background_unsupported_field::RULE,
        infrastructure::background_unsupported_field::check,
    ),
    (
        &infrastructure::nested_step_group::RULE,
        infrastructure::nested_step_group::check,
    ),
    (
        &infrastructure::run_entrypoint::RULE,
        infrastructure::run_entrypoint::check,
    ),
    (
        &identifiers::reserved_identifier::RULE,
        identifiers::reserved_identifier::check,
    ),
    (
        &identifiers::duplicate_identifier::RULE,
        identifiers::duplicate_identifier::check,
    ),
    (
        &identifiers::malformed_expression::RULE,
        identifiers::malformed_expression::check,
    ),
    (
        &identifiers::unknown_reference::RULE,
        identifiers::unknown_reference::check,
    ),
    (
        &identifiers::reference_not_ready::RULE,
        identifiers::reference_not_ready::check,
    ),
    (
        &identifiers::malformed_secret::RULE,
        identifiers::malformed_secret::check,
    ),
    (
        &hygiene::plaintext_secret::RULE,
        hygiene::plaintext_secret::check,
    ),
    (
        &hygiene::unpinned_image::RULE,
        hygiene::unpinned_image::check,
    ),
    (
        &hygiene::output_variable_not_exported::RULE,
        hygiene::output_variable_not_exported::check,
    ),
];
