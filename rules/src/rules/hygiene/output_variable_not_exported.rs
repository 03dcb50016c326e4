use std::sync::LazyLock;

use hlint_schema::model::StepSpec;
use hlint_schema::validate::closest;
use memchr::memmem::Finder;

use crate::analysis::command::AssignmentKind;
use crate::analysis::graph::StepIndex;
use crate::context::Context;
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::Rule;

pub static RULE: Rule = Rule {
    code: "HL703",
    name: "output-variable-not-exported",
    severity: Severity::Warning,
    summary: "A Run step declares an output variable its script never sets",
    doc: r#"## What it does
Finds Run steps with `outputVariables: [{name: X}]` whose `Sh` or `Bash` script never sets
`X`: no `export X=...`, `X=...`, `read X`, `for X in ...`, `declare`/`local`/`readonly X`,
and no other mention of `X` than reading `$X`.

Scripts hlint does not analyse (`Powershell`, `Pwsh`, `Python`), scripts that could set any
variable (`source`, `.`, `eval`, a command whose name is a variable, an `export` of names
computed at run time), scripts that write the output file themselves (`$DRONE_OUTPUT`,
`$HARNESS_OUTPUT_FILE`), and variables given in `envVariables` or as pipeline or stage
variables are left alone.

## Why is this bad?
After the script, Harness records the value of `$X` as the output variable. A variable the
script never sets is recorded empty, and every later
`<+steps.ID.output.outputVariables.X>` reads an empty string, often a misspelt name
(`DB_URL` declared, `DB_URI` exported) that fails far from its cause.

## Example
```yaml
- step:
    identifier: version
    name: version
    type: Run
    spec:
      shell: Sh
      command: export APP_VER=$(cat VERSION)
      outputVariables:
        - name: APP_VERSION
```

## Use instead
```yaml
      command: export APP_VERSION=$(cat VERSION)
      outputVariables:
        - name: APP_VERSION
```

## Sources
- "Output variables: declare the name, `export` it in the script; read as
  `<+steps.ID.output.outputVariables.X>`": ../shared/harness-ci-facts.md, "Run step".
- Harness's runner appends `echo "X="$X"" >> <output file>` to an Sh/Bash script for each
  declared output variable, and reads the file after the step: harness/lite-engine,
  `pipeline/runtime/common.go` (`getOutputVarCmd`) and `pipeline/runtime/run.go`.
"#,
};

/// Programs that can set any variable of the script.
const OPAQUE: &[&str] = &["source", ".", "eval"];

/// Builtins that set the variables named by their arguments: with an argument computed at
/// run time (`read "$name"`), any variable may be set.
const DECLARES: &[&str] = &["read", "printf", "getopts", "mapfile", "readarray", "let"];

/// Declaration keywords: the parser keeps only the names they set statically.
const DECLARATIONS: &[&str] = &["export", "declare", "typeset", "readonly", "local"];

/// Variables that name the output file the runner reads.
const OUTPUT_FILES: &[&str] = &["DRONE_OUTPUT", "HARNESS_OUTPUT_FILE"];

/// A searcher for each of [`DECLARATIONS`] and of [`OUTPUT_FILES`], built once: every script
/// with output variables is searched for all of them (setting up `str::contains`' search
/// for each cost more than the search).
static DECLARATION_SEARCHERS: LazyLock<Vec<Finder<'static>>> =
    LazyLock::new(|| searchers(DECLARATIONS));
static OUTPUT_FILE_SEARCHERS: LazyLock<Vec<Finder<'static>>> =
    LazyLock::new(|| searchers(OUTPUT_FILES));

