//! Command analysis of whole pipelines, read in the file ([`StepScript::in_file`]): every
//! span is a YAML span of the file.

use std::time::{Duration, Instant};

use hlint_schema::model::{build, Pipeline, Step};
use hlint_schema::yaml::{load, LoadLimits, YamlTree};
use hlint_schema::Span;

use super::*;

const CLOUD: &str = include_str!("../../../../schema/tests/data/health-checks-cloud.yaml");
const KUBERNETES: &str =
    include_str!("../../../../schema/tests/data/health-checks-kubernetes.yaml");

fn load_pipeline(text: &str) -> (YamlTree, Pipeline) {
    let (_, loaded) = load(text.as_bytes(), LoadLimits::default());
    let pipeline = build(&loaded.tree).expect("a pipeline");
    (loaded.tree, pipeline)
}

/// The analysis of every step with a command, by step identifier.
fn analyse_all(text: &str) -> Vec<(String, ScriptAnalysis)> {
    let (tree, pipeline) = load_pipeline(text);
    let mut out = Vec::new();
    for stage in pipeline.stages() {
        for entry in stage.stage.value.steps() {
            let step: &Step = &entry.step.value;
            if let Some(analysis) = analyse_step(&tree, text, step) {
                out.push((
                    step.id().unwrap_or("").to_owned(),
                    analysis.in_file().clone(),
                ));
            }
        }
    }
    out
}

fn step<'a>(all: &'a [(String, ScriptAnalysis)], id: &str) -> &'a ScriptAnalysis {
    &all.iter().find(|(i, _)| i == id).unwrap().1
}

fn at(text: &str, span: Option<Span>) -> &str {
    let span = span.expect("a span");
    &text[span.start..span.end]
}

/// A one-stage pipeline around the given step lines (indented for `steps:` items).
fn pipeline(steps: &str) -> String {
    format!(
        "pipeline:\n  identifier: p\n  stages:\n    - stage:\n        identifier: s\n        type: CI\n        spec:\n          execution:\n            steps:\n{steps}"
    )
}

#[test]
fn the_cloud_seed_points_at_the_host_token_in_both_block_styles() {
    let all = analyse_all(CLOUD);
    for (id, host, port, db) in [
        ("Run_1", "Background_1", "5433", "test1"),
        ("Run_2", "Background_2", "5434", "test2"),
    ] {
        let a = step(&all, id);
        assert_eq!(a.spans, SpanSpace::Yaml);
        assert_eq!(a.calls.len(), 1, "{id}");
        let call = &a.calls[0];
        assert_eq!(call.tool, Tool::Psql);
        assert_eq!(at(CLOUD, call.host.span), host);
        assert_eq!(at(CLOUD, call.port.span), port);
        assert_eq!(at(CLOUD, call.database.span), db);
        assert_eq!(at(CLOUD, call.user.span), "postgres");
        assert_eq!(at(CLOUD, Some(call.program_span)), "psql");
        assert_eq!(
            at(CLOUD, Some(call.span)),
            format!("psql -U postgres -d {db} -h {host} -p {port}")
        );
        assert!(call.passwords.is_empty());
        assert_eq!(a.sleeps.len(), 1);
        assert_eq!(at(CLOUD, Some(a.sleeps[0].span)), "15");
        assert!(matches!(
            a.readiness[..],
            [Readiness::FixedSleep { call: 0, .. }]
        ));
        // Every word of every invocation slices to its own text.
        for invocation in &a.script.invocations {
            for word in &invocation.words {
                assert_eq!(at(CLOUD, Some(word.span)), word.value);
                assert_eq!(at(CLOUD, Some(word.content_span())), word.value);
            }
        }
    }
    let a = step(&all, "Run_3");
    assert_eq!(a.script.invocations[0].program.as_deref(), Some("echo"));
    assert_eq!(
        at(CLOUD, Some(a.script.invocations[0].words[1].content_span())),
        "services are up"
    );
}

