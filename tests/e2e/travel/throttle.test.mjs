// Seed 004: "Throttle 10 requests / minute (default)" on POST /api/v1/auth/token,
// per client IP, with X-RateLimit-* headers and a 429 over the limit.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { cliToken, createTenant, createUser, login } from '../lib/fixtures.mjs';
import { api, startServer } from '../lib/server.mjs';

function rateHeaders(res) {
  return {
    limit: res.headers.get('x-ratelimit-limit'),
    remaining: res.headers.get('x-ratelimit-remaining'),
    reset: res.headers.get('x-ratelimit-reset'),
  };
}

describe('travel: token throttle (LATCHKEY_RATE_TOKEN=3/60)', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_TOKEN: '3/60' });
    createTenant(server, 'throttle', 'Throttle Inc');
    createUser(server, 't@example.com', { password: 'throttle-pass', tenant: 'throttle' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('limit, decreasing remaining, reset; then 429 with Retry-After; failures count', async () => {
    const now = Math.floor(Date.now() / 1000);
    const responses = [
      await login(server, 't@example.com', 'throttle-pass'), // success
      await login(server, 't@example.com', 'wrong'), // failed login
      await api(server, 'POST', '/api/v1/auth/token', { body: {} }), // validation error
    ];
    assert.deepEqual(responses.map((r) => r.status), [200, 422, 422]);
    responses.forEach((res, i) => {
      const h = rateHeaders(res);
      assert.equal(h.limit, '3', `response ${i} X-RateLimit-Limit`);
      assert.equal(h.remaining, String(2 - i), `response ${i} X-RateLimit-Remaining`);
      assert.match(h.reset || '', /^\d+$/, 'X-RateLimit-Reset is a Unix time');
      const reset = Number(h.reset);
      assert.ok(reset >= now && reset <= now + 62, `reset ${reset} within the window (now ${now})`);
    });

    const over = await login(server, 't@example.com', 'throttle-pass');
    assert.equal(over.status, 429, over.text);
    assert.deepEqual(over.body, { message: 'Too Many Attempts.' });
    const retry = over.headers.get('retry-after');
    assert.match(retry || '', /^\d+$/, 'Retry-After in seconds');
    assert.ok(Number(retry) > 0 && Number(retry) <= 60, `Retry-After ${retry}`);
    assert.equal(over.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(over.headers.get('x-ratelimit-limit'), '3');
    assert.ok(over.headers.get('x-request-id'));

    // Still refused, also with a correct password.
    const again = await login(server, 't@example.com', 'throttle-pass');
    assert.equal(again.status, 429);
  });

  test('other routes are not throttled by the token bucket', async () => {
    const token = cliToken(server, 't@example.com', 'throttle');
    assert.equal((await api(server, 'GET', '/healthz')).status, 200);
    const me = await api(server, 'GET', '/api/v1/auth/user', { token });
    assert.equal(me.status, 200, me.text);
  });

  test('SIGTERM: clean exit with code 0', async () => {
    await server.stop();
  });
});

describe('travel: token throttle default is 10/minute', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_TOKEN: null });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('X-RateLimit-Limit: 10, the 11th request is 429', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await login(server, 'nobody@example.com', 'x');
      assert.equal(res.status, 422, `request ${i + 1}`);
      assert.equal(res.headers.get('x-ratelimit-limit'), '10');
      assert.equal(res.headers.get('x-ratelimit-remaining'), String(9 - i));
    }
    const over = await login(server, 'nobody@example.com', 'x');
    assert.equal(over.status, 429, over.text);
    assert.deepEqual(over.body, { message: 'Too Many Attempts.' });
  });

  test('SIGTERM: clean exit with code 0', async () => {
    await server.stop();
  });
});
