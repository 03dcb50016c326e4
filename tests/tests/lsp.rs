//! `hlint lsp`, end to end: the real binary, spoken to in JSON-RPC over its standard input and
//! output, as an editor does.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use hlint_tests::fixtures;
use serde_json::{json, Value};

/// How long any one answer may take.
const WAIT: Duration = Duration::from_secs(30);

/// A language client: the server process, and the messages it sent that were not yet read.
struct Lsp {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    unread: VecDeque<Value>,
    next_id: i64,
}

impl Lsp {
    /// Starts `hlint lsp` (rebuilt first, like every end-to-end test) and initializes it.
    fn start() -> Lsp {
        Lsp::start_with(json!({}), json!(null))
    }

    fn start_with(capabilities: Value, options: Value) -> Lsp {
        let _ = hlint_tests::hlint(); // builds the binary when needed
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("hlint"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("hlint lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length:") {
                        length = value.trim().parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("every message has a Content-Length")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let message: Value = serde_json::from_slice(&body).expect("messages are JSON");
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        let mut lsp = Lsp {
            child,
            stdin,
            messages,
            unread: VecDeque::new(),
            next_id: 0,
        };
        let result = lsp.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        let capabilities = &result["capabilities"];
        assert_eq!(capabilities["positionEncoding"], "utf-16");
        assert_eq!(capabilities["textDocumentSync"]["openClose"], true);
        lsp.notify("initialized", json!({}));
        lsp
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message from the server; requests from the server are answered with null.
    fn receive(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = self
            .messages
            .recv_timeout(left)
            .expect("the server answers in time");
        if message.get("method").is_some() && message.get("id").is_some() {
            let id = message["id"].clone();
            self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
        }
        message
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + WAIT;
        loop {
            let message = self.receive(deadline);
            if message["id"] == id && message.get("method").is_none() {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
            self.unread.push_back(message);
        }
    }

    /// The next diagnostics published for `uri` (for `version` or later, when given).
    fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        self.published(uri, |published| {
            version.is_none_or(|v| published.as_i64() >= Some(v))
        })
    }

    /// The diagnostics published when `uri` was closed (with no version).
    fn closed(&mut self, uri: &str) -> Vec<Value> {
        self.published(uri, Value::is_null)
    }

    fn published(&mut self, uri: &str, version: impl Fn(&Value) -> bool) -> Vec<Value> {
        let wanted = |message: &Value| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && version(&message["params"]["version"])
        };
        if let Some(index) = self.unread.iter().position(wanted) {
            let message = self.unread.remove(index).unwrap();
            return message["params"]["diagnostics"].as_array().unwrap().clone();
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let message = self.receive(deadline);
            if wanted(&message) {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.unread.push_back(message);
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        self.diagnostics(uri, Some(1))
    }

    /// Shuts the server down the way an editor does, and checks that it exits cleanly.
    fn shutdown(mut self) {
        let result = self.request("shutdown", json!(null));
        assert_eq!(result, Value::Null);
        self.notify("exit", json!(null));
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "hlint lsp exited with {status}");
                return;
            }
            assert!(Instant::now() < deadline, "hlint lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn fixture(name: &str) -> (String, String) {
    let path = fixtures().join(name);
    (uri_of(&path), std::fs::read_to_string(&path).unwrap())
}

fn position(line: u64, character: u64) -> Value {
    json!({"line": line, "character": character})
}

fn range(start: (u64, u64), end: (u64, u64)) -> Value {
    json!({"start": position(start.0, start.1), "end": position(end.0, end.1)})
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

fn find<'a>(diagnostics: &'a [Value], code: &str, line: u64) -> Option<&'a Value> {
    diagnostics
        .iter()
        .find(|d| d["code"] == code && d["range"]["start"]["line"] == line)
}

/// Applies LSP text edits (UTF-16 positions) to a text, as an editor does.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |text: &str, position: &Value| -> usize {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (index, ch) in text[start..].char_indices() {
            if units >= character || ch == '\n' {
                return start + index;
            }
            units += ch.len_utf16();
        }
        text.len()
    };
    let mut edits: Vec<&Value> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(text, &e["range"]["start"])));
    let mut text = text.to_owned();
    for edit in edits {
        let start = offset(&text, &edit["range"]["start"]);
        let end = offset(&text, &edit["range"]["end"]);
        text.replace_range(start..end, edit["newText"].as_str().unwrap());
    }
    text
}

