// WedoCOD (seed 000): the REST API is throttled like Laravel's api group:
// 60 a minute per user (LATCHKEY_RATE_API), X-RateLimit-* on every
// response, 429 with Retry-After past the limit, counted per user.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../lib/server.mjs';
import { call, createAccount, createMember, token } from '../lib/wedocod.mjs';

describe('wedocod: api throttle (LATCHKEY_RATE_API=5/60)', () => {
  let server;

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_API: '5/60' });
    createAccount(server, 'acme');
    createMember(server, 'a@acme.test', 'acme');
    createMember(server, 'b@acme.test', 'acme');
  }, { timeout: 60000 });

  after(async () => { if (server) await server.stop(); }, { timeout: 30000 });

  test('headers on each response; the 6th request of a user is 429; others unaffected', async () => {
    const t1 = token(server, 'a@acme.test', 'acme');
    const t2 = token(server, 'a@acme.test', 'acme');
    const paths = ['/leads', '/orders', '/leads/999', '/orders', '/leads'];
    for (let i = 0; i < 5; i++) {
      const r = await call(server, 'GET', paths[i], i % 2 ? t2 : t1);
      assert.notEqual(r.status, 429);
      assert.equal(r.headers.get('x-ratelimit-limit'), '5');
      assert.equal(r.headers.get('x-ratelimit-remaining'), String(4 - i));
      assert.match(r.headers.get('x-ratelimit-reset'), /^\d+$/);
    }
    const over = await call(server, 'POST', '/leads', t2, { customer_name: 'x', phone: '1' });
    assert.equal(over.status, 429);
    assert.deepEqual(over.body, { message: 'Too Many Attempts.' });
    assert.match(over.headers.get('retry-after'), /^\d+$/);
    assert.equal(over.headers.get('x-ratelimit-remaining'), '0');
    const other = await call(server, 'GET', '/leads', token(server, 'b@acme.test', 'acme'));
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('x-ratelimit-remaining'), '4');
  });
});
