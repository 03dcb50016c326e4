//! What a rule's check reads: the source, the YAML tree, the typed model and the shared
//! analysis. Built once per file by the lint driver.

use hlint_schema::model::Pipeline;
use hlint_schema::yaml::YamlTree;
use hlint_schema::Span;

use crate::analysis::expressions::Expressions;
use crate::analysis::stage::StageAnalysis;

pub struct Context<'a> {
    pub source: &'a str,
    pub tree: &'a YamlTree,
    pub pipeline: &'a Pipeline,
    /// Every `<+ ... >` expression of the file, in source order.
    pub expressions: &'a Expressions<'a>,
    /// Every CI stage with its analysis, in document order.
    pub stages: &'a [StageAnalysis<'a>],
}

impl<'a> Context<'a> {
    pub fn ci_stages(&self) -> impl Iterator<Item = &'a StageAnalysis<'a>> + 'a {
        self.stages.iter()
    }

    /// The CI stage whose text holds `span`.
    pub fn stage_at(&self, span: Span) -> Option<&'a StageAnalysis<'a>> {
        self.stages
            .iter()
            .find(|stage| stage.stage().span.contains(span))
    }
}
