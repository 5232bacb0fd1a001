// Issue 13 on two instances over one database and one Redis: the WedoCOD
// login throttle counts the failures sent to both (a peek and a hit in
// Redis) and a success on one clears it for both (DEL); a session made on
// one works on the other. Skipped without LATCHKEY_TEST_REDIS_URL.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { redisCommand, testRedisUrl, withDb } from '../lib/redis.mjs';
import { startPair } from '../lib/scale.mjs';
import { createAccount, PASSWORD, webClient } from '../lib/wedocod.mjs';

const SHARED = testRedisUrl();
const REDIS = SHARED && withDb(SHARED, 5);

describe('scale: the WedoCOD login throttle in Redis', () => {
  if (!REDIS) {
    test('needs LATCHKEY_TEST_REDIS_URL', { skip: 'LATCHKEY_TEST_REDIS_URL unset' }, () => {});
    return;
  }
  let pair;

  before(async () => {
    await redisCommand(REDIS, 'FLUSHDB');
    pair = await startPair({ LATCHKEY_REDIS_URL: REDIS });
    createAccount(pair.a, 'acme', 'owner@acme.test');
  }, { timeout: 60000 });

  after(async () => {
    if (pair) await pair.stop();
  });

  test('failures on both instances count together; a success clears them everywhere', async () => {
    const web = webClient(pair.a);
    await web.csrfCookie();
    const fail = (server) => {
      web.server = server;
      return web.request('POST', '/login', { body: { email: 'owner@acme.test', password: 'bad' } });
    };
    for (const s of [pair.a, pair.b, pair.a, pair.b]) assert.equal((await fail(s)).status, 422);
    const key = 'latchkey:rl:web_login|owner@acme.test|127.0.0.1';
    assert.equal(await redisCommand(REDIS, 'GET', key), '4');

    // A success on B (the session made on A) clears the key.
    web.server = pair.b;
    await web.login('owner@acme.test', PASSWORD);
    assert.equal(await redisCommand(REDIS, 'EXISTS', key), 0);
    web.server = pair.a;
    assert.equal((await web.request('GET', '/api/user')).status, 200, 'the session works on A');

    for (const s of [pair.a, pair.b, pair.a, pair.b, pair.a]) assert.equal((await fail(s)).status, 422);
    const locked = await fail(pair.b);
    assert.equal(locked.status, 429, locked.text);
    assert.match(locked.body.message, /^Too many login attempts\. Please try again in \d+ seconds\.$/);
  });
});
