// WedoCOD (seed 000): the lists are Laravel's LengthAwarePaginator:
// per_page (default 15, 1..100, the seed's ?per_page=25), page, links,
// from/to, URLs on LATCHKEY_PUBLIC_URL.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../lib/server.mjs';
import { PAGE_KEYS, call, createAccount, createMember, makeLead, makeOrder, token } from '../lib/wedocod.mjs';

const PUBLIC = 'https://cod.example.test';

describe('wedocod: pagination', () => {
  let server;
  let tok;
  const ids = [];

  before(async () => {
    server = await startServer({ LATCHKEY_PUBLIC_URL: PUBLIC });
    createAccount(server, 'acme');
    createMember(server, 'owner@acme.test', 'acme');
    tok = token(server, 'owner@acme.test', 'acme');
    for (let i = 0; i < 32; i++) ids.push((await makeLead(server, tok, { customer_name: `C${i}` })).id);
    ids.reverse(); // newest first
    await makeOrder(server, tok);
  }, { timeout: 120000 });

  after(async () => { if (server) await server.stop(); }, { timeout: 30000 });

  test('default: 15 per page, the paginator keys in Laravel\'s order', async () => {
    const r = await call(server, 'GET', '/leads', tok);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), PAGE_KEYS);
    const p = r.body;
    assert.equal(p.current_page, 1);
    assert.equal(p.per_page, 15);
    assert.equal(p.total, 32);
    assert.equal(p.last_page, 3);
    assert.equal(p.from, 1);
    assert.equal(p.to, 15);
    assert.deepEqual(p.data.map((l) => l.id), ids.slice(0, 15));
    assert.equal(p.path, `${PUBLIC}/api/web/1.0/leads`);
    assert.equal(p.first_page_url, `${PUBLIC}/api/web/1.0/leads?page=1`);
    assert.equal(p.last_page_url, `${PUBLIC}/api/web/1.0/leads?page=3`);
    assert.equal(p.next_page_url, `${PUBLIC}/api/web/1.0/leads?page=2`);
    assert.equal(p.prev_page_url, null);
    assert.deepEqual(p.links.map((l) => [l.label, l.active]), [
      ['&laquo; Previous', false], ['1', true], ['2', false], ['3', false], ['Next &raquo;', false]]);
    assert.equal(p.links[0].url, null);
    assert.equal(p.links[2].url, `${PUBLIC}/api/web/1.0/leads?page=2`);
  });

  test('the seed\'s ?per_page=25, page 2; past the end is empty', async () => {
    const r = await call(server, 'GET', '/leads?per_page=25&page=2', tok);
    assert.equal(r.status, 200);
    assert.equal(r.body.per_page, 25);
    assert.equal(r.body.from, 26);
    assert.equal(r.body.to, 32);
    assert.deepEqual(r.body.data.map((l) => l.id), ids.slice(25));
    assert.equal(r.body.prev_page_url, `${PUBLIC}/api/web/1.0/leads?per_page=25&page=1`);
    assert.equal(r.body.next_page_url, null);
    const past = await call(server, 'GET', '/leads?per_page=25&page=9', tok);
    assert.deepEqual(past.body.data, []);
    assert.equal(past.body.from, null);
    assert.equal(past.body.to, null);
    for (const page of ['0', '-3', 'abc']) {
      const p = await call(server, 'GET', `/leads?page=${page}`, tok);
      assert.equal(p.body.current_page, 1, `page=${page} is page 1`);
    }
  });

  test('per_page bounds: 1 and 100 pass; 0, 101, text are 422', async () => {
    assert.equal((await call(server, 'GET', '/leads?per_page=1', tok)).body.data.length, 1);
    assert.equal((await call(server, 'GET', '/leads?per_page=100', tok)).body.data.length, 32);
    for (const [v, msg] of [['0', 'The per page field must be between 1 and 100.'],
      ['101', 'The per page field must be between 1 and 100.'],
      ['x', 'The per page field must be an integer.']]) {
      for (const path of ['/leads', '/orders']) {
        const r = await call(server, 'GET', `${path}?per_page=${v}`, tok);
        assert.equal(r.status, 422, `${path} per_page=${v}`);
        assert.deepEqual(r.body, { message: msg, errors: { per_page: [msg] } });
      }
    }
  });

  test('orders use the same paginator', async () => {
    const r = await call(server, 'GET', '/orders', tok);
    assert.deepEqual(Object.keys(r.body), PAGE_KEYS);
    assert.equal(r.body.total, 1);
    assert.equal(r.body.path, `${PUBLIC}/api/web/1.0/orders`);
  });
});