#[test]
fn the_kubernetes_seed_uses_localhost() {
    let all = analyse_all(KUBERNETES);
    let a = step(&all, "Run_2");
    assert_eq!(at(KUBERNETES, a.calls[0].host.span), "localhost");
    assert_eq!(a.calls[0].transport, Transport::Tcp);
}

#[test]
fn every_scalar_style_maps_to_the_token() {
    let yaml = pipeline(concat!(
        "              - step: {identifier: plain, type: Run, spec: {command: psql -h db1 -p 5433}}\n",
        "              - step:\n",
        "                  identifier: double\n",
        "                  type: Run\n",
        "                  spec:\n",
        "                    command: \"psql -h \\\"db2\\\" -p 5433\\n\\tpg_isready -h db2b\"\n",
        "              - step:\n",
        "                  identifier: single\n",
        "                  type: Run\n",
        "                  spec:\n",
        "                    command: 'psql -h ''db3'' -p 5433'\n",
        "              - step:\n",
        "                  identifier: folded\n",
        "                  type: Run\n",
        "                  spec:\n",
        "                    command: >\n",
        "                      psql\n",
        "                      -h db4 -p 5433\n",
        "              - step:\n",
        "                  identifier: literal\n",
        "                  type: Run\n",
        "                  spec:\n",
        "                    command: |\n",
        "                      set -e\n",
        "\n",
        "                      if true; then\n",
        "                        psql \\\n",
        "                          -h \"db5\" \\\n",
        "                          -p 5433\n",
        "                      fi\n",
    ));
    let all = analyse_all(&yaml);
    for (id, host) in [
        ("plain", "db1"),
        ("double", "db2"),
        ("single", "db3"),
        ("folded", "db4"),
        ("literal", "db5"),
    ] {
        let a = step(&all, id);
        let call = &a.calls[0];
        assert_eq!(call.host.value.as_deref(), Some(host), "{id}");
        assert_eq!(at(&yaml, call.host.span), host, "{id}");
        assert_eq!(at(&yaml, call.port.span), "5433", "{id}");
    }
    let double = step(&all, "double");
    assert_eq!(at(&yaml, double.calls[1].host.span), "db2b");
    assert_eq!(
        at(&yaml, Some(double.script.invocations[0].words[2].span)),
        "\\\"db2\\\""
    );
}

/// A Run step `app` with the given lines of its `spec` (indented for the spec's members).
fn app_step(spec: &str) -> String {
    format!(
        "              - step:\n                  identifier: app\n                  type: Run\n                  spec:\n{spec}"
    )
}

#[test]
fn uris_and_values_in_env_variables_point_into_the_yaml() {
    let yaml = pipeline(&app_step(concat!(
        "                    envVariables:\n",
        "                      DATABASE_URL: postgres://u:pw@sg1_db:5433/app\n",
        "                      CACHE_URL: \"redis://cache:6380\"\n",
        "                      PGHOST: sg1_db\n",
        "                      PGPASSWORD: <+secrets.getValue(\"pg\")>\n",
        "                    command: |\n",
        "                      psql -U postgres -c 'select 1'\n",
        "                      psql \"$DATABASE_URL\"\n",
    )));
    let all = analyse_all(&yaml);
    let a = step(&all, "app");
    let env_uris: Vec<&ConnectionUri> = a
        .uris
        .iter()
        .filter(|u| matches!(u.origin, UriOrigin::StepEnv { .. }))
        .collect();
    assert_eq!(env_uris.len(), 2);
    let pg = env_uris[0];
    assert_eq!(at(&yaml, pg.host.as_ref().map(|h| h.span)), "sg1_db");
    assert_eq!(at(&yaml, pg.port.as_ref().map(|h| h.span)), "5433");
    assert_eq!(at(&yaml, pg.password.as_ref().map(|h| h.span)), "pw");
    assert_eq!(at(&yaml, Some(pg.span)), "postgres://u:pw@sg1_db:5433/app");
    assert_eq!(
        at(&yaml, env_uris[1].host.as_ref().map(|h| h.span)),
        "cache"
    );

    let [first, second] = &a.calls[..] else {
        panic!("{:#?}", a.calls)
    };
    assert_eq!(
        first.host.origin,
        Origin::StepEnv {
            name: "PGHOST".into()
        }
    );
    assert_eq!(at(&yaml, first.host.span), "sg1_db");
    let password = &first.passwords[0];
    assert_eq!(
        password.kind,
        PasswordKind::Env {
            name: "PGPASSWORD".into()
        }
    );
    assert!(password.setting.dynamic);
    assert_eq!(
        at(&yaml, password.setting.span),
        "<+secrets.getValue(\"pg\")>"
    );
    // `psql "$DATABASE_URL"`: the variable is read, the URI is not static in the script.
    assert!(a.script.reads.iter().any(|r| r.name == "DATABASE_URL"));
    assert_eq!(
        a.env[0].key_span.map(|s| &yaml[s.start..s.end]),
        Some("DATABASE_URL")
    );
    assert!(second.database.dynamic || second.database.value.is_some());
}

