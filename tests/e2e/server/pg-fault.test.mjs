// Fault test (PostgreSQL only): the database goes away under a running
// latchkey and comes back. While it is away every route that needs it
// answers 503 with a JSON body, quickly, and the process stays up; /healthz
// stays 200 and /readyz says 503. When it is back, the same process serves
// again by itself (old tokens, new logins) and /readyz says 200.
//
// The test owns a private cluster of its own (scripts/pg-test-cluster.sh
// with its own directory and port), so stopping it disturbs no other test.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { fails } from '../lib/cli.mjs';
import { createTenant, createUser, login, loginOk } from '../lib/fixtures.mjs';
import {
  api, freePort, PG_ADMIN_URL, pgUrlFor, psql, runCli, startServer, waitFor,
} from '../lib/server.mjs';

const SCRIPT = fileURLToPath(new URL('../../../scripts/pg-test-cluster.sh', import.meta.url));
const UNAVAILABLE = { message: 'Service Unavailable.' };
const READY = { status: 'ready', database: 'ok' };
const NOT_READY = { status: 'unavailable', database: 'down' };
// Each refused request must come back well within the store's timeouts.
const FAST_MS = 3000;

function cluster(...args) {
  const r = spawnSync(SCRIPT, args, { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`pg-test-cluster.sh ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

// Sends a request and checks it is answered 503 with the JSON body, fast.
async function assertUnavailable(server, method, p, opts, what) {
  const t0 = Date.now();
  const res = await api(server, method, p, opts);
  const ms = Date.now() - t0;
  assert.equal(res.status, 503, `${what}: ${res.status} ${res.text}`);
  assert.match(res.headers.get('content-type') || '', /application\/json/, what);
  assert.deepEqual(res.body, UNAVAILABLE, what);
  assert.ok(ms < FAST_MS, `${what} answered in ${ms} ms`);
}

// Skipped per test (a skipped suite would not be counted as skipped).
const SKIP = PG_ADMIN_URL ? false : 'PostgreSQL only (LATCHKEY_TEST_PG_URL is not set)';

describe('fault: PostgreSQL goes away and comes back', () => {
  let dir;
  let server;
  const password = 'fault-password-1';

  before(async () => {
    if (SKIP) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-pgfault-'));
    const admin = cluster('start', dir);
    psql(admin, 'CREATE DATABASE fault');
    server = await startServer({ LATCHKEY_DATABASE_URL: pgUrlFor(admin, 'fault') });
    createTenant(server, 'faultco', 'Fault Co');
    createUser(server, 'f@example.com', { password, tenant: 'faultco' });
  }, { timeout: 120000 });

  after(async () => {
    if (server) await server.stop().catch(() => {});
    if (dir) cluster('destroy', dir);
  }, { timeout: 120000 });

  test('503 JSON on every route while down, recovery without a restart', { skip: SKIP }, async () => {
    const { token } = await loginOk(server, 'f@example.com', password);
    const spare = (await loginOk(server, 'f@example.com', password)).token;
    assert.deepEqual((await api(server, 'GET', '/readyz')).body, READY);

    cluster('stop', dir);

    for (const p of ['/api/v1/auth/user', '/api/v1/auth/profile']) {
      await assertUnavailable(server, 'GET', p, { token }, `GET ${p}`);
    }
    await assertUnavailable(server, 'POST', '/api/v1/auth/revoke', { token }, 'POST revoke');
    // Login looks the user up before it hands the password to the hash pool.
    await assertUnavailable(server, 'POST', '/api/v1/auth/token',
      { body: { email: 'f@example.com', password, device_name: 'd' } }, 'login');
    await assertUnavailable(server, 'POST', '/api/v1/auth/token',
      { body: { email: 'f@example.com', password: 'wrong-password', device_name: 'd' } },
      'login with a wrong password');
    // Concurrent requests on every worker thread, none hangs or crashes.
    const many = await Promise.all(Array.from({ length: 16 }, () =>
      api(server, 'GET', '/api/v1/auth/user', { token })));
    assert.deepEqual(many.map((r) => r.status), Array(16).fill(503));

    const ready = await api(server, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, NOT_READY);
    const health = await api(server, 'GET', '/healthz');
    assert.equal(health.status, 200, 'healthz is the process alone');
    // Requests that need no database are served as usual.
    assert.equal((await api(server, 'GET', '/api/v1/nope')).status, 404);
    assert.equal((await login(server, 'f@example.com', password, { device: '' })).status, 422);
    assert.equal(server.exitStatus(), null, 'latchkey is still running');
    // The CLI fails cleanly, with a message and without the URL's secrets.
    fails(server.cli('tenant', 'list'), 1, 'CLI while down');

    cluster('start', dir);

    const back = await waitFor(async () => (await api(server, 'GET', '/readyz')).status === 200,
      { timeoutMs: 10000, everyMs: 100 });
    assert.ok(back, '/readyz is 200 again once PostgreSQL is back');
    assert.deepEqual((await api(server, 'GET', '/readyz')).body, READY);
    const me = await api(server, 'GET', '/api/v1/auth/user', { token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.email, 'f@example.com');
    const again = await loginOk(server, 'f@example.com', password);
    assert.equal((await api(server, 'GET', '/api/v1/auth/profile', { token: again.token })).status,
      200);
    const revoked = await api(server, 'POST', '/api/v1/auth/revoke', { token: spare });
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: spare })).status, 401);
    assert.equal(server.exitStatus(), null);
    assert.doesNotMatch(server.stderr(), /AddressSanitizer|runtime error/);
  });

  test('SIGTERM while PostgreSQL is down still exits 0, promptly', { skip: SKIP }, async () => {
    cluster('stop', dir);
    await assertUnavailable(server, 'GET', '/api/v1/auth/user',
      { token: `1|${'a'.repeat(48)}` }, 'any bearer while down');
    const stopped = await server.stop();
    server = null;
    assert.equal(stopped.code, 0);
    assert.ok(stopped.ms < 10000, `exited in ${stopped.ms} ms`);
  });
});

// Needs no cluster (nothing listens on the port), so it runs in both passes.
describe('fault: PostgreSQL unreachable at start', () => {
  test('serve and the CLI exit 1 with a message, the password masked, quickly', async () => {
    const port = await freePort();
    const url = `postgres://lk:Sup3r-Secret-Pw@127.0.0.1:${port}/latchkey`;
    for (const args of [['serve'], ['tenant', 'list'], ['migrate']]) {
      const t0 = Date.now();
      const r = runCli({ LATCHKEY_DATABASE_URL: url, LATCHKEY_LISTEN: '127.0.0.1:0' }, ...args);
      const ms = Date.now() - t0;
      fails(r, 1, args.join(' '));
      assert.match(r.stderr, /cannot open database postgres:\/\/lk:\*\*\*@127\.0\.0\.1:\d+\/latchkey: unavailable/);
      assert.match(r.stderr, /event=unreachable/);
      assert.ok(!(r.stderr + r.stdout).includes('Sup3r-Secret-Pw'), 'the password is never printed');
      assert.ok(ms < 10000, `${args.join(' ')} gave up in ${ms} ms`);
    }
    const bad = runCli({ LATCHKEY_DATABASE_URL: 'postgres://lk@127.0.0.1:1/x?no_such_option=1' },
      'tenant', 'list');
    fails(bad, 1, 'a URL libpq rejects');
    assert.match(bad.stderr, /bad database url/);
  });
});
