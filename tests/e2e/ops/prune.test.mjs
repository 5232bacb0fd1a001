// issue 18: `latchkey prune` removes the rows that ended (expired or
// revoked tokens, used or expired resets, finished invitations, ended
// sessions, audit entries past LATCHKEY_AUDIT_RETENTION) and nothing else;
// --dry-run counts the same rows and deletes none; serve prunes on its
// LATCHKEY_PRUNE_INTERVAL; on PostgreSQL one instance at a time prunes.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { cliAsync } from '../lib/ops.mjs';
import { fails, ok, okJson } from '../lib/cli.mjs';
import { createTenant, createUser, cliToken } from '../lib/fixtures.mjs';
import {
  BACKEND, api, dbQuery, runCli, sleep, tempDb, waitFor, withServer,
} from '../lib/server.mjs';

const H = 3600;
const D = 86400;
const now = () => Math.floor(Date.now() / 1000);
const hash = (c) => c.repeat(64);
const ids = (db, sql) => dbQuery(db, sql).split('\n').filter((l) => l !== '').sort();

// One row of each case: the ones named *_gone end before the cutoffs
// (LATCHKEY_PRUNE_AFTER 24h by default, sessions as soon as they ended).
function seed(db, userId, tenantId) {
  const t = now();
  const tok = (name, expires, revoked) =>
    `(${userId}, '${name}', ${t - 5 * D}, ${expires ?? 'NULL'}, ${revoked ?? 'NULL'})`;
  dbQuery(db, 'INSERT INTO tokens (user_id, name, created_at, expires_at, revoked_at) VALUES ' + [
    tok('live'), tok('future', t + D), tok('expired_recent', t - H), tok('revoked_recent', null, t - H),
    tok('expired_gone', t - 2 * D), tok('revoked_gone', null, t - 2 * D),
  ].join(', '));
  const reset = (c, email, created, used) => `('${hash(c)}', '${email}', ${created}, ${used ?? 'NULL'})`;
  dbQuery(db, 'INSERT INTO password_resets (token_hash, email, created_at, used_at) VALUES ' + [
    reset('1', 'fresh', t - 600), reset('2', 'used_recent', t - 2 * H, t - H),
    reset('3', 'expired_recent', t - 3 * H), reset('4', 'used_gone', t - 3 * D, t - 2 * D),
    reset('5', 'expired_gone', t - 2 * D),
  ].join(', '));
  const inv = (c, email, expires, accepted, cancelled) => `(${tenantId}, '${email}', '${hash(c)}', ` +
    `${t - 8 * D}, ${expires}, ${accepted ?? 'NULL'}, ${cancelled ?? 'NULL'})`;
  dbQuery(db, 'INSERT INTO invitations (tenant_id, email, token_hash, created_at, expires_at,' +
    ' accepted_at, cancelled_at) VALUES ' + [
    inv('6', 'open', t + 5 * D), inv('7', 'accepted_recent', t + 5 * D, t - H),
    inv('8', 'accepted_gone', t + 5 * D, t - 2 * D), inv('9', 'cancelled_gone', t + 5 * D, null, t - 2 * D),
    inv('a', 'expired_gone', t - 2 * D),
  ].join(', '));
  const ses = (c, seen, expires) => `('${hash(c)}', ${userId}, '${hash('f')}', ${t - D}, ${seen}, ${expires})`;
  dbQuery(db, 'INSERT INTO sessions (id_hash, user_id, csrf_hash, created_at, last_seen_at, expires_at)' +
    ' VALUES ' + [ses('b', t, t + H), ses('c', t - 60, t - 1), ses('d', t - 3 * H, t + 10 * H)].join(', '));
  dbQuery(db, 'INSERT INTO audit_log (at, action) VALUES ' +
    `(${t - 100 * D}, 'e2e.old'), (${t - 10 * D}, 'e2e.recent'), (${t}, 'e2e.now')`);
}

const EXPECTED = { tokens: 2, password_resets: 2, invitations: 3, sessions: 2 };

function remaining(db, userId) {
  return {
    tokens: ids(db, `SELECT name FROM tokens WHERE user_id = ${userId}`),
    resets: ids(db, 'SELECT email FROM password_resets'),
    invitations: ids(db, 'SELECT email FROM invitations'),
    sessions: ids(db, 'SELECT id_hash FROM sessions').map((h) => h[0]),
    audit: ids(db, "SELECT action FROM audit_log WHERE action LIKE 'e2e.%'"),
  };
}