/// The same findings as the command line's JSON report, for each seed pipeline.
#[test]
fn publishes_the_command_lines_findings_with_utf16_ranges() {
    let mut lsp = Lsp::start();
    for name in ["seed-harness-cloud.yaml", "seed-kubernetes.yaml"] {
        let (uri, text) = fixture(name);
        let published = lsp.open(&uri, &text);
        let path = fixtures().join(name);
        let (_, report) = hlint_tests::lint_json(&[path.to_str().unwrap()]);
        let cli: Vec<(String, u64, u64)> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let code = d["rule"].as_str().unwrap().to_owned();
                (
                    code,
                    d["line"].as_u64().unwrap() - 1,
                    d["column"].as_u64().unwrap() - 1,
                )
            })
            .collect();
        let ours: Vec<(String, u64, u64)> = published
            .iter()
            .map(|d| {
                let start = &d["range"]["start"];
                let code = d["code"].as_str().unwrap().to_owned();
                (
                    code,
                    start["line"].as_u64().unwrap(),
                    start["character"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(ours, cli, "{name}");
    }

    // HL206 at `Background_1`, with its page, its severity and the Background step as
    // related information.
    let (uri, text) = fixture("seed-harness-cloud.yaml");
    let published = lsp.open(&uri, &text);
    let host = find(&published, "HL206", 41).expect("HL206 on the psql line");
    assert_eq!(host["range"], range((41, 61), (41, 73)));
    assert_eq!(host["severity"], 1);
    assert_eq!(host["source"], "hlint");
    let href = host["codeDescription"]["href"].as_str().unwrap();
    assert!(href.ends_with("rules.md#hl206"), "{href}");
    let related = &host["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri.as_str());
    assert_eq!(related["location"]["range"], range((21, 40), (21, 52)));
    assert!(host["message"].as_str().unwrap().contains("Background_1"));

    // Columns count UTF-16 code units: an emoji is two, an accented letter one.
    let wide = text.replace(
        "psql -U postgres -d test1 -h Background_1",
        "echo \"😀é\" && psql -U postgres -d test1 -h Background_1",
    );
    let uri_wide = uri.replace(".yaml", "-wide.yaml");
    let published = lsp.open(&uri_wide, &wide);
    let host = find(&published, "HL206", 41).expect("HL206 on the psql line");
    let shift = "echo \"😀é\" && ".encode_utf16().count() as u64;
    assert_eq!(host["range"], range((41, 61 + shift), (41, 73 + shift)));
    lsp.shutdown();
}

#[test]
fn a_quick_fix_applied_removes_its_diagnostic() {
    let mut lsp = Lsp::start();
    let (uri, text) = fixture("seed-harness-cloud.yaml");
    let published = lsp.open(&uri, &text);
    let host = find(&published, "HL206", 41).unwrap().clone();
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": host["range"],
            "context": {"diagnostics": [host]},
        }),
    );
    let actions = actions.as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["isPreferred"] == true)
        .expect("a preferred quick fix for HL206");
    assert_eq!(fix["diagnostics"][0]["code"], "HL206");
    let edits = fix["edit"]["changes"][uri.as_str()]
        .as_array()
        .unwrap()
        .clone();
    let fixed = apply(&text, &edits);
    assert!(fixed.contains("-h localhost -p 5433"), "{fixed}");
    // The editor sends the edit as an incremental change.
    lsp.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": edits.iter().map(|e| json!({"range": e["range"], "text": e["newText"]})).collect::<Vec<_>>(),
        }),
    );
    let after = lsp.diagnostics(&uri, Some(2));
    assert!(find(&after, "HL206", 41).is_none(), "{after:?}");
    assert!(
        find(&after, "HL206", 67).is_some(),
        "the other service is still misnamed"
    );

    // "Ignore HL502 on this line" adds the suppression comment; the finding goes away and no
    // suppression finding comes.
    let entrypoint = find(&after, "HL502", 31).unwrap().clone();
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": entrypoint["range"],
            "context": {"diagnostics": [entrypoint]},
        }),
    );
    let ignore = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Ignore HL502 on this line")
        .expect("an ignore action");
    let edits = ignore["edit"]["changes"][uri.as_str()]
        .as_array()
        .unwrap()
        .clone();
    let ignored = apply(&fixed, &edits);
    assert!(
        ignored.contains("- docker-entrypoint.sh  # hlint: ignore[HL502]\n"),
        "{ignored}"
    );
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": ignored}]}),
    );
    let after = lsp.diagnostics(&uri, Some(3));
    assert!(find(&after, "HL502", 31).is_none(), "{after:?}");
    assert!(find(&after, "HL502", 57).is_some());
    assert!(!codes(&after).iter().any(|c| c == "HL010" || c == "HL011"));

    // Inside a block scalar a `#` is text: only the file-wide suppression is offered, and it
    // works. A second one is merged into the same comment.
    let host = find(&after, "HL206", 67).unwrap().clone();
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": host["range"], "context": {"diagnostics": [host]}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(!titles.contains(&"Ignore HL206 on this line"), "{titles:?}");
    let file_wide = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Ignore HL206 in this file")
        .unwrap();
    let edits = file_wide["edit"]["changes"][uri.as_str()]
        .as_array()
        .unwrap()
        .clone();
    let ignored = apply(&ignored, &edits);
    assert!(ignored.starts_with("# hlint: ignore-file[HL206]\n"));
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": ignored}]}),
    );
    let after = lsp.diagnostics(&uri, Some(4));
    assert!(!codes(&after).contains(&"HL206".to_owned()), "{after:?}");
    let password = after.iter().find(|d| d["code"] == "HL401").unwrap().clone();
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": password["range"], "context": {"diagnostics": [password]}}),
    );
    let merge = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Ignore HL401 in this file")
        .unwrap();
    let edits = merge["edit"]["changes"][uri.as_str()]
        .as_array()
        .unwrap()
        .clone();
    assert!(apply(&ignored, &edits).starts_with("# hlint: ignore-file[HL206, HL401]\n"));
    lsp.shutdown();
}

