// Seed 002: POST /api/v1/auth/logout - revokes the presented JWT (its jti row);
// 401 afterwards, while the user's other tokens keep working.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { UNAUTHENTICATED, call, loginOk, registerOk, verifyWithJose } from '../lib/autocom.mjs';
import { cliJson, startServer } from '../lib/server.mjs';

describe('autocom: POST /api/v1/auth/logout', () => {
  let server;

  before(async () => {
    server = await startServer();
    await registerOk(server, 'my-store', 'john@mystore.com');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('200 with the seed body; that token is 401 from then on, others still work', async () => {
    const a = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    const b = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
    const res = await call(server, 'POST', '/api/v1/auth/logout', a, { tenant: 'my-store' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { message: 'Successfully logged out' });

    for (const [method, path] of [['GET', '/api/v1/auth/me'], ['GET', '/api/v1/auth/tenants'],
      ['POST', '/api/v1/auth/logout']]) {
      const after = await call(server, method, path, a, { tenant: 'my-store' });
      assert.equal(after.status, 401, `${method} ${path}: ${after.text}`);
      assert.deepEqual(after.body, UNAUTHENTICATED);
    }
    const other = await call(server, 'GET', '/api/v1/auth/me', b, { tenant: 'my-store' });
    assert.equal(other.status, 200, other.text);

    // The row is kept, marked revoked (audit trail), and the signature itself
    // still verifies offline until exp: revocation is latchkey's to check.
    const { payload } = await verifyWithJose(server, a);
    const row = cliJson(server.cli, 'token', 'list', '--user', 'john@mystore.com')
      .find((r) => String(r.id) === payload.jti);
    assert.ok(row.revoked_at, 'revoked_at is set');
  });

  test('without a token: 401', async () => {
    const res = await call(server, 'POST', '/api/v1/auth/logout', undefined);
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, UNAUTHENTICATED);
  });
});
