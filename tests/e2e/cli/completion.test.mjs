// latchkey completion bash (issue 18): the script, sourced in a real bash with COMP_WORDS set,
// offers the commands of `latchkey --help`, each command's subcommands and options from its
// --help, and file names elsewhere.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { fails, ok } from '../lib/cli.mjs';
import { latchkeyBin, runCli } from '../lib/server.mjs';

describe('cli: bash completion', () => {
  let dir;
  let script;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-comp-'));
    script = path.join(dir, 'latchkey.bash');
    fs.writeFileSync(script, ok(runCli({}, 'completion', 'bash')).stdout);
    // The binary as `latchkey` on PATH, as an installed one would be.
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.symlinkSync(path.resolve(latchkeyBin()), path.join(dir, 'bin', 'latchkey'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // The candidates bash would offer for the words typed (the last one being completed).
  const complete = (...words) => {
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c',
      'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _latchkey; printf "%s\\n" "${COMPREPLY[@]}"',
      'bash', script, ...words], { encoding: 'utf8', env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  const commandsOfHelp = () => ok(runCli({}, '--help')).stdout.split('\n')
    .map((l) => l.match(/^ {2}([a-z]+) /)).filter(Boolean).map((m) => m[1]);

  test('the script is valid bash and registers the function', () => {
    const r = spawnSync('bash', ['--norc', '-c', 'source "$1" && complete -p latchkey', 'bash', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /complete -o default -F _latchkey latchkey/);
  });

  test('first word: every command of latchkey --help', () => {
    const cmds = commandsOfHelp();
    for (const c of ['user', 'member', 'tenant', 'token', 'staff', 'key', 'keys', 'migrate', 'config', 'completion']) {
      assert.ok(cmds.includes(c), `--help lists ${c}`);
    }
    assert.deepEqual(complete('latchkey', ''), [...cmds, '--help', '--version'].sort());
    assert.deepEqual(complete('latchkey', 'me'), ['member']);
    assert.deepEqual(complete('latchkey', 'ke'), ['key', 'keys']);
  });

  test('second word: the subcommands of the command\'s --help', () => {
    assert.deepEqual(complete('latchkey', 'user', ''),
      ['api-token', 'create', 'delete', 'list', 'set-password', 'set-status', 'show']);
    assert.deepEqual(complete('latchkey', 'member', 's'), ['set-role', 'set-status']);
    assert.deepEqual(complete('latchkey', 'tenant', ''),
      ['create', 'list', 'reactivate', 'show', 'suspend', 'update']);
    assert.deepEqual(complete('latchkey', 'token', 'p'), ['prune']);
    assert.deepEqual(complete('latchkey', 'key', 'r'), ['revoke', 'rewrap', 'rotate']);
    assert.deepEqual(complete('latchkey', 'migrate', ''), ['status']);
    assert.deepEqual(complete('latchkey', 'config', ''), ['show']);
    assert.deepEqual(complete('latchkey', 'staff', ''), ['grant', 'list', 'revoke']);
    assert.deepEqual(complete('latchkey', 'nosuch', ''), []);
  });

  test('a dash: the options of the command\'s --help, with --json and --help', () => {
    assert.deepEqual(complete('latchkey', 'user', 'set-password', 'a@b.c', '--'),
      complete('latchkey', 'user', '--'));
    const opts = complete('latchkey', 'user', 'list', '--');
    for (const o of ['--search', '--status', '--tenant', '--limit', '--offset', '--password-stdin', '--yes', '--json', '--help']) {
      assert.ok(opts.includes(o), `offers ${o}`);
    }
    assert.deepEqual(complete('latchkey', 'token', 'prune', '--h'), ['--help', '--hours']);
    assert.deepEqual(complete('latchkey', 'routes', '--'), ['--help', '--json']);
  });

  test('completion without bash, or with another shell: exit 2', () => {
    fails(runCli({}, 'completion'), 2);
    fails(runCli({}, 'completion', 'zsh'), 2);
    assert.match(ok(runCli({}, 'completion', '--help')).stdout, /source <\(latchkey completion bash\)/);
  });
});