describe('prune: what goes and what stays', () => {
  let t;
  let userId;
  before(() => {
    t = tempDb();
    const tenant = okJson(t.cli('tenant', 'create', '--slug', 'acme', '--name', 'Acme', '--json'));
    const user = okJson(t.cli('user', 'create', '--email', 'dev@example.com', '--name', 'Dev',
      '--password', 'pw-12345678', '--tenant', 'acme', '--role', 'admin', '--json'));
    userId = user.id;
    seed(t.db, userId, tenant.id);
  });
  after(() => t && t.cleanup());

  test('--dry-run --json counts each kind and deletes nothing', () => {
    const before = remaining(t.db, userId);
    const j = okJson(t.cli('prune', '--dry-run', '--json'));
    assert.deepEqual(j, { dry_run: true, skipped: false, would_delete: { ...EXPECTED, audit: 0 } });
    assert.deepEqual(remaining(t.db, userId), before);
    const text = ok(t.cli('prune', '--dry-run')).stdout;
    assert.match(text, /^tokens\s+2 \(dry run: nothing deleted\)$/m);
    assert.match(text, /^invitations\s+3 /m);
  });

  test('prune deletes exactly the ended rows; audit kept forever by default', () => {
    const j = okJson(t.cli('prune', '--json', '--batch', '1'));
    assert.deepEqual(j, { dry_run: false, skipped: false, deleted: { ...EXPECTED, audit: 0 } });
    assert.deepEqual(remaining(t.db, userId), {
      tokens: ['expired_recent', 'future', 'live', 'revoked_recent'],
      resets: ['expired_recent', 'fresh', 'used_recent'],
      invitations: ['accepted_recent', 'open'],
      sessions: ['b'],
      audit: ['e2e.now', 'e2e.old', 'e2e.recent'],
    });
    const again = okJson(t.cli('prune', '--json'));
    assert.deepEqual(again.deleted, { tokens: 0, password_resets: 0, invitations: 0, sessions: 0, audit: 0 });
  });

  test('LATCHKEY_AUDIT_RETENTION=30d removes older audit entries; PRUNE_AFTER=0 the recent ends', () => {
    const env = { ...t.env, LATCHKEY_AUDIT_RETENTION: '30d', LATCHKEY_PRUNE_AFTER: '0' };
    const j = okJson(t.cli('prune', '--json', '--dry-run'));
    assert.equal(j.would_delete.audit, 0);
    const r = okJson(runCli(env, 'prune', '--json'));
    assert.deepEqual(r.deleted, { tokens: 2, password_resets: 2, invitations: 1, sessions: 0, audit: 1 });
    const left = remaining(t.db, userId);
    assert.deepEqual(left.tokens, ['future', 'live']);
    assert.deepEqual(left.resets, ['fresh']);
    assert.deepEqual(left.audit, ['e2e.now', 'e2e.recent']);
  });

  test('bad values: --batch out of range exits 2, a bad retention exits 1 naming the variable', () => {
    for (const b of ['0', '100001', 'x']) fails(t.cli('prune', '--batch', b), 2, `--batch ${b}`);
    const r = runCli({ ...t.env, LATCHKEY_AUDIT_RETENTION: '90 days' }, 'prune');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /LATCHKEY_AUDIT_RETENTION/);
    const h = ok(t.cli('prune', '--help')).stdout;
    assert.match(h, /LATCHKEY_AUDIT_RETENTION/);
    assert.match(h, /LATCHKEY_PRUNE_INTERVAL/);
  });
});


const ROWS = 200000;

