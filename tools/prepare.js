#!/usr/bin/env node
/**
 * Makes a fresh clone runnable: installs dependencies when they are missing, then builds
 * (incrementally). `npm start` and `npm test` call it first, so each is one command.
 */
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (command, env = {}) => execSync(command, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

if (!fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
  console.log('[paperfeed] installing dependencies (npm ci)…');
  // onnxruntime-node's install script would download CUDA binaries; the CPU ones ship in the package.
  run('npm ci --no-audit --no-fund', { ONNXRUNTIME_NODE_INSTALL: 'skip', ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip' });
}
run('npm run --silent build');
