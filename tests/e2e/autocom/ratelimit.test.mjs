// Seed 002 "Rate Limiting": login 5/min per IP, register 3/min per IP, every
// other AutoCom route 60/min per user, with X-RateLimit-* headers on every
// response of those routes and 429 + Retry-After beyond the limit.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  call, login, loginOk, rateHeaders, register, registerOk, registration,
} from '../lib/autocom.mjs';
import { startServer } from '../lib/server.mjs';

const TOO_MANY = { message: 'Too Many Attempts.' };

function assertHeaders(res, limit, remaining, what) {
  const h = rateHeaders(res);
  assert.equal(h.limit, String(limit), `${what}: X-RateLimit-Limit`);
  assert.equal(h.remaining, String(remaining), `${what}: X-RateLimit-Remaining`);
  assert.match(h.reset || '', /^\d+$/, `${what}: X-RateLimit-Reset is a Unix time`);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Number(h.reset) >= now - 1 && Number(h.reset) <= now + 61, `${what}: reset ${h.reset}`);
}

function assert429(res, limit, what) {
  assert.equal(res.status, 429, `${what}: ${res.text}`);
  assert.deepEqual(res.body, TOO_MANY);
  assertHeaders(res, limit, 0, what);
  const retry = Number(res.headers.get('retry-after'));
  assert.ok(retry > 0 && retry <= 60, `${what}: Retry-After ${retry}`);
}

describe('autocom: the seed\'s default limits', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_LOGIN: null, LATCHKEY_RATE_REGISTER: null });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('register: 3 per minute per IP, every answer counts, the 4th is 429', async () => {
    const answers = [
      await register(server, registration('rl-store', 'rl@example.com')), // 201
      await register(server, {}), // 422
      await register(server, registration('rl-store', 'x@example.com')), // 422 taken
    ];
    assert.deepEqual(answers.map((r) => r.status), [201, 422, 422]);
    answers.forEach((res, i) => assertHeaders(res, 3, 2 - i, `register ${i + 1}`));
    assert429(await register(server, registration('rl-two', 'two@example.com')), 3, 'register 4');
  });

  test('login: 5 per minute per IP; the 6th is 429, even with the right password', async () => {
    const answers = [
      await login(server, 'rl-store', 'rl@example.com', 'securepass123'), // 200
      await login(server, 'rl-store', 'rl@example.com', 'wrong-password'), // 401
      await login(server, null, 'rl@example.com', 'securepass123'), // 400
      await login(server, 'nowhere', 'rl@example.com', 'securepass123'), // 404
      await login(server, 'rl-store', '', ''), // 422
    ];
    assert.deepEqual(answers.map((r) => r.status), [200, 401, 400, 404, 422]);
    answers.forEach((res, i) => assertHeaders(res, 5, 4 - i, `login ${i + 1}`));
    assert429(await login(server, 'rl-store', 'rl@example.com', 'securepass123'), 5, 'login 6');
  });
});

describe('autocom: every other route, 60/min per user (LATCHKEY_RATE_API=4/60)', () => {
  let server;
  let ann;
  let bob;

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_API: '4/60' });
    await registerOk(server, 'shop-a', 'ann@example.com');
    await registerOk(server, 'shop-b', 'bob@example.com');
    ann = (await loginOk(server, 'shop-a', 'ann@example.com')).token;
    bob = (await loginOk(server, 'shop-b', 'bob@example.com')).token;
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('counted per user across routes; another user has their own budget', async () => {
    const seq = [
      await call(server, 'GET', '/api/v1/auth/me', ann),
      await call(server, 'GET', '/api/v1/auth/tenants', ann),
      await call(server, 'POST', '/api/v1/auth/change-password', ann, { body: {} }), // 422
      await call(server, 'GET', '/api/v1/auth/me', ann, { tenant: 'shop-b' }), // 403
    ];
    assert.deepEqual(seq.map((r) => r.status), [200, 200, 422, 403]);
    seq.forEach((res, i) => assertHeaders(res, 4, 3 - i, `ann ${i + 1}`));
    assert429(await call(server, 'GET', '/api/v1/auth/me', ann), 4, 'ann 5');
    const other = await call(server, 'GET', '/api/v1/auth/me', bob);
    assert.equal(other.status, 200, other.text);
    assertHeaders(other, 4, 3, 'bob 1');
  });

  test('a request without a valid token is counted per IP and says so', async () => {
    const res = await call(server, 'GET', '/api/v1/auth/me', 'not.a.token');
    assert.equal(res.status, 401);
    assertHeaders(res, 4, 3, 'anonymous 1');
  });

  test('JWKS and health are not limited', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await call(server, 'GET', '/.well-known/jwks.json');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-ratelimit-limit'), null);
    }
  });
});
