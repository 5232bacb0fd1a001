// WedoCOD (seed 000): every request is scoped to the token's account.
// Another account's ids answer 404 on every {id} route and its rows never
// appear in a list; platform staff with accounts:read (Owner, Manager,
// Support), through a token without a tenant, read every account and may
// narrow to one with ?account=; nobody else ever does: staff Marketing, a
// member of a travel tenant, staff writing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../lib/server.mjs';
import {
  LEAD, LEAD_NOT_FOUND, ORDER, ORDER_NOT_FOUND, SCOPES, UNAUTHORIZED, call, createAccount,
  createMember, createStaff, makeLead, makeOrder, token,
} from '../lib/wedocod.mjs';

describe('wedocod: account isolation and platform staff', () => {
  let server;
  let acme;
  let beta;
  let tokA;
  let tokB;
  const rows = {};

  before(async () => {
    server = await startServer();
    acme = createAccount(server, 'acme');
    beta = createAccount(server, 'beta');
    createMember(server, 'owner@acme.test', 'acme');
    createMember(server, 'owner@beta.test', 'beta');
    tokA = token(server, 'owner@acme.test', 'acme');
    tokB = token(server, 'owner@beta.test', 'beta');
    rows.leadA = await makeLead(server, tokA, { customer_name: 'Acme Customer' });
    rows.leadB = await makeLead(server, tokB, { customer_name: 'Beta Customer' });
    rows.orderA = await makeOrder(server, tokA, { customer_name: 'Acme Buyer' });
    rows.orderB = await makeOrder(server, tokB, { customer_name: 'Beta Buyer' });
  }, { timeout: 60000 });

  after(async () => { if (server) await server.stop(); }, { timeout: 30000 });

  test('every {id} route with another account\'s id is 404, and nothing changes', async () => {
    for (const [res, id, nf] of [['leads', rows.leadB.id, LEAD_NOT_FOUND],
      ['orders', rows.orderB.id, ORDER_NOT_FOUND]]) {
      for (const [m, body] of [['GET'], ['PATCH', { notes: 'hijack' }], ['PUT', { notes: 'hijack' }],
        ['DELETE']]) {
        const r = await call(server, m, `/${res}/${id}`, tokA, body);
        assert.equal(r.status, 404, `${m} /${res}/${id}: ${r.text}`);
        assert.deepEqual(r.body, nf);
      }
    }
    const lead = await call(server, 'GET', `/leads/${rows.leadB.id}`, tokB);
    assert.equal(lead.status, 200);
    assert.deepEqual(lead.body, rows.leadB, 'beta\'s lead is untouched');
    const order = await call(server, 'GET', `/orders/${rows.orderB.id}`, tokB);
    assert.deepEqual(order.body, rows.orderB);
  });

  test('lists show only the account\'s rows, whatever the filters; ?account= is ignored for members',
    async () => {
      for (const qs of ['', '?search=customer', '?search=buyer', '?status=new', '?account=beta',
        `?account=${beta.id}`, '?per_page=100']) {
        const l = await call(server, 'GET', `/leads${qs}`, tokA);
        assert.equal(l.status, 200, l.text);
        assert.ok(l.body.data.every((x) => x.account_id === acme.id), `leads${qs}`);
        assert.ok(!l.body.data.some((x) => x.id === rows.leadB.id));
        const o = await call(server, 'GET', `/orders${qs.replace('=new', '=pending')}`, tokA);
        assert.equal(o.status, 200, o.text);
        assert.ok(o.body.data.every((x) => x.account_id === acme.id), `orders${qs}`);
      }
    });

  test('an order cannot name another account\'s lead, on create or update', async () => {
    const c = await call(server, 'POST', '/orders', tokA, { ...ORDER, lead_id: rows.leadB.id });
    assert.equal(c.status, 422);
    const u = await call(server, 'PATCH', `/orders/${rows.orderA.id}`, tokA, { lead_id: rows.leadB.id });
    assert.equal(u.status, 422);
    assert.deepEqual(u.body.errors, { lead_id: ['The selected lead id is invalid.'] });
  });

  test('staff with accounts:read (Support, Manager, Owner) see both accounts and can filter',
    async () => {
      for (const role of ['support', 'manager', 'owner']) {
        createStaff(server, `${role}@staff.test`, role);
        const tok = token(server, `${role}@staff.test`, null, ['VIEW LEADS', 'VIEW ORDERS']);
        const all = await call(server, 'GET', '/leads?per_page=100', tok);
        assert.equal(all.status, 200, `${role}: ${all.text}`);
        const ids = all.body.data.map((l) => l.id);
        assert.ok(ids.includes(rows.leadA.id) && ids.includes(rows.leadB.id), role);
        const onlyBeta = await call(server, 'GET', '/leads?account=beta', tok);
        assert.deepEqual(onlyBeta.body.data.map((l) => l.account_id), [beta.id]);
        const byId = await call(server, 'GET', `/orders?account=${acme.id}`, tok);
        assert.ok(byId.body.data.length > 0);
        assert.ok(byId.body.data.every((o) => o.account_id === acme.id));
        const one = await call(server, 'GET', `/orders/${rows.orderB.id}`, tok);
        assert.equal(one.status, 200);
        assert.equal(one.body.customer_name, 'Beta Buyer');
        const long = await call(server, 'GET', `/leads?account=${'a'.repeat(300)}`, tok);
        assert.equal(long.status, 422, 'a long account names none, not every one');
        const unknown = await call(server, 'GET', '/leads?account=nope', tok);
        assert.equal(unknown.status, 422);
        assert.deepEqual(unknown.body, { message: 'The selected account is invalid.',
          errors: { account: ['The selected account is invalid.'] } });
      }
    });

  test('platform reads still need the scope; platform access never writes', async () => {
    const noScope = token(server, 'support@staff.test', null, ['VIEW ORDERS']);
    const r = await call(server, 'GET', '/leads', noScope);
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, UNAUTHORIZED);
    const all = token(server, 'support@staff.test', null);
    for (const [m, p, body] of [['POST', '/leads', LEAD], ['PATCH', `/leads/${rows.leadA.id}`, { notes: 'x' }],
      ['DELETE', `/orders/${rows.orderA.id}`], ['POST', '/orders', ORDER]]) {
      const w = await call(server, m, p, all, body);
      assert.equal(w.status, 403, `${m} ${p}: ${w.text}`);
      assert.deepEqual(w.body, UNAUTHORIZED);
    }
    assert.equal((await call(server, 'GET', `/leads/${rows.leadA.id}`, tokA)).body.notes, rows.leadA.notes);
  });

  test('staff Marketing and Developer (no accounts:read) are refused', async () => {
    for (const role of ['marketing', 'developer']) {
      createStaff(server, `${role}@staff.test`, role);
      const tok = token(server, `${role}@staff.test`, null);
      for (const p of ['/leads', '/orders', `/leads/${rows.leadA.id}`, `/orders/${rows.orderB.id}`]) {
        const r = await call(server, 'GET', p, tok);
        assert.equal(r.status, 403, `${role} ${p}: ${r.text}`);
        assert.deepEqual(r.body, UNAUTHORIZED);
      }
    }
  });

  test('a member of a travel tenant gets 403, even with a "*" token', async () => {
    server.cli('tenant', 'create', '--slug', 'trips', '--name', 'Trips', '--product', 'travel');
    server.cli('user', 'create', '--tenant', 'trips', '--role', 'admin', '--email', 'a@trips.test',
      '--password', 'correct horse 1', '--name', 'T');
    for (const abilities of [undefined, SCOPES]) {
      const tok = token(server, 'a@trips.test', 'trips', abilities);
      for (const p of ['/leads', `/leads/${rows.leadA.id}`, '/orders']) {
        const r = await call(server, 'GET', p, tok);
        assert.equal(r.status, 403, `${p}: ${r.text}`);
        assert.deepEqual(r.body, UNAUTHORIZED);
      }
      const w = await call(server, 'POST', '/leads', tok, LEAD);
      assert.equal(w.status, 403);
    }
  });

  test('a staff member\'s token bound to an account they belong to is that account only', async () => {
    createMember(server, 'both@acme.test', 'acme', 'viewer');
    server.cli('staff', 'grant', '--email', 'both@acme.test', '--role', 'support');
    const tok = token(server, 'both@acme.test', 'acme');
    const r = await call(server, 'GET', '/leads?per_page=100', tok);
    assert.equal(r.status, 200);
    assert.ok(r.body.data.every((l) => l.account_id === acme.id));
    assert.equal((await call(server, 'GET', `/leads/${rows.leadB.id}`, tok)).status, 404);
  });
});
