// Seed 004: /auth/user, /auth/profile and /auth/revoke are throttled like
// Laravel's api group (throttle:api, 60 a minute per user;
// LATCHKEY_RATE_TRAVEL), with X-RateLimit-* on every response and 429 +
// Retry-After + X-RateLimit-Reset over the limit, per user.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { cliToken, createTenant, createUser } from '../lib/fixtures.mjs';
import { api, startServer } from '../lib/server.mjs';

const USER = '/api/v1/auth/user';
const PROFILE = '/api/v1/auth/profile';
const REVOKE = '/api/v1/auth/revoke';

describe('travel: api throttle (LATCHKEY_RATE_TRAVEL=4/60)', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_TRAVEL: '4/60' });
    createTenant(server, 'safeway', 'Safeway Travel');
    for (const who of ['a', 'b', 'c']) {
      createUser(server, `${who}@example.com`, { tenant: 'safeway' });
    }
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('the three routes share one bucket per user; the 5th request is 429', async () => {
    const t1 = cliToken(server, 'a@example.com', 'safeway', 'one');
    const t2 = cliToken(server, 'a@example.com', 'safeway', 'two');
    const now = Math.floor(Date.now() / 1000);
    const responses = [
      await api(server, 'GET', USER, { token: t1 }),
      await api(server, 'GET', PROFILE, { token: t2 }), // another token, same user
      await api(server, 'GET', USER, { token: t1 }),
      await api(server, 'POST', REVOKE, { token: t2 }),
    ];
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200]);
    responses.forEach((res, i) => {
      assert.equal(res.headers.get('x-ratelimit-limit'), '4', `response ${i}`);
      assert.equal(res.headers.get('x-ratelimit-remaining'), String(3 - i), `response ${i}`);
    });
    const over = await api(server, 'GET', PROFILE, { token: t1 });
    assert.equal(over.status, 429, over.text);
    assert.deepEqual(over.body, { message: 'Too Many Attempts.' });
    assert.equal(over.headers.get('x-ratelimit-limit'), '4');
    assert.equal(over.headers.get('x-ratelimit-remaining'), '0');
    const retry = Number(over.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 60, `Retry-After ${retry}`);
    const reset = Number(over.headers.get('x-ratelimit-reset'));
    assert.ok(reset >= now && reset <= now + 62, `X-RateLimit-Reset ${reset} (now ${now})`);
    assert.equal((await api(server, 'POST', REVOKE, { token: t1 })).status, 429);
  });

  test('another user is not affected', async () => {
    const token = cliToken(server, 'b@example.com', 'safeway');
    const res = await api(server, 'GET', USER, { token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-ratelimit-limit'), '4');
    assert.equal(res.headers.get('x-ratelimit-remaining'), '3');
  });

  test('POST /auth/token is not counted in this bucket', async () => {
    const token = cliToken(server, 'c@example.com', 'safeway');
    const login = await api(server, 'POST', '/api/v1/auth/token',
      { body: { email: 'c@example.com', password: 'secret-password-1', device_name: 'x' } });
    assert.equal(login.status, 200, login.text);
    const res = await api(server, 'GET', USER, { token });
    assert.equal(res.headers.get('x-ratelimit-remaining'), '3');
  });
});

describe('travel: api throttle default is 60/minute', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_TRAVEL: null });
    createTenant(server, 'safeway', 'Safeway Travel');
    createUser(server, 'a@example.com', { tenant: 'safeway' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('X-RateLimit-Limit: 60, the 61st request is 429', async () => {
    const token = cliToken(server, 'a@example.com', 'safeway');
    for (let i = 0; i < 60; i++) {
      const res = await api(server, 'GET', USER, { token });
      assert.equal(res.status, 200, `request ${i + 1}: ${res.text}`);
      assert.equal(res.headers.get('x-ratelimit-limit'), '60');
      assert.equal(res.headers.get('x-ratelimit-remaining'), String(59 - i));
    }
    const over = await api(server, 'GET', USER, { token });
    assert.equal(over.status, 429, over.text);
    assert.ok(over.headers.get('retry-after'));
  });
});
