// tests/e2e/lib/cli.mjs - assertions for CLI results.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { childBaseEnv, latchkeyBin } from './server.mjs';

// Asserts exit 0; returns the result.
export function ok(r, what = '') {
  assert.equal(r.status, 0, `${what} exit 0 expected, got ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

// Asserts exit 0 and a parsed --json document; returns it.
export function okJson(r, what = '') {
  ok(r, what);
  assert.notEqual(r.json, undefined, `${what} stdout is one JSON document:\n${r.stdout}`);
  return r.json;
}

// Asserts exit code (1 runtime failure, 2 usage error) and a line on stderr
// starting with "latchkey: ".
export function fails(r, code, what = '') {
  assert.equal(r.status, code, `${what} exit ${code} expected, got ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  // Log lines (e.g. a first-use migration) may come first; the error message
  // itself is a line of its own starting with "latchkey: ".
  assert.ok(r.stderr.split('\n').some((l) => l.startsWith('latchkey: ')),
    `${what} stderr has a message starting with "latchkey: ": ${JSON.stringify(r.stderr)}`);
  return r;
}

// Runs the CLI of a tempDb() t with input on stdin (a pipe, not a terminal).
export function cliInput(t, input, ...args) {
  const r = spawnSync(latchkeyBin(), args.map(String), {
    env: { ...childBaseEnv(), ...t.env },
    input,
    encoding: 'utf8',
    timeout: 60000,
  });
  if (r.error) throw new Error(`latchkey ${args.join(' ')}: ${r.error.message}`);
  const out = { status: r.status, stdout: r.stdout, stderr: r.stderr, json: undefined };
  if (args.includes('--json') && r.stdout.trim() !== '') {
    try { out.json = JSON.parse(r.stdout); } catch { /* left undefined */ }
  }
  return out;
}
