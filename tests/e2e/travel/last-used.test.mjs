// last_used_at is written in batches (DESIGN section 4): visible in
// `token list` after the flush interval, and after a clean shutdown.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { cliToken, createTenant, createUser } from '../lib/fixtures.mjs';
import { api, cliJson, ISO_ANY_RE, parseToken, waitFor, withServer } from '../lib/server.mjs';

function lastUsed(server, tokenId) {
  const row = cliJson(server.cli, 'token', 'list', '--user', 'lu@example.com')
    .find((r) => String(r.id) === tokenId);
  assert.ok(row, `token ${tokenId} is listed`);
  return row.last_used_at;
}

describe('travel: last_used_at', () => {
  // withServer() also fails a test whose server does not exit 0 on SIGTERM.
  test('flushed after LATCHKEY_LAST_USED_FLUSH_MS', async () => {
    await withServer({ LATCHKEY_LAST_USED_FLUSH_MS: '100' }, async (server) => {
      createTenant(server, 'lu', 'Last Used');
      createUser(server, 'lu@example.com', { password: 'lu-password', tenant: 'lu' });
      const token = cliToken(server, 'lu@example.com', 'lu');
      const id = parseToken(token).id;
      assert.equal(lastUsed(server, id), null, 'never used yet');
      assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token })).status, 200);
      const v = await waitFor(() => lastUsed(server, id), { timeoutMs: 5000, everyMs: 100 });
      assert.ok(v, 'last_used_at set within a few flush intervals');
      assert.match(v, ISO_ANY_RE);
      assert.ok(Math.abs(Date.parse(v) - Date.now()) < 60000, `last_used_at ${v} is recent`);
    });
  });

  test('flushed at shutdown', async () => {
    await withServer({ LATCHKEY_LAST_USED_FLUSH_MS: '3600000' }, async (server) => {
      createTenant(server, 'lu', 'Last Used');
      createUser(server, 'lu@example.com', { password: 'lu-password', tenant: 'lu' });
      const token = cliToken(server, 'lu@example.com', 'lu');
      const id = parseToken(token).id;
      assert.equal((await api(server, 'GET', '/api/v1/auth/profile', { token })).status, 200);
      await server.stop({ keep: true });
      const v = lastUsed(server, id);
      assert.ok(v, 'last_used_at written at shutdown');
      assert.match(v, ISO_ANY_RE);
    });
  });
});
