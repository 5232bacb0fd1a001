// issue 18: `latchkey doctor` checks what latchkey depends on, one line
// each (ok / warn / fail, what is wrong, how to fix it), exit 1 on any
// fail. Each check is made to fail for real: file permissions, a pending
// migration, no (active) signing key, a Redis port and an SMTP port with
// nothing listening, a wrong SMTP password, a bad variable.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startPrivateRedis } from '../lib/redis.mjs';
import { startSmtpSink } from '../lib/smtp.mjs';
import { BACKEND, dbQuery, freePort, runCli, tempDb, withServer } from '../lib/server.mjs';

// Runs doctor --json with env; returns {status, byName, json, stdout}.
function doctor(env, ...args) {
  const r = runCli(env, 'doctor', '--json', ...args);
  assert.ok(r.json, `doctor --json prints one document: ${r.stdout}\n${r.stderr}`);
  const byName = Object.fromEntries(r.json.checks.map((c) => [c.check, c]));
  return { status: r.status, byName, json: r.json };
}

function assertCheck(d, name, status, message) {
  const c = d.byName[name];
  assert.ok(c, `a ${name} check: ${JSON.stringify(d.json)}`);
  assert.equal(c.status, status, `${name}: ${JSON.stringify(c)}`);
  if (message) assert.match(c.message, message, name);
  if (status === 'ok') assert.equal(c.fix, null);
  else assert.ok(typeof c.fix === 'string' && c.fix.length > 0, `${name} says how to fix it`);
  assert.equal(d.status, d.json.checks.some((x) => x.status === 'fail') ? 1 : 0, 'exit status');
  assert.equal(d.json.ok, d.status === 0);
}

describe('doctor on a healthy installation with Redis and SMTP (STARTTLS, AUTH)', () => {
  let redis;
  let sink;
  before(async () => {
    redis = await startPrivateRedis();
    const { makeCert } = await import('../lib/smtp.mjs');
    const certDir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'latchkey-e2e-cert-'));
    const cert = makeCert(certDir);
    sink = await startSmtpSink({ auth: 'mailer:s3cret', starttls: cert });
    sink.certDir = certDir;
    sink.cert = cert;
  });
  after(async () => {
    await sink?.stop();
    if (sink?.certDir) fs.rmSync(sink.certDir, { recursive: true, force: true });
    await redis?.cleanup();
  });

  test('every check ok, exit 0, no mail sent; text lines too', async () => {
    const env = { LATCHKEY_REDIS_URL: redis.url, ...sink.env({ LATCHKEY_SMTP_TLS: 'require',
      LATCHKEY_SMTP_CA_FILE: sink.cert.cert }) };
    await withServer(env, async (server) => {
      const d = doctor(server.env);
      for (const c of d.json.checks) assert.equal(c.status, 'ok', JSON.stringify(c));
      assert.equal(d.status, 0);
      const names = d.json.checks.map((c) => c.check);
      for (const n of ['config', 'database', 'key-file', 'signing-keys', 'redis', 'smtp', 'clock']) {
        assert.ok(names.includes(n), `checks ${n}`);
      }
      if (BACKEND === 'sqlite') {
        for (const n of ['wal', 'db-file', 'db-dir']) assert.ok(names.includes(n), `checks ${n}`);
        assertCheck(d, 'clock', 'ok', /nothing to compare/);
      } else {
        assertCheck(d, 'clock', 'ok', /from PostgreSQL's now\(\)/);
      }
      assertCheck(d, 'redis', 'ok', /PING to 127\.0\.0\.1:\d+ in \d+ ms/);
      assertCheck(d, 'smtp', 'ok', /no mail sent/);
      assert.equal(sink.messages().length, 0, 'doctor sends no mail');
      const text = runCli(server.env, 'doctor');
      assert.equal(text.status, 0);
      const lines = text.stdout.trim().split('\n');
      assert.equal(lines.length, d.json.checks.length, 'one line per check');
      for (const l of lines) assert.match(l, /^ok {4}\S+\s+\S/);
    });
  });

  test('SMTP: a wrong password fails (AUTH after STARTTLS), and no mail is sent', () => {
    const t = tempDb();
    try {
      const bad = sink.env({ LATCHKEY_SMTP_URL: sink.url.replace('s3cret', 'wrong'),
        LATCHKEY_SMTP_TLS: 'require', LATCHKEY_SMTP_CA_FILE: sink.cert.cert });
      assertCheck(doctor({ ...t.env, ...bad }), 'smtp', 'fail', /failed/);
      assert.equal(sink.messages().length, 0);
    } finally {
      t.cleanup();
    }
  });
});

