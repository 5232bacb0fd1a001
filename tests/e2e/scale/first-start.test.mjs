// Two instances started at the same moment on one fresh database (SQLite
// file or PostgreSQL database): both come up, each migration is applied
// once (by one of them), and exactly one platform owner is created, its
// one-time password printed by one instance only.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { okJson } from '../lib/cli.mjs';
import { BACKEND, PG_ADMIN_URL, createPgDatabase, dbQuery, pgUrlFor, startServer } from '../lib/server.mjs';

const ROUNDS = 4;

function freshDatabase(dir) {
  if (BACKEND === 'postgres') return pgUrlFor(PG_ADMIN_URL, createPgDatabase());
  return path.join(dir, 'lk.db');
}

describe(`first start: two instances at once on a fresh database (${BACKEND})`, () => {
  for (let round = 1; round <= ROUNDS; round++) {
    test(`round ${round}: both answer, migrations once, one owner`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-first-'));
      const db = freshDatabase(dir);
      if (BACKEND === 'postgres') fs.writeFileSync(path.join(dir, 'pg-database'), new URL(db).pathname.slice(1));
      const env = { LATCHKEY_DATABASE_URL: db };
      const started = await Promise.allSettled([startServer(env, { dir }), startServer(env, { dir })]);
      const servers = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
      try {
        for (const s of started) {
          assert.equal(s.status, 'fulfilled', s.reason && s.reason.message);
        }
        for (const s of servers) {
          const res = await fetch(`${s.url}/readyz`);
          assert.equal(res.status, 200);
        }
        const passwords = servers.filter((s) => /one-time password/.test(s.stdout()));
        assert.equal(passwords.length, 1, 'exactly one instance printed the owner password');

        const rows = dbQuery(db, 'SELECT version FROM schema_migrations ORDER BY version').split('\n');
        assert.equal(new Set(rows).size, rows.length, 'each version once');
        const migratedLines = servers
          .map((s) => s.stderr().split('\n').filter((l) => /event=migrated version=/.test(l)).length)
          .reduce((a, b) => a + b, 0);
        assert.equal(migratedLines, rows.length, 'each migration applied by one instance only');

        const staff = okJson(servers[0].cli('staff', 'list', '--json'));
        assert.equal(staff.length, 1, JSON.stringify(staff));
        assert.equal(dbQuery(db, 'SELECT COUNT(*) FROM users'), '1');
      } finally {
        for (const [i, s] of servers.entries()) await s.stop({ keep: i < servers.length - 1 });
        if (servers.length === 0) fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
