// At a terminal (a real pseudo-terminal, lib/pty-run.py): user set-password asks twice
// without echo, user delete asks [y/N] (issue 18).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { fails, okJson } from '../lib/cli.mjs';
import { childBaseEnv, dbQuery, latchkeyBin, tempDb } from '../lib/server.mjs';

const PTY = path.resolve(import.meta.dirname, '../lib/pty-run.py');

describe('cli: prompts at a terminal', () => {
  let t;
  before(() => {
    t = tempDb();
    okJson(t.cli('user', 'create', '--email', 'p@x.test', '--name', 'Pat', '--password', 'pw-12345678', '--json'));
  });
  after(() => t && t.cleanup());

  const onTty = (script, ...args) => {
    const r = spawnSync('/usr/bin/python3', [PTY, JSON.stringify(script), latchkeyBin(), ...args],
      { env: { ...childBaseEnv(), ...t.env }, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const hash = () => dbQuery(t.db, "SELECT password_hash FROM users WHERE email = 'p@x.test'");

  test('set-password: twice, never echoed', () => {
    const before = hash();
    const pw = 'Zebra-Quartz-991';
    const r = onTty([['new password: ', `${pw}\n`], ['again: ', `${pw}\n`]], 'user', 'set-password', 'p@x.test');
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /new password: .*again: .*password of p@x\.test changed/s);
    assert.ok(!r.output.includes(pw), 'the password is not echoed');
    assert.notEqual(hash(), before);
  });

  test('set-password: two different entries change nothing', () => {
    const before = hash();
    const r = onTty([['new password: ', 'Zebra-Quartz-991\n'], ['again: ', 'Zebra-Quartz-992\n']],
      'user', 'set-password', 'p@x.test');
    assert.equal(r.status, 2);
    assert.match(r.output, /latchkey: the two passwords differ/);
    assert.equal(hash(), before);
  });

  test('delete: n keeps the user, y deletes', () => {
    const no = onTty([['[y/N] ', 'n\n']], 'user', 'delete', 'p@x.test');
    assert.equal(no.status, 2);
    assert.match(no.output, /delete p@x\.test with their tokens, sessions and memberships \[y\/N\]/);
    okJson(t.cli('user', 'show', 'p@x.test', '--json'));
    const yes = onTty([['[y/N] ', 'y\n']], 'user', 'delete', 'p@x.test');
    assert.equal(yes.status, 0, yes.output);
    fails(t.cli('user', 'show', 'p@x.test'), 1);
  });
});
