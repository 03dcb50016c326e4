//! Open documents. Each has one owner, a task that receives the document's notifications in
//! the order the editor sent them (the server forwards them before its handlers first wait),
//! applies every edit to its text, lints the result and publishes the diagnostics. Requests
//! (hover, completion...) ask the owner for a snapshot, which it answers after the edits
//! received before them, so that a request always sees the text the editor had.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use hlint_rules::{lint_source_at, Config, Diagnostic, LintOptions, Origin};
use hlint_schema::model::{self, Pipeline};
use hlint_schema::yaml::{load_str, LoadLimits, LoadedYaml};
use hlint_schema::LineIndex;
use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, Location, MessageType, Position, Range,
    TextDocumentContentChangeEvent, Uri,
};
use tower_lsp_server::Client;

use crate::config::Configs;
use crate::convert::{self, file_path, DocsBase, Text};
use crate::tree::Parents;

/// What the document owners share: the way to the editor and the configurations.
pub struct Shared {
    pub client: Client,
    pub configs: Configs,
    pub docs: RwLock<DocsBase>,
    /// The workspace's folder, for documents that are not files.
    pub root: RwLock<Option<PathBuf>>,
}

/// The text of a document at one version, with what hlint found in it.
pub struct Snapshot {
    pub uri: Uri,
    pub open: bool,
    pub text: String,
    pub lines: LineIndex,
    /// hlint's findings, after configuration and suppressions (empty when not checked).
    pub diagnostics: Vec<Diagnostic>,
    /// True when the document is a Harness pipeline (the only documents hlint analyses).
    pub checked: bool,
    /// The configuration it was linted with, and its file (per-file ignores match it).
    pub config: Arc<Config>,
    pub path: Option<PathBuf>,
    parsed: OnceLock<Parsed>,
}

/// The YAML tree and the typed model of a snapshot, built when a request first needs them.
pub struct Parsed {
    pub loaded: LoadedYaml,
    pub pipeline: Option<Pipeline>,
    pub parents: Parents,
}

impl Snapshot {
    fn empty(uri: Uri) -> Self {
        Snapshot {
            uri,
            open: false,
            text: String::new(),
            lines: LineIndex::new(""),
            diagnostics: Vec::new(),
            checked: false,
            config: Arc::default(),
            path: None,
            parsed: OnceLock::new(),
        }
    }

    pub fn text(&self) -> Text<'_> {
        Text {
            text: &self.text,
            lines: &self.lines,
        }
    }

    pub fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            let loaded = load_str(&self.text, LoadLimits::default());
            let pipeline = model::build(&loaded.tree);
            let parents = Parents::new(&loaded.tree);
            Parsed {
                loaded,
                pipeline,
                parents,
            }
        })
    }
}

/// A message to a document's owner.
pub enum DocMsg {
    Open {
        text: String,
        version: i32,
    },
    Change {
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    },
    Save {
        text: Option<String>,
    },
    /// Lint again (the configuration changed).
    Relint,
    Snapshot(oneshot::Sender<Arc<Snapshot>>),
    Close,
}

/// Every document the editor opened, by URI.
pub struct Documents {
    owners: Mutex<HashMap<Uri, mpsc::UnboundedSender<DocMsg>>>,
    pub shared: Arc<Shared>,
}

impl Documents {
    pub fn new(shared: Arc<Shared>) -> Self {
        Documents {
            owners: Mutex::new(HashMap::new()),
            shared,
        }
    }

    /// Hands `message` to the owner of `uri` (starting one for a new document). Never waits,
    /// so messages reach owners in the order this is called.
    pub fn send(&self, uri: &Uri, message: DocMsg) {
        let mut owners = self.owners.lock().unwrap_or_else(|p| p.into_inner());
        let mut message = message;
        if let Some(owner) = owners.get(uri) {
            match owner.send(message) {
                Ok(()) => return,
                // The owner is gone (it failed): a new one takes an `Open`.
                Err(error) => {
                    owners.remove(uri);
                    message = error.0;
                }
            }
        }
        if !matches!(message, DocMsg::Open { .. }) {
            return;
        }
        let (sender, receiver) = mpsc::unbounded_channel();
        let _ = sender.send(message);
        owners.insert(uri.clone(), sender);
        tokio::spawn(own(uri.clone(), receiver, self.shared.clone()));
    }

