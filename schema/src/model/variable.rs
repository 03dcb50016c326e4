//! Pipeline and stage `variables`.

use super::build::Ctx;
use super::spanned::Spanned;
use crate::yaml::NodeId;

/// A `variables` item: `{name, type: String | Number | Secret, value}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    pub name: Option<Spanned<String>>,
    pub var_type: Option<Spanned<String>>,
    /// As written: numbers keep their text; often an expression such as `<+input>`.
    pub value: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
}

impl Variable {
    pub fn name(&self) -> Option<&str> {
        self.name.as_ref().map(|name| name.value.as_str())
    }
}

pub(crate) fn variables(cx: Ctx, map: NodeId) -> Option<Spanned<Vec<Spanned<Variable>>>> {
    cx.list(map, "variables", |item| {
        cx.tree.is_mapping(item).then(|| {
            cx.item(
                item,
                Variable {
                    name: cx.text(item, "name"),
                    var_type: cx.text(item, "type"),
                    value: cx.text(item, "value"),
                    description: cx.text(item, "description"),
                },
            )
        })
    })
}
