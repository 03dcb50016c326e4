// hlint's language server (`hlint lsp`) in VS Code: diagnostics as you type in Harness CI
// pipeline YAML, quick fixes, hover, completion, go to definition, references and the
// outline. The server decides what is a Harness pipeline: other YAML files get nothing.
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

function createClient(): LanguageClient {
  const config = vscode.workspace.getConfiguration('hlint');
  const command = config.get<string>('path') || 'hlint';
  const docsUrl = config.get<string>('docsUrl') || undefined;
  const serverOptions: ServerOptions = {
    command,
    args: ['lsp'],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    // hlint.toml is read again when it changes.
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{hlint.toml,.hlint.toml}'),
    },
    initializationOptions: docsUrl ? { docsUrl } : undefined,
  };
  return new LanguageClient('hlint', 'hlint', serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  client = createClient();
  context.subscriptions.push(
    vscode.commands.registerCommand('hlint.restartServer', async () => {
      await client?.stop();
      client = createClient();
      await client.start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('hlint')) {
        await vscode.commands.executeCommand('hlint.restartServer');
      }
    }),
  );
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(
      `hlint: cannot start \`${vscode.workspace.getConfiguration('hlint').get('path') || 'hlint'} lsp\` ` +
        `(set "hlint.path" to the hlint program): ${error}`,
    );
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