fn searchers(words: &'static [&'static str]) -> Vec<Finder<'static>> {
    words.iter().map(|word| Finder::new(*word)).collect()
}

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for stage in cx.ci_stages() {
        for (index, entry) in stage.steps().iter().enumerate() {
            let Some(StepSpec::Run(spec)) = entry.step.spec.as_ref().map(|s| &s.value) else {
                continue;
            };
            let Some(outputs) = &spec.output_variables else {
                continue;
            };
            let Some(analysis) = stage.script(StepIndex::new(index)) else {
                continue;
            };
            let script = &analysis.script;
            if !analysis.is_analysed() || !script.errors.is_empty() || script.truncated {
                continue;
            }
            if script.invocations.iter().any(|invocation| {
                let program = invocation.program.as_deref();
                program.is_none_or(|p| OPAQUE.contains(&p))
                    || (program.is_some_and(|p| DECLARES.contains(&p))
                        && (program != Some("printf")
                            || invocation.args().iter().any(|w| w.text() == Some("-v")))
                        && invocation.args().iter().any(|word| word.text().is_none()))
            }) {
                continue;
            }
            let text = analysis.script_text();
            let names_output_file =
                (OUTPUT_FILE_SEARCHERS.iter()).any(|name| name.find(text.as_bytes()).is_some());
            if names_output_file || declares_dynamically(text) {
                continue;
            }
            let set_names: Vec<&str> = script
                .assignments
                .iter()
                .filter(|a| {
                    a.sets_variable() && a.context.nested_in.is_empty()
                        || a.kind == AssignmentKind::Export
                })
                .map(|a| a.name.as_str())
                .collect();
            for output in outputs.value.iter() {
                let Some(name) = &output.value.name else {
                    continue;
                };
                let variable = name.value.trim();
                if !is_identifier(variable) {
                    continue;
                }
                // The newer form names the script variable in `value`.
                if output
                    .value
                    .value
                    .as_ref()
                    .is_some_and(|v| v.value.trim() != variable && !v.value.trim().is_empty())
                {
                    continue;
                }
                if set_names.contains(&variable)
                    || spec.container.env(variable).is_some()
                    || defined_as_variable(cx, stage, variable)
                    || mentioned_otherwise(text, variable)
                {
                    continue;
                }
                let id = entry.step.id().unwrap_or("the step");
                let mut diagnostic = Diagnostic::new(
                    &RULE,
                    name.span,
                    format!(
                        "output variable `{variable}` is declared, but `{id}`'s script never sets it: Harness records `${variable}` after the script, so the output is empty"
                    ),
                )
                .with_label(analysis.command_span(), format!("no `{variable}` is set in this script"));
                let candidates: Vec<&str> = set_names
                    .iter()
                    .copied()
                    .filter(|n| *n != variable)
                    .collect();
                match closest(variable, candidates) {
                    Some(near) => {
                        let assignment = script
                            .assignments
                            .iter()
                            .find(|a| a.name == near)
                            .map(|a| analysis.file_span(a.name_span));
                        if let Some(span) = assignment {
                            diagnostic =
                                diagnostic.with_label(span, format!("the script sets `{near}`"));
                        }
                        diagnostic = diagnostic
                            .with_help(format!(
                                "did you mean `{near}`, which the script sets? Declare that name, or set `{variable}` in the script (`export {variable}=...`)"
                            ))
                            .with_unsafe_fix(
                                format!("declare `{near}` instead"),
                                vec![Edit {
                                    span: name.span,
                                    replacement: near.to_owned(),
                                }],
                            );
                    }
                    None => {
                        diagnostic = diagnostic.with_help(format!(
                            "set it in the script (`export {variable}=...`), or remove the declaration"
                        ));
                    }
                }
                out.push(diagnostic);
            }
        }
    }
}

