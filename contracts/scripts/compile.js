#!/usr/bin/env node
// Compile contracts/src with the pinned npm solc (standard JSON) into avs/chain/artifacts.
//
// Output is byte-for-byte deterministic: source unit names are repository-relative, JSON keys
// are sorted, and nothing time- or machine-dependent is written. `make generate` runs this and
// CI fails if the committed artifacts differ.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const solc = require('solc');

const CONTRACTS_DIR = path.resolve(__dirname, '..');
const SRC_DIR = path.join(CONTRACTS_DIR, 'src');
const NODE_MODULES = path.join(CONTRACTS_DIR, 'node_modules');
const OUT_DIR = path.resolve(CONTRACTS_DIR, '..', 'avs', 'chain', 'artifacts');

// Contracts the Python side deploys or calls; everything else stays out of the package.
const EXPORTED = [
  'AllocationManager',
  'DelegationManager',
  'DevnetToken',
  'InferenceResultsHarness',
  'IntMlpVerifier',
  'ModelRegistry',
  'OperatorRegistry',
  'OperatorStateRetriever',
  'PayIfConfident',
  'PermissionController',
  'ScriptedConsumer',
  'ServiceManager',
  'SlashingManager',
  'StrategyBase',
  'StrategyManager',
  'TaskManager',
  'VerdictRegistry',
];

const SETTINGS = {
  evmVersion: 'prague',
  optimizer: { enabled: true, runs: 200 },
  viaIR: false,
  metadata: { bytecodeHash: 'none' },
  outputSelection: {
    '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
  },
};

function listSources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSources(full));
    else if (entry.name.endsWith('.sol')) out.push(full);
  }
  return out;
}

function unitName(file) {
  return path.relative(CONTRACTS_DIR, file).split(path.sep).join('/');
}

function findImports(importPath) {
  const candidates = [path.join(NODE_MODULES, importPath), path.join(CONTRACTS_DIR, importPath)];
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
  }
  return { error: `import not found: ${importPath}` };
}

// JSON with recursively sorted object keys (arrays keep their order).
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const sorted = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
    return sorted;
  }
  return value;
}

function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(sortKeys(value), null, 1) + '\n');
}

function sha256(text) {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

function main() {
  const sources = {};
  for (const file of listSources(SRC_DIR).sort()) {
    sources[unitName(file)] = { content: fs.readFileSync(file, 'utf8') };
  }
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  // Warnings in our own sources are printed; OpenZeppelin's (e.g. its transient-storage
  // notice for ReentrancyGuardTransient) are not ours to fix.
  for (const e of output.errors || []) {
    const file = e.sourceLocation ? e.sourceLocation.file : '';
    if (e.severity !== 'error' && !file.startsWith('@openzeppelin/')) {
      process.stderr.write(e.formattedMessage + '\n');
    }
  }
  if (errors.length) {
    for (const e of errors) process.stderr.write(e.formattedMessage + '\n');
    process.exit(1);
  }

  // The source texts solc actually read (ours plus the OpenZeppelin files they import).
  const usedSources = {};
  for (const name of Object.keys(output.sources).sort()) {
    const content = sources[name] ? sources[name].content : findImports(name).contents;
    usedSources[name] = sha256(content);
  }

  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const file of fs.readdirSync(OUT_DIR)) {
    if (file.endsWith('.json')) fs.unlinkSync(path.join(OUT_DIR, file));
  }
  const artifacts = {};
  for (const [sourceName, contracts] of Object.entries(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) {
      if (!EXPORTED.includes(name)) continue;
      if (artifacts[name]) throw new Error(`duplicate contract name ${name}`);
      artifacts[name] = {
        abi: c.abi,
        bytecode: '0x' + c.evm.bytecode.object,
        contractName: name,
        deployedBytecode: '0x' + c.evm.deployedBytecode.object,
        sourceName,
      };
    }
  }
  const missing = EXPORTED.filter((name) => !artifacts[name]);
  if (missing.length) throw new Error(`contracts not found: ${missing.join(', ')}`);

  const manifest = {
    artifacts: {},
    compiler: { name: 'solc (npm solcjs)', version: solc.version() },
    generatedBy: 'contracts/scripts/compile.js (make generate) -- do not edit',
    settings: SETTINGS,
    sources: usedSources,
  };
  for (const name of EXPORTED) {
    const file = `${name}.json`;
    writeJson(path.join(OUT_DIR, file), artifacts[name]);
    const size = (artifacts[name].deployedBytecode.length - 2) / 2;
    manifest.artifacts[name] = { deployedSize: size, file, sha256: sha256(fs.readFileSync(path.join(OUT_DIR, file), 'utf8')) };
    if (size > 24576) process.stderr.write(`warning: ${name} is ${size} bytes (> EIP-170 24576)\n`);
  }
  writeJson(path.join(OUT_DIR, 'manifest.json'), manifest);
  process.stdout.write(`compile: ${EXPORTED.length} artifacts -> ${path.relative(process.cwd(), OUT_DIR)}\n`);
}

main();
