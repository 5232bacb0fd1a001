// Issue #3: several instances behind one load balancer, for real. nginx runs
// the configuration README.md documents ("Behind a load balancer", taken
// from the file itself, with this run's ports) in front of two latchkey
// processes over one database and one Redis (LATCHKEY_TEST_REDIS_URL, db 4).
// Requests are spread over both; each client (a loopback source address)
// has its own login bucket, shared by both instances; a client cannot escape
// its bucket by sending its own X-Forwarded-For. Skipped without nginx or
// without the test Redis.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { redisCommand, testRedisUrl, withDb } from '../lib/redis.mjs';
import { nginxBin, readmeNginxBlock, startNginx } from '../lib/nginx.mjs';
import { loginFrom, startPair } from '../lib/scale.mjs';
import { api, syncLog, waitFor } from '../lib/server.mjs';

const SHARED = testRedisUrl();
const REDIS = SHARED && withDb(SHARED, 4);

// README's first ```nginx block, with the instances' and nginx's own addresses.
function readmeConfig(port, backends) {
  let conf = readmeNginxBlock();
  const servers = conf.match(/^ *server \S+:\d+[^;]*;$/gm) || [];
  assert.ok(servers.length >= 2, 'the upstream lists instances');
  const options = /server \S+:\d+([^;]*);/.exec(servers[0])[1];
  const lines = backends.map((b) => `    server ${b}${options};`).join('\n');
  conf = conf.replace(servers.join('\n'), lines);
  assert.match(conf, /listen 80;/);
  return conf.replace('listen 80;', `listen 127.0.0.1:${port};`);
}

const startNginxPair = (backends) => startNginx((port) => readmeConfig(port, backends));

// How many access-log lines of a server match re.
function count(server, re) {
  return server.stderr().split('\n').filter((l) => re.test(l)).length;
}

describe('scale: nginx (README configuration) in front of two instances', () => {
  const why = !nginxBin() ? 'nginx not installed' : !REDIS ? 'LATCHKEY_TEST_REDIS_URL unset' : null;
  if (why) {
    test('needs nginx and the test Redis', { skip: why }, () => {});
    return;
  }
  let pair;
  let nginx;
  let a;
  let b;

  before(async () => {
    await redisCommand(REDIS, 'FLUSHDB');
    pair = await startPair({ LATCHKEY_REDIS_URL: REDIS, LATCHKEY_RATE_TOKEN: '5/60',
      LATCHKEY_TRUSTED_PROXIES: '127.0.0.1' });
    ({ a, b } = pair);
    nginx = await startNginxPair([`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]);
  }, { timeout: 60000 });

  after(async () => {
    try {
      if (nginx) await nginx.stop();
    } finally {
      if (pair) await pair.stop();
    }
  }, { timeout: 30000 });

  test('requests are spread over both instances', async () => {
    // Lines of earlier requests are out before counting (the log is buffered).
    await Promise.all([a, b].map((s) => syncLog(s)));
    const before = [a, b].map((s) => count(s, /path=\/readyz /));
    for (let i = 0; i < 6; i++) {
      const res = await api(nginx.url, 'GET', '/readyz');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { status: 'ready', database: 'ok', redis: 'up' });
    }
    // Access-log lines are written as requests complete.
    await waitFor(() => count(a, /path=\/readyz /) + count(b, /path=\/readyz /) >=
      before[0] + before[1] + 6, { timeoutMs: 3000 });
    const served = [a, b].map((s, i) => count(s, /path=\/readyz /) - before[i]);
    assert.equal(served[0] + served[1], 6);
    assert.ok(served[0] >= 2 && served[1] >= 2, `served by A and B: ${served}`);
  });

  test('each client has one login bucket across both instances', async () => {
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(await loginFrom(nginx, { localAddress: '127.0.0.2' }));
    assert.deepEqual(seen.map((r) => r.status), [422, 422, 422, 422, 422, 429]);
    assert.deepEqual(seen.map((r) => r.remaining), [4, 3, 2, 1, 0, 0]);
    // Both instances counted this client, under its own address.
    await waitFor(() => count(a, /path=\/api\/v1\/auth\/token .*ip=127\.0\.0\.2 /) +
      count(b, /path=\/api\/v1\/auth\/token .*ip=127\.0\.0\.2 /) === 6, { timeoutMs: 3000 });
    assert.ok(count(a, /ip=127\.0\.0\.2 /) >= 2 && count(b, /ip=127\.0\.0\.2 /) >= 2,
      'A and B both saw 127.0.0.2');
    assert.equal(await redisCommand(REDIS, 'GET', 'latchkey:rl:token|ip:127.0.0.2'), '5');

    // Another client is not affected.
    const other = await loginFrom(nginx, { localAddress: '127.0.0.3' });
    assert.equal(other.status, 422);
    assert.equal(other.remaining, 4);
  });

  test('a client cannot leave its bucket with its own X-Forwarded-For', async () => {
    for (const xff of ['198.51.100.7', '127.0.0.1', '203.0.113.1, 198.51.100.7']) {
      const r = await loginFrom(nginx, { localAddress: '127.0.0.2', xff });
      assert.equal(r.status, 429, `X-Forwarded-For: ${xff}`);
    }
    assert.equal(await redisCommand(REDIS, 'EXISTS', 'latchkey:rl:token|ip:198.51.100.7'), 0);
  });
});
