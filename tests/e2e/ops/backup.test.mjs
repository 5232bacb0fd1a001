// issue 18: `latchkey backup FILE` copies the SQLite database while serve
// runs and writes: the copy passes PRAGMA integrity_check, a server started
// on it (with the key encryption key copied beside it, as README says)
// finds every write acknowledged before the backup began, the file is mode
// 0600 and nothing temporary is left. PostgreSQL is refused, pointing to
// pg_dump.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { cliAsync } from '../lib/ops.mjs';
import { fails, ok } from '../lib/cli.mjs';
import { createTenant, createUser } from '../lib/fixtures.mjs';
import { BACKEND, api, dbQuery, tempDb, withServer } from '../lib/server.mjs';

const PASSWORD = 'pw-12345678';


test('backup under write load: consistent, complete up to its start, servable', { skip: BACKEND !== 'sqlite' }, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-backup-'));
  try {
    const copy = path.join(out, 'copy.db');
    await withServer({}, async (server) => {
      createTenant(server, 'acme');
      createUser(server, 'dev@example.com', { tenant: 'acme', password: PASSWORD });
      // Bulk, so the copy takes many steps while the writers go on.
      dbQuery(server.db, 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)' +
        " INSERT INTO audit_log (at, action, detail) SELECT i, 'e2e.bulk', '{\"pad\":\"" + 'x'.repeat(200) +
        "\"}' FROM n");
      const acked = []; // [name, token, acknowledged at]
      let stop = false;
      const writer = async (w) => {
        for (let i = 0; !stop; i++) {
          const name = `w${w}-${i}`;
          const res = await api(server, 'POST', '/api/v1/auth/token',
            { body: { email: 'dev@example.com', password: PASSWORD, device_name: name } });
          assert.equal(res.status, 200, res.text);
          acked.push([name, res.body.access_token, Date.now()]);
        }
      };
      const writers = [0, 1, 2, 3].map(writer);
      while (acked.length < 20) await new Promise((r) => setTimeout(r, 20));
      const began = Date.now();
      const before = acked.filter((a) => a[2] <= began);
      const r = await cliAsync(server.env, 'backup', copy, '--json');
      const during = acked.length - before.length;
      stop = true;
      await Promise.all(writers);
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.file, copy);
      assert.ok(j.pages > 1000, `pages ${j.pages}`);
      assert.equal(j.bytes, fs.statSync(copy).size);
      assert.ok(during > 0, 'writes were acknowledged while the backup ran');
      assert.equal(fs.statSync(copy).mode & 0o777, 0o600);
      assert.deepEqual(fs.readdirSync(out), ['copy.db'], 'no temporary file left');
      assert.equal(dbQuery(copy, 'PRAGMA integrity_check'), 'ok');
      fs.copyFileSync(path.join(server.dir, 'key-encryption.key'), path.join(out, 'key-encryption.key'));

      await withServer({ LATCHKEY_DATABASE_URL: copy }, async (restored) => {
        for (const [name, token] of before) {
          const me = await api(restored, 'GET', '/api/v1/auth/user', { token });
          assert.equal(me.status, 200, `${name}, acknowledged before the backup began, is in the copy`);
        }
        const jwks = await api(restored, 'GET', '/.well-known/jwks.json');
        assert.equal(jwks.status, 200);
        assert.equal(dbQuery(copy, "SELECT COUNT(*) FROM audit_log WHERE action = 'e2e.bulk'"), '100000');
      });
    });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('backup: usage and refusals', { skip: BACKEND !== 'sqlite' }, () => {
  const t = tempDb();
  try {
    fails(t.cli('backup'), 2);
    fails(t.cli('backup', t.db), 2, 'the database itself');
    const r = fails(t.cli('backup', path.join(t.dir, 'missing', 'b.db')), 1);
    assert.match(r.stderr, /cannot write/);
    assert.deepEqual(fs.readdirSync(t.dir).filter((f) => f.includes('tmp')), []);
    const target = path.join(t.dir, 'b.db');
    fs.writeFileSync(target, 'an older backup');
    assert.match(ok(t.cli('backup', target)).stdout, /key encryption key is not in it/);
    assert.equal(dbQuery(target, 'PRAGMA integrity_check'), 'ok', 'replaced');
    assert.match(ok(t.cli('backup', '--help')).stdout, /pg_dump -Fc/);
  } finally {
    t.cleanup();
  }
});

test('backup on PostgreSQL: refused, pointing to pg_dump', { skip: BACKEND !== 'postgres' }, () => {
  const t = tempDb();
  try {
    const r = fails(t.cli('backup', path.join(t.dir, 'b.db')), 1);
    assert.match(r.stderr, /pg_dump -Fc/);
    assert.equal(fs.existsSync(path.join(t.dir, 'b.db')), false);
  } finally {
    t.cleanup();
  }
});
