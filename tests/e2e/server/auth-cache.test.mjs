// The principal cache (LATCHKEY_AUTH_CACHE, on by default) never outlives a
// change: a token revoked, a user or membership suspended, a role changed,
// by the CLI (another process) or through the API, applies to the very next
// request, also while other requests keep the cache warm.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  cliToken, createSeedData, loginOk, MEMBERSHIP_SUSPENDED, SUSPENDED, UNAUTHENTICATED,
} from '../lib/fixtures.mjs';
import { api, cliJson, startServer } from '../lib/server.mjs';

const USER = '/api/v1/auth/user';

describe('auth cache: changes apply to the next request', () => {
  let server;
  let seed;

  before(async () => {
    server = await startServer();
    seed = createSeedData(server);
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  // A few requests in parallel and in a row, so the entry is cached on
  // every worker thread before the change.
  async function warm(token, times = 20) {
    for (let i = 0; i < times / 4; i++) {
      const rs = await Promise.all([0, 1, 2, 3].map(() => api(server, 'GET', USER, { token })));
      for (const r of rs) assert.equal(r.status, 200, r.text);
    }
  }

  test('a token revoked by the CLI fails on the next request', async () => {
    const token = cliToken(server, 'john@example.com', 'safeway', 'cache-1');
    await warm(token);
    const id = token.split('|')[0];
    cliJson(server.cli, 'token', 'revoke', id);
    const r = await api(server, 'GET', USER, { token });
    assert.equal(r.status, 401, r.text);
    assert.deepEqual(r.body, UNAUTHENTICATED);
  });

  test('a user suspended and reactivated by the CLI: 403, then 200', async () => {
    const token = cliToken(server, 'john@example.com', 'safeway', 'cache-2');
    await warm(token);
    cliJson(server.cli, 'user', 'set-status', '--email', 'john@example.com', '--status', 'suspended');
    const r = await api(server, 'GET', USER, { token });
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(r.body, SUSPENDED);
    cliJson(server.cli, 'user', 'set-status', '--email', 'john@example.com', '--status', 'active');
    const back = await api(server, 'GET', USER, { token });
    assert.equal(back.status, 200, back.text);
  });

  test('a membership suspended by the CLI: 403 on the next request', async () => {
    const token = cliToken(server, 'john@example.com', 'safeway', 'cache-3');
    await warm(token);
    cliJson(server.cli, 'member', 'set-status', '--user', 'john@example.com', '--tenant', 'safeway',
      '--status', 'suspended');
    const r = await api(server, 'GET', USER, { token });
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(r.body, MEMBERSHIP_SUSPENDED);
    cliJson(server.cli, 'member', 'set-status', '--user', 'john@example.com', '--tenant', 'safeway',
      '--status', 'active');
    assert.equal((await api(server, 'GET', USER, { token })).status, 200);
  });

  test('a token revoked through the API fails on the next request, under load', async () => {
    const { token } = await loginOk(server, 'john@example.com', seed.password);
    const other = cliToken(server, 'john@example.com', 'safeway', 'cache-4');
    await warm(token);
    // Another token keeps both workers busy while this one is revoked.
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const r = await api(server, 'GET', USER, { token: other });
        assert.equal(r.status, 200, r.text);
      }
    })();
    const rv = await api(server, 'POST', '/api/v1/auth/revoke', { token });
    assert.equal(rv.status, 200, rv.text);
    for (let i = 0; i < 10; i++) {
      const r = await api(server, 'GET', USER, { token });
      assert.equal(r.status, 401, `request ${i} after the revocation: ${r.text}`);
    }
    stop = true;
    await load;
  });
});