/// A step's script is read in script offsets; `file_span` of any of them is where the
/// analysis read in the file puts it, for the script and the environment values alike.
#[test]
fn a_span_mapped_alone_is_where_the_file_analysis_puts_it() {
    let yaml = pipeline(&app_step(concat!(
        "                    envVariables:\n",
        "                      DATABASE_URL: \"postgres://u:pw@sg1_db:5433/app\"\n",
        "                      PGHOST: sg1_db\n",
        "                    command: \"until pg_isready -h \\\"$PGHOST\\\"; do sleep 1; done\\n  psql \\\"$DATABASE_URL\\\" -p 5433\"\n",
    )));
    let (tree, model) = load_pipeline(&yaml);
    let stage = model.stages().next().expect("a stage");
    let entry = &stage.stage.value.steps()[0];
    let script = analyse_step(&tree, &yaml, &entry.step.value).expect("a command");
    assert_eq!(script.spans, SpanSpace::Script);
    let command = script.command_span();
    assert_eq!(&yaml[command.start..command.start + 7], "\"until ");
    let in_file = script.in_file();
    assert_eq!(in_file.spans, SpanSpace::Yaml);
    assert_eq!(in_file.command_span, Some(command));
    let mut compared = 0;
    for (call, mapped) in script.calls.iter().zip(&in_file.calls) {
        for (span, expected) in [
            (Some(call.span), Some(mapped.span)),
            (Some(call.program_span), Some(mapped.program_span)),
            (call.host.span, mapped.host.span),
            (call.port.span, mapped.port.span),
        ] {
            assert_eq!(script.file_span_of(span), expected);
            compared += 1;
        }
    }
    for (uri, mapped) in script.uris.iter().zip(&in_file.uris) {
        assert_ne!(uri.span, mapped.span, "script offsets are not file offsets");
        assert_eq!(script.file_span(uri.span), mapped.span);
        compared += 1;
    }
    assert!(compared >= 9, "{compared}");
    assert_eq!(
        at(&yaml, in_file.uris[0].host.as_ref().map(|h| h.span)),
        "sg1_db"
    );
    assert_eq!(script.text(script.calls[0].program_span), "pg_isready");
}

