// Issue 18 "Metrics": GET /metrics in the Prometheus text format, off the
// public listener by default (LATCHKEY_METRICS_LISTEN: a listener of its
// own; LATCHKEY_METRICS_TOKEN: the main listener behind a bearer), checked
// with Debian's promtool, and counters that move with what happens.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { createTenant, createUser, login, loginOk } from '../lib/fixtures.mjs';
import { api, BACKEND, freePort, latchkeyBin, waitFor, withServer } from '../lib/server.mjs';

const PROMTOOL = process.env.LATCHKEY_TEST_PROMTOOL || '/usr/bin/promtool';

// Scrapes url; returns {status, headers, text}.
async function scrape(url, headers = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10000) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

// Parses the text format into a Map of 'name{labels}' -> number (labels in
// the order printed), asserting each sample line's shape.
function samples(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(m, `sample line: ${line}`);
    out.set(m[1], Number(m[2]));
  }
  return out;
}

// The value of the sample name with the given labels (exact set), or 0.
function value(map, name, labels = {}) {
  for (const [k, v] of map) {
    const m = /^([^{]+)(?:\{(.*)\})?$/.exec(k);
    if (m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .map((x) => [x[1], x[2]]));
    const want = Object.entries(labels);
    if (want.length === Object.keys(got).length && want.every(([a, b]) => got[a] === b)) return v;
  }
  return 0;
}

function promtool(text) {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.ok(!r.error, `${PROMTOOL} (Debian's prometheus package, scripts/deps.sh test): ${r.error}`);
  assert.equal(r.status, 0, `promtool check metrics:\n${r.stdout}${r.stderr}`);
}

const USER = { listener: 'main', surface: 'travel', method: 'GET', route: '/api/v1/auth/user' };

describe('ops: /metrics', () => {
  test('neither variable set: no /metrics on the main listener', async () => {
    await withServer({}, async (server) => {
      const res = await api(server, 'GET', '/metrics');
      assert.equal(res.status, 404, res.text);
    });
  });

  // Both backends serve a token seen before from the principal cache
  // (PostgreSQL once its LISTEN connection is up, a moment after the
  // first request: until then every request reads the database).
  test('repeated token checks are cache hits, SQLite and PostgreSQL', async () => {
    const port = await freePort();
    await withServer({ LATCHKEY_METRICS_LISTEN: `127.0.0.1:${port}` }, async (server) => {
      const url = `http://127.0.0.1:${port}/metrics`;
      createTenant(server, 'c1');
      createUser(server, 'c@example.com', { password: 'metrics-pass-1', tenant: 'c1' });
      const { token } = await loginOk(server, 'c@example.com', 'metrics-pass-1');
      const before = samples((await scrape(url)).text);
      const hit = await waitFor(async () => {
        assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token })).status, 200);
        const after = samples((await scrape(url)).text);
        return value(after, 'latchkey_cache_hits_total', { cache: 'principal' }) >
          value(before, 'latchkey_cache_hits_total', { cache: 'principal' });
      }, { timeoutMs: 5000, everyMs: 100 });
      assert.ok(hit, `no principal cache hit on ${BACKEND}`);
    });
  });

  // The cache's memory is a byte budget: its entries show in
  // latchkey_cache_bytes, and LATCHKEY_AUTH_CACHE_MB=0 turns it off.
  test('LATCHKEY_AUTH_CACHE_MB: the bytes held show; 0 turns the cache off', async () => {
    for (const mb of ['1', '0']) {
      const port = await freePort();
      await withServer({ LATCHKEY_METRICS_LISTEN: `127.0.0.1:${port}`, LATCHKEY_AUTH_CACHE_MB: mb },
        async (server) => {
          const url = `http://127.0.0.1:${port}/metrics`;
          createTenant(server, 'b1');
          createUser(server, 'b@example.com', { password: 'metrics-pass-1', tenant: 'b1' });
          const { token } = await loginOk(server, 'b@example.com', 'metrics-pass-1');
          const bytes = async () => value(samples((await scrape(url)).text),
            'latchkey_cache_bytes', { cache: 'principal' });
          const held = await waitFor(async () => {
            assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token })).status, 200);
            return (await bytes()) > 0;
          }, { timeoutMs: mb === '0' ? 1000 : 5000, everyMs: 100 });
          if (mb === '0') {
            assert.ok(!held);
            const after = samples((await scrape(url)).text);
            assert.equal(value(after, 'latchkey_cache_hits_total', { cache: 'principal' }), 0);
          } else {
            assert.ok(held, `no cached principal on ${BACKEND}`);
            const b = await bytes();
            assert.ok(b > 256 && b < 1024 * 1024 * 3 / 4, `${b} bytes`);
          }
        });
    }
  });

  test('LATCHKEY_METRICS_LISTEN: promtool-valid, counters move, routes by pattern', async () => {
    const port = await freePort();
    await withServer({ LATCHKEY_METRICS_LISTEN: `127.0.0.1:${port}`, LATCHKEY_RATE_TOKEN: '4/60' },
      async (server) => {
        const url = `http://127.0.0.1:${port}/metrics`;
        assert.equal((await api(server, 'GET', '/metrics')).status, 404, 'not on the main listener');
        createTenant(server, 'm1');
        createUser(server, 'm@example.com', { password: 'metrics-pass-1', tenant: 'm1' });
        const before = samples((await scrape(url)).text);

        const { token } = await loginOk(server, 'm@example.com', 'metrics-pass-1');
        assert.equal((await login(server, 'm@example.com', 'wrong-password')).status, 422);
        for (let i = 0; i < 2; i++) {
          assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token })).status, 200);
        }
        assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: '1|nope' })).status, 401);
        assert.equal((await api(server, 'GET', '/api/v1/no/such/path/12345')).status, 404);
        assert.equal((await api(server, 'POST', '/api/v1/auth/revoke', { token })).status, 200);
        // The bucket allows 4 per minute: two more, then a 429.
        await login(server, 'm@example.com', 'wrong-password');
        await login(server, 'm@example.com', 'wrong-password');
        assert.equal((await login(server, 'm@example.com', 'wrong-password')).status, 429);

        const res = await scrape(url);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
        promtool(res.text);
        const after = samples(res.text);
        const delta = (name, labels) => value(after, name, labels) - value(before, name, labels);
        assert.equal(delta('latchkey_logins_total', { result: 'ok' }), 1);
        assert.equal(delta('latchkey_logins_total', { result: 'failed' }), 3);
        assert.equal(delta('latchkey_tokens_issued_total'), 1);
        assert.equal(delta('latchkey_tokens_revoked_total'), 1);
        assert.equal(delta('latchkey_ratelimit_refusals_total', { bucket: 'token' }), 1);
        assert.equal(delta('latchkey_http_requests_total', { ...USER, code: '2xx' }), 2);
        assert.equal(delta('latchkey_http_requests_total', { ...USER, code: '4xx' }), 1);
        assert.equal(delta('latchkey_http_request_duration_seconds_count', USER), 3);
        assert.equal(delta('latchkey_http_requests_total',
          { listener: 'main', surface: 'travel', method: 'POST', route: '/api/v1/auth/token', code: '4xx' }), 4);
        assert.ok(delta('latchkey_http_requests_total',
          { listener: 'main', surface: 'none', method: 'none', route: 'none', code: '4xx' }) >= 1);
        assert.ok(!res.text.includes('12345'), 'a raw path never becomes a label');
        // Four logins hashed on the pool; the store and the cache were used.
        assert.ok(delta('latchkey_hash_pool_wait_seconds_count') >= 4);
        assert.ok(delta('latchkey_store_query_duration_seconds_count', { backend: BACKEND }) > 0);
        const hits = delta('latchkey_cache_hits_total', { cache: 'principal' });
        const misses = delta('latchkey_cache_misses_total', { cache: 'principal' });
        // On PostgreSQL the cache waits for its LISTEN connection, which the
        // first request starts: these few requests may all read the database
        // uncounted (the test below waits for the hits).
        if (BACKEND === 'sqlite') assert.ok(hits + misses >= 2, `cache hits ${hits} misses ${misses}`);
        else assert.ok(after.has('latchkey_cache_hits_total{cache="principal"}'));
        assert.ok(value(after, 'process_start_time_seconds') > 1.7e9);
        assert.ok(value(after, 'latchkey_open_connections') >= 0);
        assert.equal(value(after, 'latchkey_hash_pool_queue_depth'), 0);
        assert.equal(value(after, 'latchkey_mail_queue_depth'), 0);
      });
  });

  test('LATCHKEY_METRICS_TOKEN: the main listener serves /metrics to that bearer only', async () => {
    const secret = 'metrics-scrape-token-0123456789';
    await withServer({ LATCHKEY_METRICS_TOKEN: secret }, async (server) => {
      const url = `${server.url}/metrics`;
      assert.equal((await scrape(url)).status, 401);
      assert.equal((await scrape(url, { Authorization: `Bearer ${secret}x` })).status, 401);
      assert.equal((await scrape(url, { Authorization: `Bearer ${secret.slice(0, -1)}` })).status, 401);
      const res = await scrape(url, { Authorization: `Bearer ${secret}` });
      assert.equal(res.status, 200);
      promtool(res.text);
      const m = samples(res.text);
      assert.equal(value(m, 'latchkey_http_requests_total',
        { listener: 'main', surface: 'metrics', method: 'GET', route: '/metrics', code: '4xx' }), 3);
    });
  });

  test('bad values are refused at start-up', () => {
    for (const [k, v] of [['LATCHKEY_METRICS_LISTEN', 'nope'], ['LATCHKEY_METRICS_TOKEN', 'short']]) {
      const r = spawnSync(latchkeyBin(), ['serve'],
        { env: { ...process.env, [k]: v, LATCHKEY_DATABASE_URL: '/nonexistent/x.db' }, encoding: 'utf8' });
      assert.equal(r.status, 1, `${k}=${v}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(k));
    }
  });
});