#[test]
fn edits_apply_in_order_with_incremental_and_full_sync() {
    let mut lsp = Lsp::start();
    let (uri, text) = fixture("seed-harness-cloud.yaml");
    lsp.open(&uri, &text);
    // Type `localhost` over `Background_1` one key at a time: delete, then insert each letter.
    let mut version = 1;
    let mut current = text.clone();
    let delete = json!({"range": range((41, 61), (41, 73)), "text": ""});
    version += 1;
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [delete]}),
    );
    current = apply(
        &current,
        &[json!({"range": range((41, 61), (41, 73)), "newText": ""})],
    );
    for (i, letter) in "localhost".chars().enumerate() {
        version += 1;
        let at = 61 + i as u64;
        let change = json!({"range": range((41, at), (41, at)), "text": letter.to_string()});
        current = apply(
            &current,
            &[json!({"range": range((41, at), (41, at)), "newText": letter.to_string()})],
        );
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
    }
    let after = lsp.diagnostics(&uri, Some(version));
    assert!(find(&after, "HL206", 41).is_none(), "{after:?}");
    // The server's text is the editor's: a hover on the new word sees it.
    let hover = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position(41, 63)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("`localhost`"), "{shown}");
    assert!(current.contains("-h localhost -p 5433"));

    // Several changes in one notification apply one after the other.
    version += 1;
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [
            {"range": range((41, 61), (41, 70)), "text": "Background_1"},
            {"range": range((67, 61), (67, 73)), "text": "localhost"},
        ]}),
    );
    let after = lsp.diagnostics(&uri, Some(version));
    assert!(find(&after, "HL206", 41).is_some());
    assert!(find(&after, "HL206", 67).is_none());

    // A whole-text change (full sync), then a syntax error: the YAML finding, nothing lost.
    version += 1;
    let broken = text.replace(
        "          cloneCodebase: false\n",
        "          cloneCodebase: [false\n",
    );
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": broken}]}),
    );
    let after = lsp.diagnostics(&uri, Some(version));
    assert!(
        codes(&after).iter().any(|c| c.starts_with("HL00")),
        "{after:?}"
    );

    // Closing clears the diagnostics.
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let cleared = lsp.closed(&uri);
    assert!(cleared.is_empty());
    lsp.shutdown();
}