    /// The document as it is after every message sent so far.
    pub async fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let (reply, answer) = oneshot::channel();
        {
            let owners = self.owners.lock().unwrap_or_else(|p| p.into_inner());
            owners.get(uri)?.send(DocMsg::Snapshot(reply)).ok()?;
        }
        answer.await.ok().filter(|snapshot| snapshot.open)
    }

    /// Asks every open document to be linted again.
    pub fn relint_all(&self) {
        let owners = self.owners.lock().unwrap_or_else(|p| p.into_inner());
        for owner in owners.values() {
            let _ = owner.send(DocMsg::Relint);
        }
    }
}

/// The owner of one document.
async fn own(uri: Uri, mut inbox: mpsc::UnboundedReceiver<DocMsg>, shared: Arc<Shared>) {
    let mut text = String::new();
    let mut version = 0;
    let mut open = false;
    let mut dirty = false;
    let mut current = Arc::new(Snapshot::empty(uri.clone()));
    while let Some(first) = inbox.recv().await {
        // Everything that arrived meanwhile is applied before linting once.
        let mut batch = vec![first];
        while let Ok(next) = inbox.try_recv() {
            batch.push(next);
        }
        for message in batch {
            match message {
                DocMsg::Open {
                    text: new_text,
                    version: new_version,
                } => {
                    text = new_text;
                    version = new_version;
                    open = true;
                    dirty = true;
                }
                DocMsg::Change {
                    version: new_version,
                    changes,
                } if open => {
                    for change in changes {
                        apply_change(&mut text, change);
                    }
                    version = new_version;
                    dirty = true;
                }
                DocMsg::Save { text: saved } if open => {
                    if let Some(saved) = saved {
                        text = saved;
                    }
                    dirty = true;
                }
                DocMsg::Relint if open => dirty = true,
                DocMsg::Snapshot(reply) => {
                    if dirty {
                        current = lint_and_publish(&uri, &text, version, &shared, current).await;
                        dirty = false;
                    }
                    let _ = reply.send(current.clone());
                }
                DocMsg::Close => {
                    open = false;
                    dirty = false;
                    text = String::new();
                    current = Arc::new(Snapshot::empty(uri.clone()));
                    shared
                        .client
                        .publish_diagnostics(uri.clone(), Vec::new(), None)
                        .await;
                }
                DocMsg::Change { .. } | DocMsg::Save { .. } | DocMsg::Relint => {}
            }
        }
        if dirty {
            current = lint_and_publish(&uri, &text, version, &shared, current).await;
            dirty = false;
        }
    }
}

/// Applies one change: a range replaced (incremental sync) or the whole text (full sync).
pub fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let lines = LineIndex::new(text);
            let span = Text {
                text,
                lines: &lines,
            }
            .span(range);
            text.replace_range(span.start..span.end, &change.text);
        }
    }
}

/// Lints the text (on a blocking thread), publishes what was found and returns the snapshot.
async fn lint_and_publish(
    uri: &Uri,
    text: &str,
    version: i32,
    shared: &Arc<Shared>,
    previous: Arc<Snapshot>,
) -> Arc<Snapshot> {
    let job = {
        let uri = uri.clone();
        let text = text.to_owned();
        let shared = shared.clone();
        tokio::task::spawn_blocking(move || lint(uri, text, &shared))
    };
    match job.await {
        Ok((snapshot, diagnostics)) => {
            let snapshot = Arc::new(snapshot);
            shared
                .client
                .publish_diagnostics(uri.clone(), diagnostics, Some(version))
                .await;
            snapshot
        }
        Err(error) => {
            shared
                .client
                .log_message(
                    MessageType::ERROR,
                    format!("hlint failed on {}: {error}", uri.as_str()),
                )
                .await;
            previous
        }
    }
}

