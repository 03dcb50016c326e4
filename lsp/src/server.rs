//! The language server: protocol messages in, document owners and features out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::actions::{self, FIX_ALL};
use crate::completion;
use crate::config::{is_config_file, Configs};
use crate::convert::{file_path, DocsBase};
use crate::document::{DocMsg, Documents, Shared, Snapshot};
use crate::hover;
use crate::navigation;
use crate::symbols;

pub struct Backend {
    documents: Documents,
    /// The editor can watch `hlint.toml` files for us (dynamic registration).
    watch_configs: AtomicBool,
}

impl Backend {
    pub fn new(client: Client) -> Self {
        let shared = Arc::new(Shared {
            client,
            configs: Configs::default(),
            docs: RwLock::new(DocsBase::default()),
            root: RwLock::new(None),
        });
        Backend {
            documents: Documents::new(shared),
            watch_configs: AtomicBool::new(false),
        }
    }

    fn client(&self) -> &Client {
        &self.documents.shared.client
    }

    fn docs(&self) -> DocsBase {
        self.documents
            .shared
            .docs
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Runs `feature` on the document's current snapshot, off the protocol's threads.
    async fn with_snapshot<T: Send + 'static>(
        &self,
        uri: &Uri,
        feature: impl FnOnce(&Snapshot) -> Option<T> + Send + 'static,
    ) -> Option<T> {
        let snapshot = self.documents.snapshot(uri).await?;
        tokio::task::spawn_blocking(move || feature(&snapshot))
            .await
            .ok()
            .flatten()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let shared = &self.documents.shared;
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .map(|folder| &folder.uri)
            .or(params.root_uri.as_ref())
            .and_then(file_path);
        *shared.root.write().unwrap_or_else(|p| p.into_inner()) = root;
        let options = params.initialization_options.unwrap_or_default();
        if let Some(url) = options.get("docsUrl").and_then(|v| v.as_str()) {
            *shared.docs.write().unwrap_or_else(|p| p.into_inner()) = DocsBase::new(url);
        }
        let full_sync = options.get("sync").and_then(|v| v.as_str()) == Some("full");
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        self.watch_configs.store(watch, Ordering::Relaxed);
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "hlint".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(PositionEncodingKind::UTF16),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(if full_sync {
                            TextDocumentSyncKind::FULL
                        } else {
                            TextDocumentSyncKind::INCREMENTAL
                        }),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(
                        [".", " ", "=", "/", "@", ":"]
                            .iter()
                            .map(|c| c.to_string())
                            .collect(),
                    ),
                    ..CompletionOptions::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::new(FIX_ALL),
                        ]),
                        ..CodeActionOptions::default()
                    },
                )),
                ..ServerCapabilities::default()
            },
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if !self.watch_configs.load(Ordering::Relaxed) {
            return;
        }
        let watchers = ["**/hlint.toml", "**/.hlint.toml"]
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "hlint-config-files".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(error) = self.client().register_capability(vec![registration]).await {
            self.client()
                .log_message(
                    MessageType::WARNING,
                    format!("hlint: cannot watch hlint.toml files ({error}); they are read again on every change instead"),
                )
                .await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    // Notifications are handed to the document's owner before any `.await`, so that they
    // reach it in the order the editor sent them.

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        self.documents.send(
            &document.uri,
            DocMsg::Open {
                text: document.text,
                version: document.version,
            },
        );
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.documents.send(
            &params.text_document.uri,
            DocMsg::Change {
                version: params.text_document.version,
                changes: params.content_changes,
            },
        );
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        self.documents.send(
            &params.text_document.uri,
            DocMsg::Save { text: params.text },
        );
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.documents
            .send(&params.text_document.uri, DocMsg::Close);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let configs_changed = params
            .changes
            .iter()
            .any(|change| file_path(&change.uri).is_some_and(|path| is_config_file(&path)));
        if configs_changed {
            self.documents.shared.configs.invalidate();
            self.documents.relint_all();
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params.position;
        let uri = params.text_document_position_params.text_document.uri;
        Ok(self
            .with_snapshot(&uri, move |snapshot| hover::hover(snapshot, position))
            .await)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position.position;
        let uri = params.text_document_position.text_document.uri;
        Ok(self
            .with_snapshot(&uri, move |snapshot| {
                let items = completion::complete(snapshot, position);
                Some(CompletionResponse::Array(items))
            })
            .await)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params.position;
        let uri = params.text_document_position_params.text_document.uri;
        Ok(self
            .with_snapshot(&uri, move |snapshot| {
                navigation::definition(snapshot, position).map(GotoDefinitionResponse::Scalar)
            })
            .await)
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let position = params.text_document_position.position;
        let uri = params.text_document_position.text_document.uri;
        let include = params.context.include_declaration;
        Ok(self
            .with_snapshot(&uri, move |snapshot| {
                navigation::references(snapshot, position, include)
            })
            .await)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(self
            .with_snapshot(&params.text_document.uri, |snapshot| {
                Some(DocumentSymbolResponse::Nested(symbols::symbols(snapshot)))
            })
            .await)
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let docs = self.docs();
        let range = params.range;
        let only = params.context.only;
        Ok(self
            .with_snapshot(&params.text_document.uri, move |snapshot| {
                Some(actions::code_actions(
                    snapshot,
                    range,
                    only.as_deref(),
                    &docs,
                ))
            })
            .await)
    }
}