test('serve keeps answering, with bounded latency, while prune deletes 200k tokens', async () => {
  await withServer({ LATCHKEY_AUTH_CACHE: '0', LATCHKEY_PRUNE_INTERVAL: '0' }, async (server) => {
    createTenant(server, 'acme');
    const user = createUser(server, 'dev@example.com', { tenant: 'acme', password: 'pw-12345678' });
    const token = cliToken(server, 'dev@example.com', 'acme');
    const t = now() - 2 * D;
    const rows = BACKEND === 'postgres'
      ? `SELECT ${user.id}, 'bulk', ${t}, ${t} FROM generate_series(1, ${ROWS})`
      : `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})` +
        ` SELECT ${user.id}, 'bulk', ${t}, ${t} FROM n`;
    dbQuery(server.db, `INSERT INTO tokens (user_id, name, created_at, expires_at) ${rows}`);

    const pruning = cliAsync(server.env, 'prune', '--json');
    let done = false;
    pruning.then(() => { done = true; });
    let requests = 0;
    let worst = 0;
    while (!done) {
      const t0 = Date.now();
      const read = await api(server, 'GET', '/api/v1/auth/user', { token });
      assert.equal(read.status, 200, read.text);
      const write = await api(server, 'POST', '/api/v1/auth/token',
        { body: { email: 'dev@example.com', password: 'pw-12345678', device_name: `d${requests}` } });
      assert.equal(write.status, 200, write.text);
      worst = Math.max(worst, Date.now() - t0);
      requests++;
    }
    const r = await pruning;
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).deleted.tokens, ROWS);
    assert.ok(requests >= 5, `requests served while pruning: ${requests}`);
    assert.ok(worst < 2000, `slowest read + write pair while pruning: ${worst} ms`);
    assert.equal(dbQuery(server.db, "SELECT COUNT(*) FROM tokens WHERE name = 'bulk'"), '0');
    const me = await api(server, 'GET', '/api/v1/auth/user', { token });
    assert.equal(me.status, 200, 'the live token survived');
  });
});

test('serve prunes every LATCHKEY_PRUNE_INTERVAL; a pruned revoked token stays refused', async () => {
  await withServer({ LATCHKEY_PRUNE_INTERVAL: '1s', LATCHKEY_AUTH_CACHE: '0' }, async (server) => {
    createTenant(server, 'acme');
    createUser(server, 'dev@example.com', { tenant: 'acme' });
    const token = cliToken(server, 'dev@example.com', 'acme');
    const id = token.split('|')[0];
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token })).status, 200);
    ok(server.cli('token', 'revoke', id));
    dbQuery(server.db, `UPDATE tokens SET revoked_at = ${now() - 2 * D} WHERE id = ${id}`);
    await waitFor(() => dbQuery(server.db, `SELECT COUNT(*) FROM tokens WHERE id = ${id}`) === '0',
      { timeoutMs: 8000, everyMs: 200 });
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token })).status, 401);
  });
});

test('LATCHKEY_PRUNE_INTERVAL=0: serve never prunes', async () => {
  await withServer({ LATCHKEY_PRUNE_INTERVAL: '0' }, async (server) => {
    const user = createUser(server, 'dev@example.com');
    dbQuery(server.db, 'INSERT INTO tokens (user_id, name, created_at, expires_at) VALUES ' +
      `(${user.id}, 'old', 1, 2)`);
    await sleep(2500);
    assert.equal(dbQuery(server.db, "SELECT COUNT(*) FROM tokens WHERE name = 'old'"), '1');
  });
});

test('PostgreSQL: while another session holds the prune lock, prune skips', { skip: BACKEND !== 'postgres' }, async () => {
  const t = tempDb();
  try {
    const user = okJson(t.cli('user', 'create', '--email', 'dev@example.com', '--name', 'Dev',
      '--password', 'pw-12345678', '--json'));
    dbQuery(t.db, `INSERT INTO tokens (user_id, name, created_at, expires_at) VALUES (${user.id}, 'old', 1, 2)`);
    const holder = spawn('psql', [t.db, '-X', '-q', '-c',
      'SELECT pg_advisory_lock(7812387939584142949); SELECT pg_sleep(5)'], { stdio: 'ignore' });
    try {
      await waitFor(() => dbQuery(t.db, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'" +
        ' AND granted') !== '0', { timeoutMs: 5000 });
      const j = okJson(t.cli('prune', '--json'));
      assert.equal(j.skipped, true);
      assert.equal(j.deleted.tokens, 0);
      assert.match(ok(t.cli('prune')).stdout, /skipped: another latchkey instance is pruning/);
      assert.equal(dbQuery(t.db, "SELECT COUNT(*) FROM tokens WHERE name = 'old'"), '1');
    } finally {
      holder.kill('SIGKILL');
    }
    await waitFor(() => okJson(t.cli('prune', '--json')).skipped === false, { timeoutMs: 10000, everyMs: 200 });
    assert.equal(dbQuery(t.db, "SELECT COUNT(*) FROM tokens WHERE name = 'old'"), '0');
  } finally {
    t.cleanup();
  }
});