#[test]
fn powershell_python_and_expression_shells_are_not_analysed() {
    let yaml = pipeline(concat!(
        "              - step: {identifier: ps, type: Run, spec: {shell: Powershell, command: 'psql -h db'}}\n",
        "              - step: {identifier: py, type: Run, spec: {shell: Python, command: 'print(1)'}}\n",
        "              - step: {identifier: ex, type: Run, spec: {shell: <+input>, command: 'psql -h db'}}\n",
        "              - step: {identifier: bash, type: Background, spec: {shell: Bash, command: 'psql -h db'}}\n",
    ));
    let all = analyse_all(&yaml);
    let ps = step(&all, "ps");
    assert_eq!(ps.skipped, Some(SkipReason::NotAShell));
    assert_eq!(ps.language, ScriptLanguage::Powershell);
    assert!(ps.calls.is_empty() && ps.script.invocations.is_empty());
    assert_eq!(step(&all, "py").skipped, Some(SkipReason::NotAShell));
    assert!(matches!(
        step(&all, "ex").skipped,
        Some(SkipReason::ShellIsExpression(_))
    ));
    let bash = step(&all, "bash");
    assert!(bash.is_analysed());
    assert_eq!(bash.calls[0].interpreter, Interpreter::Bash);
}

#[test]
fn harness_expressions_and_broken_scripts_in_yaml() {
    let yaml = pipeline(concat!(
        "              - step:\n",
        "                  identifier: expr\n",
        "                  type: Run\n",
        "                  spec:\n",
        "                    command: |\n",
        "                      psql -h <+pipeline.variables.db_host> -p 5433 -U \"<+secrets.getValue(\"user\")>\"\n",
        "              - step:\n",
        "                  identifier: broken\n",
        "                  type: Run\n",
        "                  spec:\n",
        "                    command: |\n",
        "                      pg_isready -h db\n",
        "                      if [ $? -eq 0 ]; then\n",
        "                        psql -h \"db\n",
    ));
    let all = analyse_all(&yaml);
    let expr = step(&all, "expr");
    let call = &expr.calls[0];
    assert!(call.host.dynamic);
    assert_eq!(at(&yaml, call.host.span), "<+pipeline.variables.db_host>");
    assert_eq!(at(&yaml, call.port.span), "5433");
    assert!(call.user.dynamic);
    assert!(expr.script.errors.is_empty());
    assert_eq!(expr.script.harness_expressions.len(), 2);
    let broken = step(&all, "broken");
    assert!(!broken.script.errors.is_empty());
    assert_eq!(broken.calls[0].tool, Tool::PgIsready);
    assert_eq!(at(&yaml, broken.calls[0].host.span), "db");
}

#[test]
fn nested_scripts_in_yaml() {
    let yaml = pipeline(concat!(
        "              - step:\n",
        "                  identifier: wait\n",
        "                  type: Run\n",
        "                  spec:\n",
        "                    command: |\n",
        "                      timeout 60 sh -c 'until pg_isready -h sg1_db -p 5433; do sleep 1; done'\n",
        "                      bash -c \"redis-cli -h \\\"cache\\\" ping\"\n",
    ));
    let all = analyse_all(&yaml);
    let a = step(&all, "wait");
    assert_eq!(at(&yaml, a.calls[0].host.span), "sg1_db");
    assert_eq!(at(&yaml, a.calls[1].host.span), "cache");
    assert!(matches!(
        a.readiness[..],
        [
            Readiness::BoundedLoop {
                bound: LoopBound::Timeout { .. },
                ..
            },
            ..
        ]
    ));
}

/// A script of `lines` lines mixing everything the parser meets.
fn big_script(lines: usize) -> String {
    let chunk = [
        "export PGHOST=db_$RANDOM",
        "PGPASSWORD=x psql -U postgres -d app -h Background_1 -p 5433 -c \"select 1\"",
        "for i in $(seq 1 30); do pg_isready -h db && break; sleep 1; done",
        "until redis-cli -h cache ping; do sleep 1; done",
        "sh -c 'curl -sf http://api:8080/health || exit 1'",
        "if [ -n \"$X\" ]; then mysql -h my -uroot -p\"$PW\" app < init.sql; fi",
        "cat <<EOF > /tmp/x",
        "psql -h heredoc",
        "EOF",
        "echo \"postgres://u:pw@db:5432/app\" | tee /tmp/url # comment",
    ];
    let mut text = String::with_capacity(lines * 48);
    for i in 0..lines {
        text.push_str(chunk[i % chunk.len()]);
        text.push('\n');
    }
    text
}