#[test]
fn other_yaml_gets_nothing() {
    let mut lsp = Lsp::start();
    let uri = "file:///tmp/hlint-lsp-test/docker-compose.yaml";
    let published = lsp.open(uri, "services:\n  db:\n    image: postgres:16\n");
    assert!(published.is_empty(), "{published:?}");
    let broken = lsp.open("file:///tmp/hlint-lsp-test/broken.yaml", "a: [1\nb: 2\n");
    assert!(broken.is_empty(), "{broken:?}");
    let hover = lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position(2, 6)}),
    );
    assert_eq!(hover, Value::Null);
    lsp.shutdown();
}

/// A Harness Cloud pipeline whose services run in containers: names and outputs to complete.
const CLOUD: &str = "\
pipeline:
  name: p
  identifier: p
  stages:
    - stage:
        name: build
        identifier: build
        type: CI
        spec:
          cloneCodebase: false
          platform:
            os: Linux
            arch: Amd64
          runtime:
            type: Cloud
            spec: {}
          execution:
            steps:
              - step:
                  type: Background
                  name: db
                  identifier: db
                  spec:
                    image: postgres:16
                    envVariables:
                      POSTGRES_PASSWORD: <+secrets.getValue(\"pg\")>
              - step:
                  type: Run
                  name: version
                  identifier: version
                  spec:
                    image: alpine:3.20
                    shell: Sh
                    command: export VERSION=1.2.3
                    outputVariables:
                      - name: VERSION
              - step:
                  type: Run
                  name: test
                  identifier: test
                  spec:
                    image: postgres:16
                    shell: Sh
                    envVariables:
                      PGPASSWORD: <+secrets.getValue(\"pg\")>
                    command: |
                      pg_isready -h db -p 5432
                      echo <+steps.version.output.outputVariables.VERSION>
";

fn line_of(text: &str, needle: &str) -> (u64, u64) {
    for (index, line) in text.lines().enumerate() {
        if let Some(column) = line.find(needle) {
            return (index as u64, column as u64);
        }
    }
    panic!("`{needle}` is not in the text");
}

fn complete(lsp: &mut Lsp, uri: &str, text: &str, at: (u64, u64)) -> Vec<Value> {
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 99}, "contentChanges": [{"text": text}]}),
    );
    let result = lsp.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": position(at.0, at.1)}),
    );
    match result {
        Value::Array(items) => items,
        Value::Object(list) => list["items"].as_array().unwrap().clone(),
        _ => Vec::new(),
    }
}

fn labels(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn hover_explains_keys_services_and_findings() {
    let mut lsp = Lsp::start();
    let (uri, text) = fixture("seed-harness-cloud.yaml");
    lsp.open(&uri, &text);
    let hover = |lsp: &mut Lsp, line, character| {
        let result = lsp.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position(line, character)}),
        );
        result["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    // A key: what it means and what it allows.
    let shell = hover(&mut lsp, 25, 32);
    assert!(shell.contains("**`shell`**"), "{shell}");
    assert!(
        shell.contains("`Sh`, `Bash`, `Powershell`, `Pwsh`, `Python`"),
        "{shell}"
    );
    // A Background step's identifier: where the service runs, its port, the names to use.
    let service = hover(&mut lsp, 21, 45);
    assert!(
        service.contains("Background step `Background_1`"),
        "{service}"
    );
    assert!(service.contains("PostgreSQL"), "{service}");
    assert!(service.contains("Harness Cloud"), "{service}");
    assert!(
        service.contains("directly on the build machine"),
        "{service}"
    );
    assert!(service.contains("`5433`"), "{service}");
    assert!(service.contains("`localhost`"), "{service}");
    // A finding: the rule's page.
    let finding = hover(&mut lsp, 41, 65);
    assert!(finding.contains("**HL206**"), "{finding}");
    assert!(finding.contains("## What it does"), "{finding}");
    lsp.shutdown();
}

