//! `hlint lsp` in a real editor: Neovim (Debian's package), headless, set up with
//! editors/nvim exactly as a user would, opens a pipeline; the diagnostics Neovim received,
//! a hover, and the result of applying the quick fix are written to a file this test reads.
//!
//! `scripts/test` installs Neovim when it is missing; without it this test fails, loudly.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hlint_tests::fixtures;
use serde_json::Value;

const CHECK: &str = r#"
local out = OUT
local function code(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end
local function dump()
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(list, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, source = d.source, code = code(d), message = d.message,
    })
  end
  return list
end
local result = {}
result.received = vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 50)
result.first = dump()
local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
result.clients = {}
for _, client in ipairs(clients) do table.insert(result.clients, client.name) end

-- A hover on the Background step's identifier.
local hover = vim.lsp.buf_request_sync(0, 'textDocument/hover', {
  textDocument = { uri = vim.uri_from_bufnr(0) },
  position = { line = 21, character = 45 },
}, 10000)
for _, answer in pairs(hover or {}) do
  if answer.result then result.hover = answer.result.contents.value end
end

-- The preferred quick fix of HL206 on line 42, applied the way Neovim applies code actions.
local target
for _, d in ipairs(vim.diagnostic.get(0)) do
  if code(d) == 'HL206' and d.lnum == 41 then target = d end
end
if target then
  local actions = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(0) },
    range = {
      start = { line = target.lnum, character = target.col },
      ['end'] = { line = target.end_lnum, character = target.end_col },
    },
    context = { diagnostics = {} },
  }, 10000)
  for _, answer in pairs(actions or {}) do
    for _, action in ipairs(answer.result or {}) do
      if action.isPreferred and not result.applied then
        vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16')
        result.applied = action.title
      end
    end
  end
end
result.line = vim.api.nvim_buf_get_lines(0, 41, 42, false)[1]
result.fixed = vim.wait(60000, function()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if code(d) == 'HL206' and d.lnum == 41 then return false end
  end
  return #vim.diagnostic.get(0) > 0
end, 50)
result.second = dump()
vim.fn.writefile({ vim.fn.json_encode(result) }, out)
vim.cmd('qa!')
"#;

#[test]
fn neovim_receives_the_diagnostics_and_applies_a_fix() {
    let nvim = which("nvim").unwrap_or_else(|| {
        panic!(
            "Neovim is not installed: this test needs it (`apt-get install -y neovim`; \
             scripts/test installs it when run as root)"
        )
    });
    let _ = hlint_tests::hlint(); // builds the binary when needed
    let hlint = assert_cmd::cargo::cargo_bin("hlint");
    let editors = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("editors/nvim");

    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("project/.harness");
    std::fs::create_dir_all(&project).unwrap();
    let pipeline = project.join("pipeline.yaml");
    std::fs::copy(fixtures().join("seed-harness-cloud.yaml"), &pipeline).unwrap();
    let out = work.path().join("diagnostics.json");
    let init = work.path().join("init.lua");
    std::fs::write(
        &init,
        format!(
            "vim.opt.runtimepath:append({:?})\n\
             require('hlint').setup({{ cmd = {{ {:?}, 'lsp' }} }})\n",
            editors.display().to_string(),
            hlint.display().to_string(),
        ),
    )
    .unwrap();
    let check = work.path().join("check.lua");
    std::fs::write(
        &check,
        CHECK.replace("OUT", &format!("{:?}", out.display().to_string())),
    )
    .unwrap();

    let mut child = Command::new(nvim)
        .arg("--headless")
        .arg("-n") // no swap file
        .arg("-i")
        .arg("NONE")
        .arg("-u")
        .arg(&init)
        .arg(&pipeline)
        .arg("-c")
        .arg(format!("luafile {}", check.display()))
        .env("HOME", work.path())
        .env("XDG_CONFIG_HOME", work.path().join("config"))
        .env("XDG_DATA_HOME", work.path().join("data"))
        .env("XDG_STATE_HOME", work.path().join("state"))
        .env("XDG_CACHE_HOME", work.path().join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("Neovim did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "nvim exited with {status}");
    let written = std::fs::read_to_string(&out).unwrap_or_else(|error| {
        let log = std::fs::read_to_string(work.path().join("state/nvim/lsp.log"))
            .or_else(|_| std::fs::read_to_string(work.path().join("cache/nvim/lsp.log")))
            .unwrap_or_default();
        panic!("Neovim wrote no result ({error}); LSP log:\n{log}")
    });
    let result: Value = serde_json::from_str(&written).unwrap();

    assert_eq!(result["received"], true, "{result}");
    assert_eq!(result["clients"], serde_json::json!(["hlint"]));
    let first = result["first"].as_array().unwrap();
    let host = first
        .iter()
        .find(|d| d["code"] == "HL206" && d["lnum"] == 41)
        .unwrap_or_else(|| panic!("no HL206 on line 42 in {result}"));
    assert_eq!(
        (host["col"].as_u64(), host["end_col"].as_u64()),
        (Some(61), Some(73))
    );
    assert_eq!(host["severity"], 1);
    assert_eq!(host["source"], "hlint");
    let mut codes: Vec<&str> = first.iter().map(|d| d["code"].as_str().unwrap()).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        ["HL103", "HL206", "HL206", "HL304", "HL304", "HL401", "HL401", "HL502", "HL502"]
    );

    let hover = result["hover"].as_str().unwrap_or_default();
    assert!(hover.contains("Background step `Background_1`"), "{hover}");

    assert_eq!(result["applied"], "Replace `Background_1` with `localhost`");
    let line = result["line"].as_str().unwrap();
    assert!(line.ends_with("-h localhost -p 5433"), "{line}");
    assert_eq!(result["fixed"], true, "{result}");
    let second = result["second"].as_array().unwrap();
    assert!(second
        .iter()
        .any(|d| d["code"] == "HL206" && d["lnum"] == 67));
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}