describe('doctor: each check fails for real', () => {
  let t;
  before(() => {
    t = tempDb();
  });
  after(() => t && t.cleanup());

  test('no signing key (never served): fail; a key: ok; none active: fail; old: warn', () => {
    assertCheck(doctor(t.env), 'signing-keys', 'fail', /no JWT signing key/);
    assert.equal(runCli(t.env, 'keys', 'rotate').status, 0);
    assertCheck(doctor(t.env), 'signing-keys', 'ok', /active key/);
    const old = Math.floor(Date.now() / 1000) - 100 * 86400;
    dbQuery(t.db, `UPDATE signing_keys SET created_at = ${old}`);
    assertCheck(doctor(t.env), 'signing-keys', 'warn', /100 days old \(rotate every 90 days\)/);
    assertCheck(doctor(t.env, '--key-age', '200d'), 'signing-keys', 'ok');
    dbQuery(t.db, `UPDATE signing_keys SET retired_at = ${old}`);
    assertCheck(doctor(t.env), 'signing-keys', 'fail', /none active/);
    assert.equal(runCli(t.env, 'keys', 'rotate').status, 0);
    assert.equal(runCli(t.env, 'doctor', '--key-age', 'soon').status, 2);
  });

  test('Redis port with nothing listening: fail', async () => {
    const port = await freePort();
    assertCheck(doctor({ ...t.env, LATCHKEY_REDIS_URL: `redis://127.0.0.1:${port}` }), 'redis', 'fail',
      new RegExp(`PING to 127\\.0\\.0\\.1:${port} failed`));
  });

  test('SMTP port with nothing listening: fail', async () => {
    const port = await freePort();
    assertCheck(doctor({ ...t.env, LATCHKEY_MAIL_DRIVER: 'smtp', LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${port}` }),
      'smtp', 'fail', /connect/);
  });

  test('a bad variable: config fails, nothing else is checked', () => {
    const d = doctor({ ...t.env, LATCHKEY_THREADS: 'many' });
    assertCheck(d, 'config', 'fail', /LATCHKEY_THREADS/);
    assert.equal(d.json.checks.length, 1);
  });

  test('the key file: missing, readable by others (with the chmod that fixes it), private', () => {
    const kek = path.join(t.dir, 'doctor-test.key');
    const env = { ...t.env, LATCHKEY_KEY_ENCRYPTION_KEY_FILE: kek };
    assertCheck(doctor(env), 'key-file', 'fail', /no key encryption key at/);
    fs.writeFileSync(kek, `${crypto.randomBytes(32).toString('base64')}\n`, { mode: 0o644 });
    fs.chmodSync(kek, 0o644);
    const d = doctor(env);
    assertCheck(d, 'key-file', 'fail', /mode 644/);
    assert.equal(d.byName['key-file'].fix, `chmod 600 ${kek}`);
    fs.chmodSync(kek, 0o600);
    assertCheck(doctor(env), 'key-file', 'ok', /mode 600/);
    assertCheck(doctor({ ...env, LATCHKEY_KEY_ENCRYPTION_KEY: fs.readFileSync(kek, 'utf8').trim() }),
      'key-file', 'ok', /from LATCHKEY_KEY_ENCRYPTION_KEY/);
  });

  test('SQLite file and directory permissions', { skip: BACKEND !== 'sqlite' }, () => {
    fs.chmodSync(t.db, 0o644);
    assertCheck(doctor(t.env), 'db-file', 'fail', /readable by others \(mode 644\)/);
    fs.chmodSync(t.db, 0o600);
    assertCheck(doctor(t.env), 'db-file', 'ok', /mode 600/);
    fs.chmodSync(t.dir, 0o755);
    assertCheck(doctor(t.env), 'db-dir', 'warn', /world-readable/);
    fs.chmodSync(t.dir, 0o777);
    assertCheck(doctor(t.env), 'db-dir', 'fail', /world-writable/);
    fs.chmodSync(t.dir, 0o700);
    assertCheck(doctor(t.env), 'db-dir', 'ok');
    assertCheck(doctor(t.env), 'wal', 'ok', /wal/);
  });

  test('a pending migration: fail, naming `latchkey migrate`', () => {
    const latest = dbQuery(t.db, 'SELECT MAX(version) FROM schema_migrations');
    dbQuery(t.db, `DELETE FROM schema_migrations WHERE version = ${latest}`);
    try {
      const d = doctor(t.env);
      assertCheck(d, 'database', 'fail', /pending migrations/);
      assert.match(d.byName.database.fix, /latchkey migrate/);
    } finally {
      dbQuery(t.db, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${latest}, 'restored', 0)`);
    }
    assertCheck(doctor(t.env), 'database', 'ok', /schema version/);
  });

  test('no database: fail', () => {
    const url = BACKEND === 'sqlite' ? path.join(t.dir, 'none.db') : 'postgres://postgres@127.0.0.1:1/none';
    assertCheck(doctor({ ...t.env, LATCHKEY_DATABASE_URL: url }), 'database', 'fail');
  });
});
