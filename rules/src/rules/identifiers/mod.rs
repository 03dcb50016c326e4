//! HL6xx: identifiers and expressions: how steps, stages and values are named and referred to.

pub mod duplicate_identifier;
pub mod malformed_expression;
pub mod malformed_secret;
pub mod reference_not_ready;
pub mod reserved_identifier;
pub mod unknown_reference;

use hlint_schema::model::Spanned;

use crate::context::Context;

/// Every identifier of the pipeline with what it names: the pipeline's, each stage's, and each
/// step's and step group's, tagged with the stage they belong to.
pub(crate) fn all_identifiers<'a>(cx: &Context<'a>) -> Vec<Identified<'a>> {
    let mut found = Vec::new();
    if let Some(id) = &cx.pipeline.identifier {
        found.push(Identified {
            id,
            what: "pipeline",
            stage: None,
        });
    }
    for entry in cx.pipeline.stages() {
        let stage = entry.stage;
        if let Some(id) = &stage.identifier {
            found.push(Identified {
                id,
                what: "stage",
                stage: None,
            });
        }
        let stage_id = Some(stage.span);
        for group in stage.step_groups() {
            if let Some(id) = &group.group.identifier {
                found.push(Identified {
                    id,
                    what: "step group",
                    stage: stage_id,
                });
            }
        }
        for step in stage.steps() {
            if let Some(id) = &step.step.identifier {
                found.push(Identified {
                    id,
                    what: "step",
                    stage: stage_id,
                });
            }
        }
    }
    found.sort_by_key(|identified| identified.id.span.start);
    found
}

pub(crate) struct Identified<'a> {
    pub id: &'a Spanned<String>,
    pub what: &'static str,
    /// The span of the stage that holds it (steps and groups only).
    pub stage: Option<hlint_schema::Span>,
}
