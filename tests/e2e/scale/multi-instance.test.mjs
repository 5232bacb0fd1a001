// Issue #3: two latchkey processes on different ports over the same database
// and the same Redis, as behind a load balancer. Tokens issued by one work on
// the other; a revocation or suspension made through one is enforced by the
// other within 1 second, with the principal caches on (on PostgreSQL they
// follow the other instance's changes by LISTEN/NOTIFY); the login limit counts the requests sent to
// both (counters in Redis).
//
// Runs on whatever database the harness gives (a shared SQLite file, or
// PostgreSQL when LATCHKEY_TEST_PG_URL is set) and on the shared test Redis
// (LATCHKEY_TEST_REDIS_URL, db 3, flushed first); skipped without it.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  MEMBERSHIP_SUSPENDED, SUSPENDED, UNAUTHENTICATED, cliToken, createTenant, createUser, login,
  loginOk,
} from '../lib/fixtures.mjs';
import { redisCommand, testRedisUrl, withDb } from '../lib/redis.mjs';
import { logLines, startPair, within } from '../lib/scale.mjs';
import { api, cliJson } from '../lib/server.mjs';

const SHARED = testRedisUrl();
const REDIS = SHARED && withDb(SHARED, 3);
const RATE_KEY = 'latchkey:rl:token|ip:127.0.0.1';
const PASSWORD = 'scale-out-pass-1';

const status = (server, token) => async () =>
  (await api(server, 'GET', '/api/v1/auth/user', { token })).status;