/// The folder whose configuration applies to a document.
fn folder_of(path: Option<&Path>, shared: &Shared) -> PathBuf {
    if let Some(parent) = path.and_then(Path::parent) {
        return parent.to_path_buf();
    }
    let root = shared
        .root
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    root.unwrap_or_else(|| convert::working_folder().to_path_buf())
}

/// Lints one version of a document: the snapshot and the diagnostics to publish.
pub fn lint(uri: Uri, text: String, shared: &Shared) -> (Snapshot, Vec<lsp::Diagnostic>) {
    let path = file_path(&uri);
    let folder = folder_of(path.as_deref(), shared);
    let config = shared.configs.for_folder(&folder);
    let options = LintOptions {
        config: config.clone().unwrap_or_default(),
        ..LintOptions::default()
    };
    let mut report = lint_source_at(text.into_bytes(), Origin::Named, &options, path.as_deref());
    let checked = report.checked;
    let lines = report.take_lines();
    let mut snapshot = Snapshot {
        uri: uri.clone(),
        open: true,
        text: report.text,
        lines,
        diagnostics: if checked {
            report.diagnostics
        } else {
            Vec::new()
        },
        checked,
        config: options.config.clone(),
        path: path.clone(),
        parsed: OnceLock::new(),
    };
    let docs = shared
        .docs
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let published = match &config {
        _ if !checked => Vec::new(),
        Ok(_) => snapshot
            .diagnostics
            .iter()
            .map(|finding| convert::diagnostic(snapshot.text(), &uri, &docs, finding))
            .collect(),
        Err(error) => {
            // Like the command line, hlint checks nothing until its configuration is fixed.
            snapshot.diagnostics.clear();
            vec![config_problem(&snapshot, error)]
        }
    };
    (snapshot, published)
}

/// A configuration that cannot be read, shown on the document's first line.
fn config_problem(snapshot: &Snapshot, error: &hlint_rules::ConfigError) -> lsp::Diagnostic {
    let first_line = snapshot.lines.line_span(&snapshot.text, 0);
    let related =
        Uri::from_file_path(std::path::absolute(&error.path).unwrap_or_default()).map(|uri| {
            let (line, column) = error.position.unwrap_or((1, 1));
            let at = Position {
                line: line.saturating_sub(1) as u32,
                character: column.saturating_sub(1) as u32,
            };
            vec![DiagnosticRelatedInformation {
                location: Location {
                    uri,
                    range: Range { start: at, end: at },
                },
                message: error.message.clone(),
            }]
        });
    lsp::Diagnostic {
        range: snapshot.text().range(first_line),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        source: Some("hlint".to_owned()),
        message: format!("hlint's configuration cannot be used, so nothing was checked: {error}"),
        related_information: related,
        ..lsp::Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|(start, end)| Range {
                start: Position::new(start.0, start.1),
                end: Position::new(end.0, end.1),
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn changes_use_utf16_positions() {
        let mut text = "a: \"😀x\"\nb: 1\n".to_owned();
        // `x` is at UTF-16 column 6 (the emoji takes two units).
        apply_change(&mut text, change(Some(((0, 6), (0, 7))), "y"));
        assert_eq!(text, "a: \"😀y\"\nb: 1\n");
        apply_change(&mut text, change(Some(((1, 3), (1, 4))), "22"));
        assert_eq!(text, "a: \"😀y\"\nb: 22\n");
        // Past the end of a line: its end; past the last line: the end of the text.
        apply_change(&mut text, change(Some(((1, 99), (1, 99))), " # c"));
        assert_eq!(text, "a: \"😀y\"\nb: 22 # c\n");
        apply_change(&mut text, change(Some(((9, 0), (9, 0))), "c: 3\n"));
        assert_eq!(text, "a: \"😀y\"\nb: 22 # c\nc: 3\n");
        apply_change(&mut text, change(None, "whole"));
        assert_eq!(text, "whole");
    }
}
