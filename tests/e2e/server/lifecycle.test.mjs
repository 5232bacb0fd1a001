// Process lifecycle: first-start owner bootstrap, access log, SIGTERM,
// persistence across a restart on the same database.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { cliToken, createTenant, createUser, login, loginOk } from '../lib/fixtures.mjs';
import { api, parseToken, sleep, syncLog, waitFor, withServer } from '../lib/server.mjs';

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
  // Every server here is started with withServer(), which also fails the
  // test if the server does not exit 0 on SIGTERM.
  test('first start prints the platform owner password once; it logs in', async () => {
    const env = { LATCHKEY_ADMIN_EMAIL: 'owner@example.test' };
    const pw1 = await withServer(env, async (s1) => {
      const pw = await bootstrapPassword(s1, 'owner@example.test');
      const res = await login(s1, 'owner@example.test', pw);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.user.email, 'owner@example.test');
      await syncLog(s1);
      assert.ok(!s1.stderr().includes(pw), 'the password is not in the log');

      // Restart on the same database: no new password.
      await s1.stop({ keep: true });
      await withServer(env, { dir: s1.dir }, async (s1b) => {
        await sleep(300);
        assert.ok(!PASSWORD_RE.test(s1b.stdout()), `second start prints no password:\n${s1b.stdout()}`);
        assert.equal((await login(s1b, 'owner@example.test', pw)).status, 200, 'the first password still works');
      });
      return pw;
    });

    // Another fresh database gets another password.
    await withServer(env, async (s2) => {
      const pw2 = await bootstrapPassword(s2, 'owner@example.test');
      assert.notEqual(pw2, pw1, 'passwords are random');
    });
  });

  test('default owner email is admin@localhost', async () => {
    await withServer({ LATCHKEY_ADMIN_EMAIL: null }, async (s) => {
      const pw = await bootstrapPassword(s, 'admin@localhost');
      assert.equal((await login(s, 'admin@localhost', pw)).status, 200);
    });
  });

  test('access log: one line per request with status= and path=, never secrets', async () => {
    await withServer({}, async (s) => {
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
  });

  test('SIGTERM: exit 0 within 5 s; data and tokens survive a restart', async () => {
    await withServer({}, async (s) => {
      createTenant(s, 'persist', 'Persist Co');
      createUser(s, 'p@example.com', { password: 'persist-password', tenant: 'persist' });
      const { token } = await loginOk(s, 'p@example.com', 'persist-password');
      const cli = cliToken(s, 'p@example.com', 'persist');
      // Keep a connection busy-ish while stopping: a request in flight is fine.
      const stopped = await s.stop({ keep: true });
      assert.equal(stopped.code, 0);
      assert.ok(stopped.ms < 5000, `exited in ${stopped.ms} ms`);

      await withServer({}, { dir: s.dir }, async (s2) => {
        for (const tk of [token, cli]) {
          const me = await api(s2, 'GET', '/api/v1/auth/user', { token: tk });
          assert.equal(me.status, 200, me.text);
          assert.equal(me.body.email, 'p@example.com');
          assert.equal(me.body.tenant.slug, 'persist');
        }
        await loginOk(s2, 'p@example.com', 'persist-password');
      });
    });
  });

  test('SIGTERM while requests are in flight still exits 0', async () => {
    await withServer({}, async (s) => {
      const inflight = Array.from({ length: 20 }, () =>
        api(s, 'GET', '/healthz').catch(() => null));
      const stopped = await s.stop();
      await Promise.all(inflight);
      assert.equal(stopped.code, 0);
    });
  });

  test('default argon2id parameters: create and log in', async () => {
    await withServer({ LATCHKEY_ARGON2_OPSLIMIT: null, LATCHKEY_ARGON2_MEMLIMIT_KIB: null }, async (s) => {
      createUser(s, 'real@example.com', { password: 'real-argon-params' });
      const { user } = await loginOk(s, 'real@example.com', 'real-argon-params');
      assert.equal(user.email, 'real@example.com');
    });
  });
});
