// Issue 16, item 6: password guessing is limited per account across
// addresses and routes (LATCHKEY_RATE_ACCOUNT_LOGIN), in memory and in
// Redis; an address that signed in to the account before is not locked out;
// and the per-IP limits count an IPv6 client as its /64. Client addresses
// come from X-Forwarded-For through the trusted proxy 127.0.0.1.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createTenant, createUser, login } from '../lib/fixtures.mjs';
import { redisServerBin, startPrivateRedis } from '../lib/redis.mjs';
import { api, withServer } from '../lib/server.mjs';

const PASSWORD = 'Account-Limit-Pw-9';
const LOCKED = /^Too many login attempts\. Please try again in \d+ seconds\.$/;

const from = (addr) => ({ 'X-Forwarded-For': addr });
const travel = (server, email, password, addr) => login(server, email, password,
  { headers: from(addr) });
const admin = (server, email, password, addr) => api(server, 'POST', '/admin/auth/login',
  { body: { email, password }, headers: from(addr) });

async function scenario(extraEnv) {
  await withServer({ LATCHKEY_TRUSTED_PROXIES: '127.0.0.1', LATCHKEY_RATE_ACCOUNT_LOGIN: '4/60',
    ...extraEnv }, async (server) => {
    createTenant(server, 'acme');
    createUser(server, 'target@acme.test', { tenant: 'acme', password: PASSWORD });

    // The owner signs in from their usual address.
    assert.equal((await travel(server, 'target@acme.test', PASSWORD, '198.51.100.9')).status, 200);

    // Four wrong guesses from three addresses on two surfaces.
    for (const [fn, addr, status] of [[travel, '10.0.0.1', 422], [travel, '10.0.0.1', 422],
      [travel, '10.0.0.2', 422], [admin, '10.0.0.3', 401]]) {
      const res = await fn(server, 'Target@Acme.test', 'a wrong guess 1', addr);
      assert.equal(res.status, status, `${addr}: ${res.text}`);
    }

    // The account is locked for every other address, even with the right
    // password, on every route; Retry-After says for how long.
    for (const [fn, addr] of [[travel, '10.0.0.4'], [admin, '10.0.0.5'], [travel, '10.0.0.1']]) {
      const res = await fn(server, 'target@acme.test', PASSWORD, addr);
      assert.equal(res.status, 429, `${addr}: ${res.text}`);
      const wait = Number(res.headers.get('retry-after'));
      assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
      assert.match(res.body.message, LOCKED);
    }

    // Another account is not affected, nor is the owner's known address.
    assert.equal((await travel(server, 'someone@acme.test', 'a wrong guess 1', '10.0.0.4')).status,
      422);
    assert.equal((await travel(server, 'target@acme.test', PASSWORD, '198.51.100.9')).status, 200);
    // Their success cleared the failures: the others may try again.
    assert.equal((await travel(server, 'target@acme.test', PASSWORD, '10.0.0.4')).status, 200);
  });
}

describe('the per-account guessing limit', () => {
  test('in memory: two addresses and two routes share one account limit', { timeout: 60000 },
    () => scenario({}));

  test('in Redis: the same', { timeout: 60000, skip: redisServerBin() ? false : 'no redis-server' },
    async () => {
      const redis = await startPrivateRedis();
      try {
        await scenario({ LATCHKEY_REDIS_URL: redis.url });
      } finally {
        await redis.cleanup();
      }
    });
});

test('per-IP limits count an IPv6 client as its /64', { timeout: 60000 }, async () => {
  await withServer({ LATCHKEY_TRUSTED_PROXIES: '127.0.0.1', LATCHKEY_RATE_TOKEN: '2/60' },
    async (server) => {
      const guess = (addr, n) => travel(server, `nobody${n}@acme.test`, 'a wrong guess 1', addr);
      assert.equal((await guess('2001:db8:1:2::1', 1)).status, 422);
      assert.equal((await guess('2001:db8:1:2:ffff:ffff:ffff:fffe', 2)).status, 422);
      const third = await guess('2001:db8:1:2::abcd', 3);
      assert.equal(third.status, 429, 'the same /64 shares one bucket');
      assert.ok(Number(third.headers.get('retry-after')) >= 1);
      assert.equal((await guess('2001:db8:1:3::1', 4)).status, 422, 'another /64 has its own');
      assert.equal((await guess('192.0.2.1', 5)).status, 422, 'IPv4 addresses are their own');
      assert.equal((await guess('192.0.2.2', 6)).status, 422);
    });
});
