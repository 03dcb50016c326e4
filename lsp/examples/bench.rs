//! Benchmark of `hlint lsp`: the time from `didChange` to `publishDiagnostics` on a generated
//! 5,000-line pipeline, and the server's memory over 1,000 edits.
//!
//! ```sh
//! cargo run --release -p hlint-lsp --example bench            # 1,000 edits
//! cargo run --release -p hlint-lsp --example bench -- 200     # fewer
//! ```
//!
//! The server runs in this process (the same code `hlint lsp` runs), spoken to over an
//! in-memory pipe; the memory figures are this process's resident set (Linux: /proc).

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// A Harness Cloud pipeline of `stages` CI stages, each with a Background PostgreSQL, a
/// health check and Run steps, padded with Run steps to about `lines` lines.
fn pipeline(lines: usize) -> String {
    let mut out = String::from(
        "pipeline:\n  name: bench\n  identifier: bench\n  projectIdentifier: p\n  orgIdentifier: o\n  stages:\n",
    );
    let mut stage = 0;
    while out.lines().count() < lines {
        stage += 1;
        out.push_str(&format!(
            "    - stage:
        name: stage {stage}
        identifier: stage_{stage}
        type: CI
        spec:
          cloneCodebase: false
          platform:
            os: Linux
            arch: Amd64
          runtime:
            type: Cloud
            spec: {{}}
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
                      POSTGRES_DB: app
              - step:
                  type: Run
                  name: wait
                  identifier: wait
                  spec:
                    image: postgres:16
                    shell: Sh
                    command: |
                      until pg_isready -h db -p 5432; do sleep 1; done
"
        ));
        for step in 0..40 {
            out.push_str(&format!(
                "              - step:
                  type: Run
                  name: step {step}
                  identifier: step_{step}
                  spec:
                    image: alpine:3.20
                    shell: Sh
                    envVariables:
                      PGPASSWORD: <+secrets.getValue(\"pg\")>
                    command: |
                      echo \"step {step} of stage {stage}\"
                      psql -h db -U postgres -d app -c 'select {step}'
"
            ));
        }
    }
    out
}

struct Client {
    writer: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    reader: BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>,
    next_id: i64,
}

impl Client {
    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer.write_all(frame.as_bytes()).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    async fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).await.unwrap();
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length:") {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let message = self.receive().await;
            if message["id"] == id {
                return message;
            }
        }
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Waits for the diagnostics of `version`; returns how many there were.
    async fn published(&mut self, version: i64) -> usize {
        loop {
            let message = self.receive().await;
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["version"] == version
            {
                return message["params"]["diagnostics"].as_array().unwrap().len();
            }
        }
    }
}

/// This process's resident memory and its peak, in KiB.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn summary(name: &str, unit: &str, times: &mut [Duration]) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{name}: {} {unit}, median {:.1} ms, mean {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        times.len(),
        at(0.5).as_secs_f64() * 1e3,
        mean.as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3,
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let edits: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let text = pipeline(5000);
    let line_count = text.lines().count();

    let (client_side, server_side) = tokio::io::duplex(1 << 20);
    let (server_read, server_write) = tokio::io::split(server_side);
    tokio::spawn(hlint_lsp::serve(server_read, server_write));
    let (reader, writer) = tokio::io::split(client_side);
    let mut client = Client {
        writer,
        reader: BufReader::new(reader),
        next_id: 0,
    };
    client
        .request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        )
        .await;
    client.notify("initialized", json!({})).await;

    // The lint alone, for comparison: what the server adds is the rest.
    let mut lint_times = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        let report = hlint_rules::lint_source(
            text.as_bytes(),
            hlint_rules::Origin::Named,
            &hlint_rules::LintOptions::default(),
        );
        std::hint::black_box(report);
        lint_times.push(started.elapsed());
    }
    summary("lint_source alone (no server)", "runs", &mut lint_times);

    let uri = "file:///tmp/hlint-bench/pipeline.yaml";
    let started = Instant::now();
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        )
        .await;
    let findings = client.published(1).await;
    println!(
        "pipeline: {line_count} lines, {} bytes, {findings} findings; didOpen -> publishDiagnostics {:.1} ms",
        text.len(),
        started.elapsed().as_secs_f64() * 1e3
    );

    // Each edit types one character into a step's name, or deletes it again, near the end
    // of the file; the next waits for the diagnostics of the one before.
    let target = text.rfind("name: step 39").unwrap() + "name: step 39".len();
    let prefix = &text[..target];
    let line = prefix.matches('\n').count() as u64;
    let character = (target - prefix.rfind('\n').map_or(0, |i| i + 1)) as u64;
    let (rss_open, _) = memory();
    let mut times = Vec::with_capacity(edits);
    let mut rss_after_100 = 0;
    for i in 0..edits {
        let version = 2 + i as i64;
        let change = if i % 2 == 0 {
            json!({"range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}, "text": "x"})
        } else {
            json!({"range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character + 1}}, "text": ""})
        };
        let sent = Instant::now();
        client
            .notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
            )
            .await;
        client.published(version).await;
        times.push(sent.elapsed());
        if i + 1 == 100 {
            rss_after_100 = memory().0;
        }
    }
    summary("didChange -> publishDiagnostics", "edits", &mut times);
    let (rss_end, peak) = memory();
    println!(
        "memory (resident): {} KiB after open, {} KiB after 100 edits, {} KiB after {edits} edits (peak {} KiB)",
        rss_open, rss_after_100, rss_end, peak
    );

    // Requests on the big file.
    let mut hover_times = Vec::new();
    let mut completion_times = Vec::new();
    for _ in 0..20 {
        let sent = Instant::now();
        client
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 20}}),
            )
            .await;
        hover_times.push(sent.elapsed());
        let sent = Instant::now();
        client
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": uri}, "position": {"line": line + 1, "character": 18}}),
            )
            .await;
        completion_times.push(sent.elapsed());
    }
    summary("hover", "requests", &mut hover_times);
    summary("completion", "requests", &mut completion_times);
    client.request("shutdown", json!(null)).await;
    client.notify("exit", json!(null)).await;
}