#[test]
fn completion_offers_keys_values_hosts_and_step_paths() {
    let mut lsp = Lsp::start();
    let uri = "file:///tmp/hlint-lsp-test/cloud.yaml";
    let published = lsp.open(uri, CLOUD);
    assert!(
        !codes(&published).iter().any(|c| c == "HL206"),
        "{published:?}"
    );

    // A host after `-h `: the Background step's container name, with its port.
    let text = CLOUD.replace("pg_isready -h db -p 5432", "pg_isready -h ");
    let (line, column) = line_of(&text, "pg_isready -h ");
    let items = complete(&mut lsp, uri, &text, (line, column + 14));
    assert_eq!(labels(&items), ["db"]);
    let detail = items[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("5432") && detail.contains("PostgreSQL"),
        "{detail}"
    );
    // In a URI too.
    let text = CLOUD.replace("pg_isready -h db -p 5432", "psql postgresql://postgres@d");
    let (line, column) = line_of(&text, "postgresql://postgres@d");
    let items = complete(&mut lsp, uri, &text, (line, column + 23));
    assert_eq!(labels(&items), ["db"]);

    // `<+steps.`: the stage's steps; then a step's output variables.
    let text = CLOUD.replace(
        "echo <+steps.version.output.outputVariables.VERSION>",
        "echo <+steps.",
    );
    let (line, column) = line_of(&text, "echo <+steps.");
    let items = complete(&mut lsp, uri, &text, (line, column + 13));
    assert_eq!(labels(&items), ["db", "version", "test"]);
    let text = CLOUD.replace(
        "echo <+steps.version.output.outputVariables.VERSION>",
        "echo <+steps.version.",
    );
    let (line, column) = line_of(&text, "echo <+steps.version.");
    let items = complete(&mut lsp, uri, &text, (line, column + 21));
    assert_eq!(labels(&items), ["output.outputVariables.VERSION"]);

    // Values: step types, `shell`, `imagePullPolicy`.
    let text = CLOUD.replace("type: Background", "type: Backg");
    let (line, column) = line_of(&text, "type: Backg");
    let items = complete(&mut lsp, uri, &text, (line, column + 11));
    let values = labels(&items);
    assert!(
        values.contains(&"Background".to_owned()) && values.contains(&"Run".to_owned()),
        "{values:?}"
    );
    let text = CLOUD.replace(
        "image: alpine:3.20\n",
        "image: alpine:3.20\n                    imagePullPolicy: \n",
    );
    let (line, column) = line_of(&text, "imagePullPolicy: ");
    let items = complete(&mut lsp, uri, &text, (line, column + 17));
    assert_eq!(labels(&items), ["Always", "Never", "IfNotPresent"]);

    // Keys of the object at the cursor, without those already there; also on a line the YAML
    // reader could not read (a key half typed).
    let text = CLOUD.replace(
        "                    shell: Sh\n                    envVariables",
        "                    shell: Sh\n                    \n                    envVariables",
    );
    let (line, _) = line_of(&text, "PGPASSWORD");
    let items = complete(&mut lsp, uri, &text, (line - 2, 20));
    let keys = labels(&items);
    assert!(keys.contains(&"imagePullPolicy".to_owned()), "{keys:?}");
    assert!(keys.contains(&"outputVariables".to_owned()), "{keys:?}");
    assert!(
        !keys.contains(&"shell".to_owned()) && !keys.contains(&"command".to_owned()),
        "{keys:?}"
    );
    let text = CLOUD.replace(
        "                  name: test\n",
        "                  name: test\n                  time\n",
    );
    let (line, column) = line_of(&text, "                  time");
    let items = complete(&mut lsp, uri, &text, (line, column + 22));
    let keys = labels(&items);
    assert!(
        keys.contains(&"timeout".to_owned()) && keys.contains(&"when".to_owned()),
        "{keys:?}"
    );
    assert!(!keys.contains(&"name".to_owned()), "{keys:?}");
    // A new list item under `steps`: what a `steps` item holds.
    let text = CLOUD.replace("              - step:\n                  type: Run\n                  name: version", "              - \n              - step:\n                  type: Run\n                  name: version");
    let lines: Vec<&str> = text.lines().collect();
    let blank = lines.iter().position(|l| *l == "              - ").unwrap() as u64;
    let items = complete(&mut lsp, uri, &text, (blank, 16));
    let keys = labels(&items);
    assert_eq!(keys, ["step", "stepGroup", "parallel"], "{keys:?}");
    lsp.shutdown();
}