/// True when a declaration names its variables at run time (`export $(cat .env | xargs)`,
/// `export "$line"`): an expansion before the first `=` of the rest of the line.
fn declares_dynamically(text: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    // Each keyword searched once over the whole text (not once per line), then read to the
    // end of its line.
    DECLARATION_SEARCHERS.iter().any(|keyword| {
        keyword.find_iter(text.as_bytes()).any(|at| {
            let keyword = keyword.needle();
            let before = text[..at].chars().next_back();
            let line_end = text[at..].find('\n').map_or(text.len(), |end| at + end);
            let rest = &text[at + keyword.len()..line_end];
            if before.is_some_and(is_word) || !rest.starts_with(char::is_whitespace) {
                return false;
            }
            let names = rest.split('=').next().unwrap_or(rest);
            names.contains(['$', '`'])
        })
    })
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A pipeline or stage variable of that name (Harness may give it to the step's environment).
fn defined_as_variable(
    cx: &Context,
    stage: &crate::analysis::stage::StageAnalysis,
    name: &str,
) -> bool {
    crate::rules::credentials::variable_defined(cx.pipeline, stage, name)
}

/// True when `name` appears in the script other than as a plain read (`$NAME`, `${NAME}`,
/// `${NAME:-x}`): `printf -v NAME`, `getopts o NAME`, `(( NAME = 1 ))`, `${NAME:=x}`, or any
/// use hlint does not model, which may set it.
fn mentioned_otherwise(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(found) = text[from..].find(name) {
        let start = from + found;
        let end = start + name.len();
        from = end;
        if (start > 0 && is_word(bytes[start - 1])) || (end < bytes.len() && is_word(bytes[end])) {
            continue;
        }
        let plain_read = start > 0 && bytes[start - 1] == b'$';
        let braced = start > 1 && bytes[start - 1] == b'{' && bytes[start - 2] == b'$';
        let assigns_default = braced && {
            let rest = &text[end..];
            rest.starts_with(":=") || rest.starts_with('=')
        };
        if !(plain_read || braced) || assigns_default {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::testing::{assert_clean, findings, pipeline, Infra};

    fn step(shell: &str, command: &str, name: &str) -> String {
        format!("- step:\n    identifier: version\n    name: version\n    type: Run\n    spec:\n      shell: {shell}\n      command: {command}\n      outputVariables:\n        - name: {name}\n")
    }

    #[test]
    fn a_declaration_of_names_computed_at_run_time_may_set_any_variable() {
        use super::declares_dynamically;
        assert!(declares_dynamically(
            "echo start\n  export \"$line\"\necho end"
        ));
        assert!(declares_dynamically("declare `cat names`=1"));
        assert!(!declares_dynamically("export APP_VERSION=$(cat VERSION)"));
        assert!(
            !declares_dynamically("reexport $name"),
            "part of a longer word"
        );
        assert!(
            !declares_dynamically("export\n$name=1"),
            "the names are on its own line"
        );
        assert!(!declares_dynamically("local a b\nexport FOO=$BAR"));
    }

    #[test]
    fn bad_declared_but_never_set() {
        let text = pipeline(
            Infra::Cloud,
            &step("Sh", "export APP_VER=$(cat VERSION)", "APP_VERSION"),
        );
        let found = findings(&text, "HL703");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "APP_VERSION");
        let text = pipeline(
            Infra::Cloud,
            &step("Bash", "echo \"$APP_VERSION\"", "APP_VERSION"),
        );
        assert_eq!(findings(&text, "HL703").len(), 1);
        let text = pipeline(
            Infra::Cloud,
            &step("Sh", "printf '%s' \"$APP_VERSION\"", "APP_VERSION"),
        );
        assert_eq!(findings(&text, "HL703").len(), 1);
    }

    #[test]
    fn good_set_exported_read_or_unanalysed() {
        for command in [
            "export APP_VERSION=$(cat VERSION)",
            "APP_VERSION=1.2.3",
            "read APP_VERSION < VERSION",
            "APP_VERSION=1; export APP_VERSION",
            "printf -v APP_VERSION '%s' 1",
            ". ./env.sh",
            "echo \"APP_VERSION=1\" >> $DRONE_OUTPUT",
            "export $(grep -v '^#' .env | xargs)",
            "while read -r line; do export \"$line\"; done < .env",
        ] {
            let text = pipeline(Infra::Cloud, &step("Sh", command, "APP_VERSION"));
            assert!(findings(&text, "HL703").is_empty(), "{command}");
        }
        let text = pipeline(
            Infra::Cloud,
            &step("Sh", "export APP_VERSION=$(cat VERSION)", "APP_VERSION"),
        );
        assert_clean(&text);
        let text = pipeline(
            Infra::Cloud,
            &step("Powershell", "Write-Host hi", "APP_VERSION"),
        );
        assert!(findings(&text, "HL703").is_empty());
    }

    #[test]
    fn a_quoted_command_is_read_as_the_shell_reads_it() {
        // In YAML's double quotes `\n` is a line break: the `export` starts the second line
        // of the script, though not of the YAML source.
        let command = r#""echo start\nexport $(grep -v '^#' .env | xargs)""#;
        let text = pipeline(Infra::Cloud, &step("Sh", command, "APP_VERSION"));
        assert!(findings(&text, "HL703").is_empty(), "{command}");
        let command = r#""echo start\nexport APP_VER=1""#;
        let text = pipeline(Infra::Cloud, &step("Sh", command, "APP_VERSION"));
        assert_eq!(findings(&text, "HL703").len(), 1, "{command}");
    }

    #[test]
    fn seeds_and_clean_fixtures_are_quiet() {
        for text in crate::testing::seeds_and_clean() {
            assert!(findings(text, "HL703").is_empty());
        }
    }
}