fn within(limit: Duration, what: &str, f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    let elapsed = start.elapsed();
    assert!(elapsed < limit, "{what} took {elapsed:?}");
    elapsed
}

#[test]
fn a_ten_thousand_line_script_in_bounded_time() {
    let text = big_script(10_000);
    let mut analysis = None;
    // Generous for unoptimised test builds; a release build takes a few milliseconds.
    let elapsed = within(Duration::from_secs(10), "10,000-line script", || {
        analysis = Some(analyse_script(&text, ScriptLanguage::Bash, &[]));
    });
    eprintln!("10,000-line script analysed in {elapsed:?}");
    let a = analysis.unwrap();
    assert_eq!(a.calls_of(Tool::Psql).count(), 1_000);
    assert_eq!(a.calls_of(Tool::Curl).count(), 1_000);
    assert!(a.script.errors.is_empty(), "{:?}", &a.script.errors[..1]);
    assert_eq!(a.script.loops.len(), 2_000);
}

#[test]
fn a_big_literal_block_maps_fast_and_exactly() {
    let script = big_script(10_000);
    let mut yaml = pipeline(concat!(
        "              - step:\n",
        "                  identifier: big\n",
        "                  type: Run\n",
        "                  spec:\n",
        "                    shell: Bash\n",
        "                    command: |\n",
    ));
    for line in script.lines() {
        yaml.push_str("                      ");
        yaml.push_str(line);
        yaml.push('\n');
    }
    let mut all = Vec::new();
    within(
        Duration::from_secs(15),
        "10,000-line command in YAML",
        || {
            all = analyse_all(&yaml);
        },
    );
    let a = step(&all, "big");
    let last = a.calls_of(Tool::Psql).last().unwrap();
    assert_eq!(at(&yaml, last.host.span), "Background_1");
    assert_eq!(at(&yaml, last.port.span), "5433");
}

#[test]
fn two_hundred_scripts_in_one_pipeline() {
    let mut steps = String::new();
    for i in 0..200 {
        steps.push_str(&format!(
            concat!(
                "              - step:\n",
                "                  identifier: s{i}\n",
                "                  type: Run\n",
                "                  spec:\n",
                "                    envVariables:\n",
                "                      DATABASE_URL: postgres://u:pw@db{i}:5432/app\n",
                "                    command: |\n",
                "                      sleep 15\n",
                "                      until pg_isready -h db{i}; do sleep 1; done\n",
                "                      psql -U postgres -d app -h db{i} -p 5432 -c 'select 1'\n",
                "                      curl -sf http://api{i}:8080/health\n",
                "                      echo done\n",
                "                      echo \"$DATABASE_URL\"\n",
                "                      nc -z db{i} 5432\n",
                "                      redis-cli -h cache{i} ping\n",
                "                      mysql -h my{i} -uroot app\n",
                "                      exit 0\n",
            ),
            i = i
        ));
    }
    let yaml = pipeline(&steps);
    assert!(yaml.lines().count() > 3_000);
    let (tree, model) = load_pipeline(&yaml);
    let steps: Vec<&Step> = model
        .stages()
        .flat_map(|s| s.stage.value.steps())
        .map(|e| &e.step.value)
        .collect();
    let mut all = Vec::new();
    let elapsed = within(Duration::from_secs(10), "200 scripts", || {
        all = steps
            .iter()
            .filter_map(|step| analyse_step(&tree, &yaml, step).map(|s| s.in_file().clone()))
            .collect();
    });
    eprintln!("200 scripts analysed in {elapsed:?}");
    assert_eq!(all.len(), 200);
    let last: &ScriptAnalysis = all.last().unwrap();
    assert_eq!(at(&yaml, last.calls[0].host.span), "db199");
    assert_eq!(last.calls.len(), 6);
}