#[test]
fn definition_references_and_symbols() {
    let mut lsp = Lsp::start();
    let uri = "file:///tmp/hlint-lsp-test/cloud.yaml";
    lsp.open(uri, CLOUD);
    let (db_line, db_column) = line_of(CLOUD, "identifier: db");
    let db = range((db_line, db_column + 12), (db_line, db_column + 14));
    let (version_line, version_column) = line_of(CLOUD, "identifier: version");
    let version = range(
        (version_line, version_column + 12),
        (version_line, version_column + 19),
    );

    // From a host in a command to the Background step.
    let (line, column) = line_of(CLOUD, "-h db");
    let found = lsp.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": position(line, column + 4)}),
    );
    assert_eq!(found["uri"], uri);
    assert_eq!(found["range"], db);
    // From `<+steps.version...>` to the step, and from the variable's name to its declaration.
    let (line, column) = line_of(CLOUD, "<+steps.version");
    let found = lsp.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": position(line, column + 10)}),
    );
    assert_eq!(found["range"], version);
    let (variable_line, variable_column) = line_of(CLOUD, "- name: VERSION");
    let found = lsp.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": position(line, column + 46)}),
    );
    assert_eq!(
        found["range"],
        range(
            (variable_line, variable_column + 8),
            (variable_line, variable_column + 15)
        )
    );

    // From a step to its uses.
    let uses = lsp.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": position(db_line, db_column + 13), "context": {"includeDeclaration": true}}),
    );
    let (host_line, host_column) = line_of(CLOUD, "-h db");
    assert_eq!(
        uses.as_array()
            .unwrap()
            .iter()
            .map(|l| l["range"].clone())
            .collect::<Vec<_>>(),
        vec![
            db,
            range((host_line, host_column + 3), (host_line, host_column + 5))
        ]
    );
    let uses = lsp.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": position(version_line, version_column + 14), "context": {"includeDeclaration": false}}),
    );
    let (line, column) = line_of(CLOUD, "<+steps.version");
    assert_eq!(
        uses.as_array()
            .unwrap()
            .iter()
            .map(|l| l["range"].clone())
            .collect::<Vec<_>>(),
        vec![range((line, column + 8), (line, column + 15))]
    );

    // The outline: stages, step groups, steps.
    let (uri_seed, text) = fixture("seed-harness-cloud.yaml");
    lsp.open(&uri_seed, &text);
    let symbols = lsp.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri_seed}}),
    );
    fn outline(symbols: &Value) -> Vec<String> {
        symbols
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let children = outline(&s["children"]);
                if children.is_empty() {
                    s["name"].as_str().unwrap().to_owned()
                } else {
                    format!("{}[{}]", s["name"].as_str().unwrap(), children.join(" "))
                }
            })
            .collect()
    }
    assert_eq!(
        outline(&symbols),
        ["build[sg1[Background_1 Run_1] sg2[Background_2 Run_2] Run_3]"]
    );
    assert_eq!(symbols[0]["detail"], "CI stage");
    assert_eq!(
        symbols[0]["children"][0]["children"][0]["detail"],
        "Background step"
    );
    lsp.shutdown();
}

