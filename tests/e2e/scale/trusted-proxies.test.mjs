// LATCHKEY_TRUSTED_PROXIES: behind a load balancer the client address comes
// from X-Forwarded-For, but only when the peer is a trusted proxy, and then
// the rightmost address that is not a trusted proxy (a client cannot pick
// its own). The login throttle (per IP) shows which address was used.
//
// Clients are simulated by binding the loopback source address (127.0.0.1
// plays the trusted proxy, 127.0.0.2 an untrusted peer).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loginFrom } from '../lib/scale.mjs';
import { startServer, waitFor } from '../lib/server.mjs';

// The ip= of the access-log lines of the token route, in order, once there
// is one per request sent (the line is written when the request completes).
async function loggedIps(server, sent) {
  const lines = () => server.stderr().split('\n')
    .filter((l) => l.includes('path=/api/v1/auth/token'));
  await waitFor(() => lines().length >= sent, { timeoutMs: 3000 });
  return lines().map((l) => /ip=(\S+)/.exec(l)?.[1]);
}

describe('trusted proxies: X-Forwarded-For names the client only through a trusted peer', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8',
      LATCHKEY_RATE_TOKEN: '2/60' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('from a trusted proxy, each forwarded client has its own bucket', async () => {
    const a = [];
    for (let i = 0; i < 3; i++) a.push(await loginFrom(server, { xff: '203.0.113.5' }));
    assert.deepEqual(a.map((r) => r.status), [422, 422, 429]);
    const b = await loginFrom(server, { xff: '203.0.113.6' });
    assert.equal(b.status, 422);
    assert.equal(b.remaining, 1);
    assert.deepEqual((await loggedIps(server, 4)).slice(-4),
      ['203.0.113.5', '203.0.113.5', '203.0.113.5', '203.0.113.6']);
  });

  test('addresses a client puts before the proxy\'s own entry are ignored', async () => {
    // The client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended what it saw.
    const r = await loginFrom(server, { xff: '198.51.100.1, 203.0.113.5' });
    assert.equal(r.status, 429, 'still 203.0.113.5\'s exhausted bucket');
    // Chained trusted proxies are skipped: the client is left of them.
    const chained = await loginFrom(server, { xff: '203.0.113.5, 10.1.2.3, 10.9.9.9' });
    assert.equal(chained.status, 429);
    // Several header lines are one list, in order: the last line's entry wins.
    const lines = await loginFrom(server, { xff: ['203.0.113.77', '203.0.113.5'] });
    assert.equal(lines.status, 429);
    // Garbage stops the walk at the last good hop.
    const garbage = await loginFrom(server, { xff: 'not-an-ip, 203.0.113.8' });
    assert.equal(garbage.status, 422);
    assert.deepEqual((await loggedIps(server, 8)).slice(-4),
      ['203.0.113.5', '203.0.113.5', '203.0.113.5', '203.0.113.8']);
  });

  test('from an untrusted peer, X-Forwarded-For is ignored', async () => {
    const seen = [];
    for (const xff of ['198.51.100.1', '198.51.100.2', undefined]) {
      seen.push((await loginFrom(server, { localAddress: '127.0.0.2', xff })).status);
    }
    assert.deepEqual(seen, [422, 422, 429]);
    assert.deepEqual((await loggedIps(server, 11)).slice(-3), ['127.0.0.2', '127.0.0.2', '127.0.0.2']);
  });
});

describe('trusted proxies: none by default', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_TOKEN: '2/60' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('X-Forwarded-For from 127.0.0.1 is ignored', async () => {
    const seen = [];
    for (const xff of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      seen.push((await loginFrom(server, { xff })).status);
    }
    assert.deepEqual(seen, [422, 422, 429]);
    assert.deepEqual(await loggedIps(server, 3), ['127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });
});
