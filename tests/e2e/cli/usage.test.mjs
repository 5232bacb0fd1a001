// CLI conventions: --help on every command, exit codes, migrate.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { fails, ok, okJson } from '../lib/cli.mjs';
import { tempDb } from '../lib/server.mjs';

const COMMANDS = [
  [],
  ['serve'],
  ['migrate'],
  ['tenant', 'create'],
  ['tenant', 'list'],
  ['user', 'create'],
  ['user', 'set-status'],
  ['member', 'add'],
  ['member', 'set-status'],
  ['token', 'create'],
  ['token', 'list'],
  ['token', 'revoke'],
  ['role', 'list'],
  ['keys', 'list'],
  ['keys', 'rotate'],
  ['routes'],
  ['version'],
];

describe('cli: usage', () => {
  let t;

  before(() => { t = tempDb(); });
  after(() => t && t.cleanup());

  for (const cmd of COMMANDS) {
    test(`latchkey ${[...cmd, '--help'].join(' ')}: exit 0, usage on stdout`, () => {
      const r = ok(t.cli(...cmd, '--help'));
      assert.match(r.stdout, /usage/i);
      if (cmd.length) assert.ok(r.stdout.includes(cmd[cmd.length - 1]), 'usage names the command');
    });
  }

  test('unknown command: exit 2', () => {
    fails(t.cli('frobnicate'), 2);
    fails(t.cli('tenant', 'frobnicate'), 2);
  });

  test('unknown option: exit 2', () => {
    fails(t.cli('tenant', 'list', '--bogus'), 2);
    fails(t.cli('tenant', 'create', '--slug', 'x', '--name', 'X', '--bogus', '1'), 2);
  });

  test('missing required option: exit 2', () => {
    fails(t.cli('tenant', 'create', '--name', 'No Slug'), 2);
    fails(t.cli('tenant', 'create', '--slug', 'noname'), 2);
    fails(t.cli('user', 'create', '--name', 'No Email', '--password', 'pw-123456'), 2);
    fails(t.cli('token', 'revoke'), 2);
  });
});

describe('cli: migrate', () => {
  let t;

  before(() => { t = tempDb({}, { migrate: false }); });
  after(() => t && t.cleanup());

  test('migrate --json applies everything once, then nothing', () => {
    const first = okJson(t.cli('migrate', '--json'));
    assert.deepEqual(Object.keys(first).sort(), ['applied', 'version']);
    assert.ok(Number.isInteger(first.applied) && first.applied > 0, `applied ${first.applied}`);
    assert.notEqual(first.version, null);
    const second = okJson(t.cli('migrate', '--json'));
    assert.equal(second.applied, 0);
    assert.deepEqual(second.version, first.version);
  });

  test('migrate without --json: exit 0', () => {
    ok(t.cli('migrate'));
  });
});

describe('cli: version', () => {
  // In a git checkout the binary names a commit of this history: HEAD when
  // make check built it, or an ancestor of HEAD if commits were made since
  // the build (the test must not fail then). Outside a checkout, no commit.
  const inGit = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).status === 0;
  const isAncestor = (commit) =>
    spawnSync('git', ['merge-base', '--is-ancestor', commit, 'HEAD']).status === 0;

  for (const args of [['--version'], ['version']]) {
    test(`latchkey ${args[0]}: "latchkey X.Y.Z (git COMMIT)" on stdout, exit 0, no database`, () => {
      const t = tempDb({}, { migrate: false });
      try {
        const r = ok(t.cli(...args));
        assert.match(r.stdout, /^latchkey \d+\.\d+\.\d+( \(git [0-9a-f]{12}\))?\n$/);
        if (inGit) {
          const commit = /\(git ([0-9a-f]{12})\)/.exec(r.stdout)?.[1];
          assert.ok(commit, `${r.stdout} names a commit`);
          assert.ok(isAncestor(commit), `${commit} is HEAD or an ancestor of it`);
        }
        assert.equal(r.stderr, '');
      } finally {
        t.cleanup();
      }
    });
  }

  test('latchkey version with an argument: exit 2', () => {
    const t = tempDb({}, { migrate: false });
    try {
      fails(t.cli('version', 'extra'), 2);
    } finally {
      t.cleanup();
    }
  });
});