describe('scale: two instances, one database, one Redis', () => {
  if (!REDIS) {
    test('needs LATCHKEY_TEST_REDIS_URL', { skip: 'LATCHKEY_TEST_REDIS_URL unset' }, () => {});
    return;
  }
  let pair;
  let a;
  let b;

  before(async () => {
    await redisCommand(REDIS, 'FLUSHDB');
    pair = await startPair({ LATCHKEY_REDIS_URL: REDIS, LATCHKEY_RATE_TOKEN: '5/60' });
    ({ a, b } = pair);
    createTenant(a, 'acme', 'Acme Travel');
    createUser(a, 'ann@example.com', { password: PASSWORD, tenant: 'acme' });
    createUser(a, 'bob@example.com', { password: PASSWORD, tenant: 'acme' });
    createUser(a, 'cat@example.com', { password: PASSWORD, tenant: 'acme' });
  }, { timeout: 60000 });

  after(async () => {
    if (pair) await pair.stop();
  }, { timeout: 30000 });

  test('both instances count in Redis (start-up line, no fallback)', () => {
    for (const s of [a, b]) {
      assert.equal(logLines(s, 'event=ratelimit_store store=redis'), 1, s.stderr());
      assert.match(s.stderr(), /event=ratelimit_store store=redis host=127\.0\.0\.1 port=\d+ db=3 state=up/);
      assert.equal(logLines(s, 'event=ratelimit_store_down'), 0, s.stderr());
    }
  });

  test('GET /readyz on both: database ok, redis up', async () => {
    for (const s of [a, b]) {
      const res = await api(s, 'GET', '/readyz');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { status: 'ready', database: 'ok', redis: 'up' });
    }
  });

  test('a token issued by A is accepted by B, and the reverse', async () => {
    const fromA = await loginOk(a, 'ann@example.com', PASSWORD);
    const onB = await api(b, 'GET', '/api/v1/auth/user', { token: fromA.token });
    assert.equal(onB.status, 200, onB.text);
    assert.equal(onB.body.email, 'ann@example.com');
    assert.equal(onB.body.id, fromA.user.id);

    const fromB = await loginOk(b, 'ann@example.com', PASSWORD);
    const onA = await api(a, 'GET', '/api/v1/auth/profile', { token: fromB.token });
    assert.equal(onA.status, 200, onA.text);
    assert.equal(onA.body.id, fromA.user.id);
  });

  test('revoked on A: B answers 401 within 1 s', async () => {
    const token = cliToken(a, 'ann@example.com', 'acme', 'revoke-me');
    const other = cliToken(a, 'ann@example.com', 'acme', 'keep-me');
    assert.equal(await status(b, token)(), 200);
    const rev = await api(a, 'POST', '/api/v1/auth/revoke', { token });
    assert.equal(rev.status, 200, rev.text);
    const seen = await within(1000, 401, status(b, token));
    assert.ok(seen.ok, `B still answered ${seen.last} ${seen.ms} ms after the revocation on A`);
    const res = await api(b, 'GET', '/api/v1/auth/user', { token });
    assert.deepEqual(res.body, UNAUTHENTICATED);
    assert.equal(await status(a, token)(), 401);
    // The user's other token is untouched on both.
    assert.equal(await status(a, other)(), 200);
    assert.equal(await status(b, other)(), 200);
  });

  test('revoked with the CLI: both answer 401 within 1 s', async () => {
    const created = cliJson(a.cli, 'token', 'create', '--user', 'cat@example.com',
      '--tenant', 'acme', '--name', 'cli-revoke');
    assert.equal(await status(a, created.token)(), 200);
    assert.equal(await status(b, created.token)(), 200);
    const id = created.id ?? created.token.split('|')[0];
    cliJson(b.cli, 'token', 'revoke', String(id));
    for (const s of [a, b]) {
      const seen = await within(1000, 401, status(s, created.token));
      assert.ok(seen.ok, `${s.url} answered ${seen.last} ${seen.ms} ms after the revocation`);
    }
  });

  test('membership suspended and reactivated (CLI): both enforce it within 1 s', async () => {
    const token = cliToken(a, 'bob@example.com', 'acme', 'member');
    assert.equal(await status(a, token)(), 200);
    assert.equal(await status(b, token)(), 200);

    cliJson(a.cli, 'member', 'set-status', '--user', 'bob@example.com', '--tenant', 'acme',
      '--status', 'suspended');
    for (const s of [b, a]) {
      const seen = await within(1000, 403, status(s, token));
      assert.ok(seen.ok, `${s.url} answered ${seen.last} ${seen.ms} ms after the suspension`);
      const res = await api(s, 'GET', '/api/v1/auth/user', { token });
      assert.deepEqual(res.body, MEMBERSHIP_SUSPENDED);
    }

    cliJson(a.cli, 'member', 'set-status', '--user', 'bob@example.com', '--tenant', 'acme',
      '--status', 'active');
    for (const s of [b, a]) {
      const seen = await within(1000, 200, status(s, token));
      assert.ok(seen.ok, `${s.url} answered ${seen.last} ${seen.ms} ms after the reactivation`);
    }
  });

  test('user suspended (CLI): both refuse within 1 s, then accept again', async () => {
    const token = cliToken(a, 'cat@example.com', 'acme', 'user-status');
    assert.equal(await status(b, token)(), 200);
    cliJson(b.cli, 'user', 'set-status', '--email', 'cat@example.com', '--status', 'suspended');
    for (const s of [a, b]) {
      const seen = await within(1000, 403, status(s, token));
      assert.ok(seen.ok, `${s.url} answered ${seen.last} ${seen.ms} ms after the suspension`);
      assert.deepEqual((await api(s, 'GET', '/api/v1/auth/user', { token })).body, SUSPENDED);
    }
    cliJson(b.cli, 'user', 'set-status', '--email', 'cat@example.com', '--status', 'active');
    for (const s of [a, b]) {
      const seen = await within(1000, 200, status(s, token));
      assert.ok(seen.ok, `${s.url} answered ${seen.last} after the reactivation`);
    }
  });

  test('the login limit (5/60 per IP) counts requests sent to both: 3 to A + 3 to B', async () => {
    await redisCommand(REDIS, 'DEL', RATE_KEY);
    const t0 = Math.floor(Date.now() / 1000);
    const seq = [a, a, a, b, b];
    const resets = [];
    for (let i = 0; i < seq.length; i++) {
      const res = await login(seq[i], 'ann@example.com', i % 2 ? 'wrong' : PASSWORD);
      assert.equal(res.status, i % 2 ? 422 : 200, `request ${i + 1}: ${res.text}`);
      assert.equal(res.headers.get('x-ratelimit-limit'), '5');
      assert.equal(res.headers.get('x-ratelimit-remaining'), String(4 - i), `request ${i + 1}`);
      resets.push(Number(res.headers.get('x-ratelimit-reset')));
    }
    // One window, started by the first request: every instance reports the same end.
    assert.ok(resets.every((r) => Math.abs(r - resets[0]) <= 1), `resets ${resets}`);
    assert.ok(resets[0] >= t0 + 59 && resets[0] <= t0 + 62, `reset ${resets[0]} (t0 ${t0})`);

    const sixth = await login(b, 'ann@example.com', PASSWORD);
    assert.equal(sixth.status, 429, sixth.text);
    assert.deepEqual(sixth.body, { message: 'Too Many Attempts.' });
    assert.equal(sixth.headers.get('x-ratelimit-remaining'), '0');
    const retry = Number(sixth.headers.get('retry-after'));
    // Retry-After is Redis's TTL rounded up: exact to the second.
    const pttl = await redisCommand(REDIS, 'PTTL', RATE_KEY);
    assert.ok(pttl > 0 && pttl <= 60000, `PTTL ${pttl}`);
    assert.ok(retry >= Math.ceil(pttl / 1000) && retry <= Math.ceil(pttl / 1000) + 1,
      `Retry-After ${retry}, PTTL ${pttl} ms`);
    // The refused hit was not counted; A refuses too.
    assert.equal(await redisCommand(REDIS, 'GET', RATE_KEY), '5');
    const onA = await login(a, 'ann@example.com', PASSWORD);
    assert.equal(onA.status, 429, onA.text);
    assert.equal(await redisCommand(REDIS, 'GET', RATE_KEY), '5');
  });
});