/// `hlint.toml` from the document's folder upward, read again when it changes.
#[test]
fn configuration_is_found_and_reloaded() {
    let folder = tempfile::tempdir().unwrap();
    let nested = folder.path().join(".harness/ci");
    std::fs::create_dir_all(&nested).unwrap();
    let config = folder.path().join("hlint.toml");
    std::fs::write(&config, "ignore = [\"HL206\"]\n").unwrap();
    let pipeline: PathBuf = nested.join("pipeline.yaml");
    let (_, text) = fixture("seed-harness-cloud.yaml");
    std::fs::write(&pipeline, &text).unwrap();
    let uri = uri_of(&pipeline);

    let mut lsp = Lsp::start_with(
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        json!(null),
    );
    let published = lsp.open(&uri, &text);
    assert!(
        !codes(&published).contains(&"HL206".to_owned()),
        "{published:?}"
    );
    assert!(codes(&published).contains(&"HL502".to_owned()));

    // The configuration changes: the editor says so, the document is linted again.
    std::fs::write(&config, "ignore = [\"HL502\"]\n").unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&config), "type": 2}]}),
    );
    let published = lsp.diagnostics(&uri, None);
    assert!(
        codes(&published).contains(&"HL206".to_owned()),
        "{published:?}"
    );
    assert!(!codes(&published).contains(&"HL502".to_owned()));

    // A broken configuration: one finding says so, and nothing is checked.
    std::fs::write(&config, "ignore = [\"unknwn-key\"]\n").unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&config), "type": 2}]}),
    );
    let published = lsp.diagnostics(&uri, None);
    assert_eq!(published.len(), 1, "{published:?}");
    let message = published[0]["message"].as_str().unwrap();
    assert!(message.contains("hlint.toml:1:"), "{message}");
    assert!(message.contains("did you mean `unknown-key`"), "{message}");

    // Without a watcher event, the next edit reads it again as well.
    std::fs::remove_file(&config).unwrap();
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let published = lsp.diagnostics(&uri, Some(2));
    assert!(
        codes(&published).contains(&"HL206".to_owned()),
        "{published:?}"
    );
    assert!(codes(&published).contains(&"HL502".to_owned()));
    lsp.shutdown();
}

/// 300 keystrokes sent without waiting (some of them two UTF-16 units wide): the server's
/// text ends up exactly the editor's, which "apply every safe fix" shows whole.
#[test]
fn rapid_edits_arrive_in_order() {
    let mut lsp = Lsp::start();
    let uri = "file:///tmp/hlint-lsp-test/rapid.yaml";
    let text = CLOUD.replace("shell: Sh", "shell: sh");
    let published = lsp.open(uri, &text);
    assert!(codes(&published).contains(&"HL104".to_owned()));
    let last_line = text.lines().count() as u64;
    let mut current = text.clone();
    let mut column = 0u64;
    let mut version = 1;
    let letters = ['a', 'é', '😀', 'z', ' ', '#'];
    for i in 0..300 {
        let letter = if i == 0 {
            '#'
        } else {
            letters[i % letters.len()]
        };
        version += 1;
        let change = json!({"range": range((last_line, column), (last_line, column)), "text": letter.to_string()});
        current = apply(
            &current,
            &[json!({"range": change["range"], "newText": letter.to_string()})],
        );
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        column += letter.len_utf16() as u64;
    }
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": range((0, 0), (0, 0)),
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        }),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.hlint");
    let edits = actions[0]["edit"]["changes"][uri]
        .as_array()
        .unwrap()
        .clone();
    let fixed = apply(&current, &edits);
    assert_eq!(fixed, current.replace("shell: sh", "shell: Sh"));
    assert!(fixed.ends_with("aé😀z #aé😀z #"), "{fixed}");
    let after = lsp.diagnostics(uri, Some(version));
    assert!(codes(&after).contains(&"HL104".to_owned()));
    lsp.shutdown();
}
