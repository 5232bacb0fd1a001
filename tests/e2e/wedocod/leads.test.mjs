// WedoCOD (seed 000): /api/web/1.0/leads with a scoped token: create, show,
// update (PATCH and PUT), status transitions, delete, list with status and
// search filters, exact money, 401/404.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, startServer } from '../lib/server.mjs';
import {
  API, LARAVEL_TIME_RE, LEAD, LEAD_KEYS, LEAD_NOT_FOUND, UNAUTHENTICATED, call, createAccount,
  createMember, makeLead, token,
} from '../lib/wedocod.mjs';

describe('wedocod: leads', () => {
  let server;
  let tok;

  before(async () => {
    server = await startServer();
    createAccount(server, 'acme');
    createMember(server, 'owner@acme.test', 'acme');
    // The seed's scopes hold spaces: the CLI takes them comma-separated.
    tok = token(server, 'owner@acme.test', 'acme',
      ['VIEW LEADS', 'CREATE LEADS', 'UPDATE LEADS', 'DELETE LEADS']);
  }, { timeout: 60000 });

  after(async () => { if (server) await server.stop(); }, { timeout: 30000 });

  test('POST /leads: 201, every field, exact money, Laravel timestamps', async () => {
    const r = await call(server, 'POST', '/leads', tok, LEAD);
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(Object.keys(r.body), LEAD_KEYS);
    assert.equal(r.body.customer_name, 'Amina Haddad');
    assert.equal(r.body.city, 'Casablanca');
    assert.equal(r.body.quantity, 2);
    assert.equal(r.body.status, 'new');
    assert.match(r.text, /"price":149\.90[,}]/, 'two decimals, as a number');
    assert.match(r.body.created_at, LARAVEL_TIME_RE);
    assert.ok(Number.isInteger(r.body.account_id));
  });

  test('defaults: quantity 1, price 0.00, status new, optional fields null', async () => {
    const l = await makeLead(server, tok, { address: undefined, city: undefined, product: undefined,
      quantity: undefined, price: undefined, notes: undefined });
    assert.equal(l.quantity, 1);
    assert.equal(l.price, 0);
    assert.equal(l.status, 'new');
    for (const k of ['address', 'city', 'product', 'notes']) assert.equal(l[k], null, k);
  });

  test('money is exact: 0.1 + cents in strings and numbers, never a double error', async () => {
    for (const [given, text] of [[0.1, '0.10'], ['19.99', '19.99'], [1234567.89, '1234567.89'],
      ['0.5', '0.50'], [7, '7.00'], [99999999.99, '99999999.99']]) {
      const r = await call(server, 'POST', '/leads', tok, { ...LEAD, price: given });
      assert.equal(r.status, 201, r.text);
      assert.ok(r.text.includes(`"price":${text},`), `${given} -> ${text}: ${r.text}`);
    }
  });

  test('GET /leads/{id}; unknown or malformed id is 404 "Lead not found."', async () => {
    const l = await makeLead(server, tok);
    const r = await call(server, 'GET', `/leads/${l.id}`, tok);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, l);
    for (const id of ['999999', '0', 'abc', '-1', '01']) {
      const nf = await call(server, 'GET', `/leads/${id}`, tok);
      assert.equal(nf.status, 404, id);
      assert.deepEqual(nf.body, LEAD_NOT_FOUND);
    }
  });

  test('PATCH changes only the fields given; PUT is the same; null clears an optional field', async () => {
    const l = await makeLead(server, tok);
    const r = await call(server, 'PATCH', `/leads/${l.id}`, tok, { city: 'Fes', notes: null });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.city, 'Fes');
    assert.equal(r.body.notes, null);
    assert.equal(r.body.customer_name, l.customer_name);
    assert.equal(r.body.price, l.price);
    const p = await call(server, 'PUT', `/leads/${l.id}`, tok, { quantity: 5, price: '10' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.quantity, 5);
    assert.equal(p.body.city, 'Fes');
    assert.ok(p.text.includes('"price":10.00,'));
  });

  test('status transitions: new -> contacted -> confirmed -> converted; others 422', async () => {
    const l = await makeLead(server, tok);
    const bad = await call(server, 'PATCH', `/leads/${l.id}`, tok, { status: 'converted' });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body, {
      message: 'The status cannot change from new to converted.',
      errors: { status: ['The status cannot change from new to converted.'] },
    });
    for (const s of ['contacted', 'contacted', 'confirmed', 'converted']) {
      const r = await call(server, 'PATCH', `/leads/${l.id}`, tok, { status: s });
      assert.equal(r.status, 200, `${s}: ${r.text}`);
      assert.equal(r.body.status, s);
    }
    const back = await call(server, 'PATCH', `/leads/${l.id}`, tok, { status: 'cancelled' });
    assert.equal(back.status, 422, 'converted is final');
    const other = await makeLead(server, tok);
    const c = await call(server, 'PATCH', `/leads/${other.id}`, tok, { status: 'cancelled' });
    assert.equal(c.status, 200);
    const again = await call(server, 'GET', `/leads/${other.id}`, tok);
    assert.equal(again.body.status, 'cancelled');
  });

  test('DELETE: 204 then 404', async () => {
    const l = await makeLead(server, tok);
    const d = await call(server, 'DELETE', `/leads/${l.id}`, tok);
    assert.equal(d.status, 204);
    assert.equal(d.text, '');
    const g = await call(server, 'GET', `/leads/${l.id}`, tok);
    assert.equal(g.status, 404);
    const d2 = await call(server, 'DELETE', `/leads/${l.id}`, tok);
    assert.equal(d2.status, 404);
    assert.deepEqual(d2.body, LEAD_NOT_FOUND);
  });

  test('list: newest first, status filter, search on name/phone/city/product, escaped wildcards',
    async () => {
      createAccount(server, 'search');
      createMember(server, 'o@search.test', 'search');
      const t = token(server, 'o@search.test', 'search', ['VIEW LEADS', 'CREATE LEADS', 'UPDATE LEADS']);
      const a = await makeLead(server, t, { customer_name: 'Karim 100%', phone: '0611', city: 'Tanger',
        product: 'Watch' });
      const b = await makeLead(server, t, { customer_name: 'Salma', phone: '0622', city: 'Agadir',
        product: 'Bag_XL' });
      await call(server, 'PATCH', `/leads/${b.id}`, t, { status: 'contacted' });
      const all = await call(server, 'GET', '/leads', t);
      assert.equal(all.status, 200);
      assert.deepEqual(all.body.data.map((l) => l.id), [b.id, a.id]);
      assert.equal(all.body.total, 2);
      const q = async (qs) => (await call(server, 'GET', `/leads?${qs}`, t)).body.data.map((l) => l.id);
      assert.deepEqual(await q('status=contacted'), [b.id]);
      assert.deepEqual(await q('status=new'), [a.id]);
      assert.deepEqual(await q('search=karim'), [a.id], 'case-insensitive name');
      assert.deepEqual(await q('search=0622'), [b.id], 'phone');
      assert.deepEqual(await q('search=agad'), [b.id], 'city');
      assert.deepEqual(await q('search=watch'), [a.id], 'product');
      assert.deepEqual(await q('search=%25'), [a.id], '% matches itself');
      assert.deepEqual(await q('search=_'), [b.id], '_ matches itself');
      assert.deepEqual(await q('search=nobody'), []);
      assert.deepEqual(await q('search=0611&status=contacted'), []);
      const bad = await call(server, 'GET', '/leads?status=lost', t);
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.body.errors, { status: ['The selected status is invalid.'] });
    });

  test('401 without a token, with a wrong one, on every route', async () => {
    for (const [m, p] of [['GET', '/leads'], ['GET', '/leads/1'], ['POST', '/leads'],
      ['PATCH', '/leads/1'], ['PUT', '/leads/1'], ['DELETE', '/leads/1']]) {
      for (const t of [undefined, '1|nope', 'garbage']) {
        const r = await api(server, m, API + p, { token: t, body: m === 'GET' || m === 'DELETE' ? undefined : LEAD });
        assert.equal(r.status, 401, `${m} ${p} ${t}`);
        assert.deepEqual(r.body, UNAUTHENTICATED);
      }
    }
  });

  test('an unknown path under /api/web/1.0 is a Laravel 404', async () => {
    const r = await call(server, 'GET', '/leads/1/extra', tok);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { message: 'The route api/web/1.0/leads/1/extra could not be found.' });
  });
});
