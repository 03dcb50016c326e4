//! `hlint lsp`: hlint's language server, over standard input and output.
//!
//! - Diagnostics on open, change and save, for the text as typed, with the same rules,
//!   configuration (`hlint.toml` from the document's folder upward) and suppressions as the
//!   command line; only Harness pipelines are analysed.
//! - Code actions (every fix, "ignore on this line", "ignore in this file", fix all), hover,
//!   completion, go to definition, references and document symbols.
//!
//! Each open document has one owner task that applies its edits in order and lints
//! (`document`); the features read a snapshot of it (`query`).

mod actions;
mod completion;
mod config;
mod convert;
mod document;
mod fields;
mod hover;
mod navigation;
mod query;
mod schema;
mod server;
mod symbols;
mod tree;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

pub use server::Backend;

/// Serves LSP on `input` and `output` until the editor says `exit` or closes the stream.
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let (service, socket) = LspService::new(Backend::new);
    Server::new(input, output, socket).serve(service).await;
}

/// `hlint lsp`: serves on standard input and output; the exit status.
pub fn run_stdio() -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hlint lsp: cannot start: {error}");
            return 2;
        }
    };
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // Blocking reads of stdin may still be pending; do not wait for them.
    runtime.shutdown_background();
    0
}
