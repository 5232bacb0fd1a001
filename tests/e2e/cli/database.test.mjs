// CLI commands other than serve and migrate never create or migrate a
// database: a missing one, one with pending migrations and one newer than
// the binary are refused (exit 1) with a message that says what to do.
// serve and migrate refuse a newer schema too.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { fails, ok } from '../lib/cli.mjs';
import { BACKEND, childBaseEnv, dbQuery, latchkeyBin, tempDb } from '../lib/server.mjs';

// Commands that read or write the database, with valid arguments.
const COMMANDS = [
  ['tenant', 'list'],
  ['tenant', 'create', '--slug', 'acme', '--name', 'Acme'],
  ['user', 'create', '--email', 'a@example.com', '--name', 'A', '--password', 'pw-123456'],
  ['user', 'set-status', '--email', 'a@example.com', '--status', 'active'],
  ['member', 'add', '--user', 'a@example.com', '--tenant', 'acme', '--role', 'owner'],
  ['token', 'list', '--user', 'a@example.com'],
  ['token', 'revoke', '1'],
  ['role', 'list', '--tenant', 'acme'],
  ['keys', 'list'],
  ['keys', 'rotate'],
  ['staff', 'list'],
];

function refusedPending(r, what) {
  fails(r, 1, what);
  assert.match(r.stderr, /pending migrations/, what);
  assert.match(r.stderr, /LATCHKEY_DATABASE_URL/, what);
  assert.match(r.stderr, /`latchkey migrate`/, what);
}

describe('cli: the database must exist and be current', () => {
  const dirs = [];
  after(() => dirs.forEach((t) => t.cleanup()));

  test('tenant list in an empty folder: exit 1, names the variable and the command, creates nothing', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-empty-'));
    try {
      const r = spawnSync(latchkeyBin(), ['tenant', 'list'], { cwd, env: childBaseEnv(), encoding: 'utf8' });
      fails(r, 1);
      assert.match(r.stderr, /no database at \.\/var\/latchkey\.db \(LATCHKEY_DATABASE_URL\)/);
      assert.match(r.stderr, /`latchkey migrate`/);
      assert.deepEqual(fs.readdirSync(cwd), [], 'nothing created');
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('every command refuses a database never migrated, and leaves it so', () => {
    const t = tempDb({}, { migrate: false });
    dirs.push(t);
    for (const cmd of COMMANDS) {
      const r = t.cli(...cmd);
      if (BACKEND === 'sqlite') {
        fails(r, 1, cmd.join(' '));
        assert.match(r.stderr, /no database at .*\(LATCHKEY_DATABASE_URL\).*`latchkey migrate`/, cmd.join(' '));
        assert.equal(fs.existsSync(t.db), false, `${cmd.join(' ')} created no file`);
      } else {
        refusedPending(r, cmd.join(' ')); // PostgreSQL: the database exists, empty
      }
    }
    if (BACKEND === 'postgres') {
      assert.equal(dbQuery(t.db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), '0',
        'no table created');
    }
    ok(t.cli('migrate'));
    ok(t.cli('tenant', 'list'));
  });

  test('a database with a pending migration is refused, and not migrated', () => {
    const t = tempDb();
    dirs.push(t);
    const latest = dbQuery(t.db, 'SELECT MAX(version) FROM schema_migrations');
    dbQuery(t.db, `DELETE FROM schema_migrations WHERE version = ${latest}`);
    for (const cmd of COMMANDS) refusedPending(t.cli(...cmd), cmd.join(' '));
    assert.equal(dbQuery(t.db, `SELECT COUNT(*) FROM schema_migrations WHERE version = ${latest}`), '0');
  });

  test('a schema newer than the binary: every command, migrate and serve refuse it', () => {
    const t = tempDb();
    dirs.push(t);
    dbQuery(t.db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)");
    const newer = /schema version 9999, newer than this binary's \d+/;
    for (const cmd of [...COMMANDS, ['migrate']]) {
      const r = t.cli(...cmd);
      fails(r, 1, cmd.join(' '));
      assert.match(r.stderr, newer, cmd.join(' '));
    }
    const r = t.cli('serve');
    assert.equal(r.status, 1, `serve: ${r.stderr}`);
    assert.match(r.stderr, newer);
  });
});
