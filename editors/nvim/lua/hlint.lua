-- hlint's language server (`hlint lsp`) for Neovim 0.7 and newer.
--
-- With this folder on 'runtimepath' (or copied into your config's lua/ folder):
--
--   require('hlint').setup()                       -- `hlint` on $PATH
--   require('hlint').setup({ cmd = { '/path/to/hlint', 'lsp' } })
--
-- It starts one server per project root (the nearest folder holding hlint.toml,
-- .hlint.toml, .harness or .git) for every YAML buffer. The server itself decides what is
-- a Harness pipeline: other YAML files get no diagnostics.
local M = {}

local defaults = {
  cmd = { 'hlint', 'lsp' },
  filetypes = { 'yaml' },
  root_markers = { 'hlint.toml', '.hlint.toml', '.harness', '.git' },
  -- Passed as initializationOptions; `docsUrl` sets where rule pages are linked from.
  init_options = nil,
  on_attach = nil,
  capabilities = nil,
}

local options = defaults
-- Neovim 0.7 has no vim.lsp.start: clients by root folder, attached by hand.
local clients = {}

local function exists(path)
  return (vim.loop or vim.uv).fs_stat(path) ~= nil
end

local function find_root(file, markers)
  local dir = vim.fn.fnamemodify(file, ':p:h')
  while dir and dir ~= '' do
    for _, marker in ipairs(markers) do
      if exists(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  return nil
end

function M.attach(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return
  end
  local root = find_root(name, options.root_markers) or vim.fn.fnamemodify(name, ':p:h')
  local config = {
    name = 'hlint',
    cmd = options.cmd,
    root_dir = root,
    init_options = options.init_options,
    on_attach = options.on_attach,
    capabilities = options.capabilities or vim.lsp.protocol.make_client_capabilities(),
  }
  if vim.lsp.start then
    vim.lsp.start(config, { bufnr = bufnr })
    return
  end
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

function M.setup(opts)
  options = vim.tbl_deep_extend('force', defaults, opts or {})
  local group = vim.api.nvim_create_augroup('hlint_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = options.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Buffers already open when setup runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(options.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
