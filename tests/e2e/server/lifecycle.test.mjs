// Process lifecycle: first-start owner bootstrap, access log, SIGTERM,
// persistence across a restart on the same database.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, test } from 'node:test';

import { cliToken, createTenant, createUser, login, loginOk } from '../lib/fixtures.mjs';
import { api, parseToken, sleep, startServer, syncLog, waitFor } from '../lib/server.mjs';

const PASSWORD_RE = /password: (\S{16,})/;

// Waits for the owner's email and "password: <one-time password>" on stdout
// (on one line or two) and returns the password.
async function bootstrapPassword(server, email) {
  const seen = await waitFor(() => server.stdout().includes(email) &&
    PASSWORD_RE.test(server.stdout()), { timeoutMs: 3000 });
  assert.ok(seen, `stdout names ${email} and has "password: <16+ chars>"` +
    `\n--- stdout ---\n${server.stdout()}`);
  return PASSWORD_RE.exec(server.stdout())[1];
}

describe('server: lifecycle', () => {
  const servers = [];
  const dirs = [];
  const track = (s) => { servers.push(s); return s; };

  after(async () => {
    for (const s of servers) await s.stop().catch(() => {});
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }, { timeout: 60000 });

  test('first start prints the platform owner password once; it logs in', async () => {
    const s1 = track(await startServer({ LATCHKEY_ADMIN_EMAIL: 'owner@example.test' }));
    dirs.push(s1.dir);
    const pw1 = await bootstrapPassword(s1, 'owner@example.test');
    const res = await login(s1, 'owner@example.test', pw1);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.user.email, 'owner@example.test');
    await syncLog(s1);
    assert.ok(!s1.stderr().includes(pw1), 'the password is not in the log');

    // Restart on the same database: no new password.
    await s1.stop({ keep: true });
    const s1b = track(await startServer({ LATCHKEY_ADMIN_EMAIL: 'owner@example.test' }, { dir: s1.dir }));
    await sleep(300);
    assert.ok(!PASSWORD_RE.test(s1b.stdout()), `second start prints no password:\n${s1b.stdout()}`);
    assert.equal((await login(s1b, 'owner@example.test', pw1)).status, 200, 'the first password still works');

    // Another fresh database gets another password.
    const s2 = track(await startServer({ LATCHKEY_ADMIN_EMAIL: 'owner@example.test' }));
    const pw2 = await bootstrapPassword(s2, 'owner@example.test');
    assert.notEqual(pw2, pw1, 'passwords are random');
  });

  test('default owner email is admin@localhost', async () => {
    const s = track(await startServer({ LATCHKEY_ADMIN_EMAIL: null }));
    const pw = await bootstrapPassword(s, 'admin@localhost');
    assert.equal((await login(s, 'admin@localhost', pw)).status, 200);
  });

  test('access log: one line per request with status= and path=, never secrets', async () => {
    const s = track(await startServer());
    createTenant(s, 'logco', 'Log Co');
    const password = 'Very-Secret-Password-4711';
    createUser(s, 'log@example.com', { password, tenant: 'logco' });
    const { token } = await loginOk(s, 'log@example.com', password);
    await login(s, 'log@example.com', 'Wrong-Secret-Password-0815');
    assert.equal((await api(s, 'GET', '/api/v1/auth/user', { token })).status, 200);
    await api(s, 'GET', '/api/v1/nope-logged');

    const accessLines = () => s.stderr().split('\n').filter((x) => /\bstatus=/.test(x) && /\bpath=/.test(x));
    const lines = await waitFor(() => {
      const l = accessLines().filter((x) => /path="?\/api\/v1\/nope-logged\b/.test(x));
      return l.length ? l : null;
    });
    assert.ok(lines, `access log line for the 404\n--- stderr ---\n${s.stderr()}`);
    assert.equal(lines.length, 1, 'exactly one line for the request');
    assert.match(lines[0], /status="?404\b/);
    const loginLines = accessLines().filter((x) => /path="?\/api\/v1\/auth\/token\b/.test(x));
    assert.equal(loginLines.length, 2, 'one line per login request');
    assert.ok(loginLines.some((l) => /status="?200\b/.test(l)));
    assert.ok(loginLines.some((l) => /status="?422\b/.test(l)));

    const log = s.stderr() + s.stdout();
    const t = parseToken(token);
    for (const secret of [password, 'Wrong-Secret-Password-0815', token, t.secret, t.random]) {
      assert.ok(!log.includes(secret), `log never contains ${secret.slice(0, 6)}...`);
    }
  });

  test('SIGTERM: exit 0 within 5 s; data and tokens survive a restart', async () => {
    const s = track(await startServer());
    dirs.push(s.dir);
    createTenant(s, 'persist', 'Persist Co');
    createUser(s, 'p@example.com', { password: 'persist-password', tenant: 'persist' });
    const { token } = await loginOk(s, 'p@example.com', 'persist-password');
    const cli = cliToken(s, 'p@example.com', 'persist');
    // Keep a connection busy-ish while stopping: a request in flight is fine.
    const stopped = await s.stop({ keep: true });
    assert.equal(stopped.code, 0);
    assert.ok(stopped.ms < 5000, `exited in ${stopped.ms} ms`);

    const s2 = track(await startServer({}, { dir: s.dir }));
    for (const tk of [token, cli]) {
      const me = await api(s2, 'GET', '/api/v1/auth/user', { token: tk });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.email, 'p@example.com');
      assert.equal(me.body.tenant.slug, 'persist');
    }
    await loginOk(s2, 'p@example.com', 'persist-password');
  });

  test('SIGTERM while requests are in flight still exits 0', async () => {
    const s = track(await startServer());
    const inflight = Array.from({ length: 20 }, () =>
      api(s, 'GET', '/healthz').catch(() => null));
    const stopped = await s.stop();
    await Promise.all(inflight);
    assert.equal(stopped.code, 0);
  });

  test('default argon2id parameters: create and log in', async () => {
    const s = track(await startServer({ LATCHKEY_ARGON2_OPSLIMIT: null, LATCHKEY_ARGON2_MEMLIMIT_KIB: null }));
    createUser(s, 'real@example.com', { password: 'real-argon-params' });
    const { user } = await loginOk(s, 'real@example.com', 'real-argon-params');
    assert.equal(user.email, 'real@example.com');
  });

  test('every server exits cleanly on SIGTERM (code 0)', async () => {
    const errors = [];
    for (const s of servers) {
      try { await s.stop(); } catch (err) { errors.push(err.message); }
    }
    assert.deepEqual(errors, []);
  });
});
