// Issue #3, fault test: Redis stops in the middle of a run. Two instances
// share a private redis-server (started here, so stopping it disturbs no
// other test file). While it is down, requests still succeed, each instance
// counting in its own memory, and each logs the loss exactly once; when it is
// back, each logs that once, and the counters are shared in Redis again.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { login } from '../lib/fixtures.mjs';
import { redisCommand, redisServerBin, startPrivateRedis } from '../lib/redis.mjs';
import { logLines, startPair } from '../lib/scale.mjs';
import { api, sleep, syncLog, waitFor, waitForLog } from '../lib/server.mjs';

const RATE_KEY = 'latchkey:rl:token|ip:127.0.0.1';
const LIMIT = 1000;

// One throttled request (an unknown user: 422, cheap); returns
// {status, remaining, ms}.
async function hit(server) {
  const t0 = Date.now();
  const res = await login(server, 'nobody@example.com', 'x');
  return { status: res.status, remaining: Number(res.headers.get('x-ratelimit-remaining')),
    ms: Date.now() - t0 };
}

async function redisCount(url) {
  try {
    const v = await redisCommand(url, 'GET', RATE_KEY);
    return v === null ? 0 : Number(v);
  } catch {
    return null;
  }
}

describe('scale: Redis goes away and comes back', () => {
  if (!redisServerBin()) {
    test('needs redis-server', { skip: 'redis-server not installed' }, () => {});
    return;
  }
  let redis;
  let pair;
  let a;
  let b;

  before(async () => {
    redis = await startPrivateRedis();
    pair = await startPair({ LATCHKEY_REDIS_URL: redis.url, LATCHKEY_RATE_TOKEN: `${LIMIT}/60` });
    ({ a, b } = pair);
  }, { timeout: 60000 });

  after(async () => {
    try {
      if (pair) await pair.stop();
    } finally {
      if (redis) await redis.cleanup();
    }
  }, { timeout: 30000 });

  test('up: hits on A and B count together in Redis', async () => {
    const first = await hit(a);
    const second = await hit(b);
    assert.equal(first.status, 422);
    assert.equal(first.remaining, LIMIT - 1);
    assert.equal(second.status, 422);
    assert.equal(second.remaining, LIMIT - 2, 'B saw A\'s hit');
    assert.equal(await redisCount(redis.url), 2);
  });

  test('down: requests succeed from memory, one warning per instance', async () => {
    await redis.stop();
    // Spread over more than two retry intervals (1 s), so retries happen.
    const seen = { a: [], b: [] };
    const t0 = Date.now();
    while (Date.now() - t0 < 2500) {
      seen.a.push(await hit(a));
      seen.b.push(await hit(b));
      await sleep(100);
    }
    for (const [name, hits] of Object.entries(seen)) {
      assert.ok(hits.every((h) => h.status === 422), `${name}: ${JSON.stringify(hits)}`);
      // Memory counts this instance's hits alone, from the first one after the loss.
      assert.deepEqual(hits.map((h) => h.remaining), hits.map((_, i) => LIMIT - 1 - i), name);
      const slowest = Math.max(...hits.map((h) => h.ms));
      assert.ok(slowest < 1000, `${name}: a request took ${slowest} ms while Redis was down`);
    }
    for (const s of [a, b]) {
      await syncLog(s);
      assert.equal(logLines(s, 'event=ratelimit_store_down'), 1, s.stderr());
      assert.match(s.stderr(), /level=warn event=ratelimit_store_down store=redis err="[^"]+" fallback=memory retry_ms=1000/);
      assert.equal(logLines(s, 'event=ratelimit_store_up'), 0, s.stderr());
      assert.ok(!s.stderr().includes('status=5'), 'no 5xx in the access log');
      // Still ready (it serves correctly from memory), with Redis reported down.
      const ready = await api(s, 'GET', '/readyz');
      assert.equal(ready.status, 200, ready.text);
      assert.deepEqual(ready.body, { status: 'ready', database: 'ok', redis: 'down' });
    }
  });

  test('back: both return to Redis by themselves, one info line each', async () => {
    await redis.start();
    // The next hit after a retry is due (at most 1 s) goes to Redis again.
    for (const s of [a, b]) {
      const before = await redisCount(redis.url);
      const back = await waitFor(async () => {
        await hit(s);
        return (await redisCount(redis.url)) > before;
      }, { timeoutMs: 5000, everyMs: 100 });
      assert.ok(back, `${s.url} did not count in Redis again within 5 s`);
      await waitForLog(s, 'event=ratelimit_store_up');
      assert.equal(logLines(s, 'event=ratelimit_store_up'), 1, s.stderr());
      assert.match(s.stderr(), /level=info event=ratelimit_store_up store=redis/);
      assert.equal(logLines(s, 'event=ratelimit_store_down'), 1, s.stderr());
      assert.deepEqual((await api(s, 'GET', '/readyz')).body,
        { status: 'ready', database: 'ok', redis: 'up' });
    }
    // Proof that they share counts again: alternate and watch one sequence.
    const start = await redisCount(redis.url);
    const seq = [];
    for (const s of [a, b, a, b, b, a]) seq.push((await hit(s)).remaining);
    assert.deepEqual(seq, [1, 2, 3, 4, 5, 6].map((i) => LIMIT - start - i));
    assert.equal(await redisCount(redis.url), start + 6);
  });
});