/// Random shell-ish text never panics, and every span stays inside the script.
#[test]
fn random_scripts_do_not_panic() {
    for text in random_scripts(400) {
        for language in [ScriptLanguage::Sh, ScriptLanguage::Bash] {
            let env = [EnvInput {
                name: "PGPORT".into(),
                value: "<+x>".into(),
            }];
            let a = analyse_script(&text, language, &env);
            let limit = text.len() + 1 + 4;
            for call in &a.calls {
                assert!(call.span.end <= text.len(), "{text:?}");
                for s in [
                    call.host.span,
                    call.port.span,
                    call.user.span,
                    call.database.span,
                ]
                .into_iter()
                .flatten()
                {
                    assert!(s.start <= s.end && s.end <= limit, "{text:?}");
                }
            }
            for invocation in &a.script.invocations {
                for word in &invocation.words {
                    let span = word.content_span();
                    assert!(span.start <= span.end && span.end <= text.len(), "{text:?}");
                }
            }
        }
    }
}

/// Random scripts in quoted and literal YAML scalars: no panic, every span in the value.
#[test]
fn random_scripts_in_yaml_do_not_panic() {
    for text in random_scripts(150) {
        let mut quoted = String::from("\"");
        for c in text.chars() {
            match c {
                '\\' => quoted.push_str("\\\\"),
                '"' => quoted.push_str("\\\""),
                '\n' => quoted.push_str("\\n"),
                '\t' => quoted.push_str("\\t"),
                '\0' => quoted.push_str("\\0"),
                c => quoted.push(c),
            }
        }
        quoted.push('"');
        let mut steps = format!(
            "              - step:\n                  identifier: q\n                  type: Run\n                  spec:\n                    command: {quoted}\n"
        );
        if !text.contains('\0') && !text.trim().is_empty() && !text.starts_with([' ', '\t', '\n']) {
            steps.push_str("              - step:\n                  identifier: l\n                  type: Run\n                  spec:\n                    command: |-\n");
            for line in text.split('\n') {
                steps.push_str("                      ");
                steps.push_str(line);
                steps.push('\n');
            }
        }
        let yaml = pipeline(&steps);
        for (_, a) in analyse_all(&yaml) {
            let Some(command) = a.command_span else {
                continue;
            };
            for invocation in &a.script.invocations {
                for word in &invocation.words {
                    let span = word.content_span();
                    assert!(
                        command.start <= span.start && span.end <= command.end,
                        "{yaml}\n{span:?} {command:?} {word:?}"
                    );
                }
            }
        }
    }
}

pub(super) fn random_scripts(count: usize) -> Vec<String> {
    const PIECES: &[&str] = &[
        "psql",
        " -h",
        " db",
        " -p5433",
        "\"",
        "'",
        "$",
        "${",
        "}",
        "$(",
        ")",
        "((",
        "))",
        "`",
        "\\",
        "\n",
        ";",
        "&&",
        "||",
        "|",
        "&",
        "<",
        ">",
        "<<EOF\n",
        "EOF\n",
        "<+",
        ">",
        "<>",
        "/dev/tcp/",
        "until ",
        "do ",
        "done",
        "if ",
        "then ",
        "fi",
        "for i in ",
        "{1..3}",
        "é",
        "✓",
        "sh -c ",
        "bash -c ",
        "eval ",
        "export A=",
        "PGHOST=x ",
        "mysql -p",
        "nc -z ",
        "redis-cli ",
        "mongosh ",
        "--host=",
        "postgres://u:p@",
        "@",
        ":",
        "/",
        "#",
        " ",
        "\t",
        "[ $n -gt 3 ]",
        "n=$((n+1))",
        "timeout 5 ",
        "curl ",
        "http://h:1/health",
        "=",
        "\u{0}",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..count)
        .map(|_| {
            let len = (next() % 60) as usize;
            (0..len)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect()
        })
        .collect()
}
