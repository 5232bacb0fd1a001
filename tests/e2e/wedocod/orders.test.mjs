// WedoCOD (seed 000): /api/web/1.0/orders: items and a total computed by
// the server (exact cents), the account's currency, an optional lead of
// the same account, status transitions, items frozen once shipped, delete.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../lib/server.mjs';
import {
  ITEM_KEYS, LARAVEL_TIME_RE, ORDER, ORDER_KEYS, ORDER_NOT_FOUND, call, createAccount,
  createMember, makeLead, makeOrder, token,
} from '../lib/wedocod.mjs';

describe('wedocod: orders', () => {
  let server;
  let tok;
  let other;

  before(async () => {
    server = await startServer();
    createAccount(server, 'acme', { currency: 'MAD' });
    createAccount(server, 'beta');
    createMember(server, 'owner@acme.test', 'acme');
    createMember(server, 'owner@beta.test', 'beta');
    tok = token(server, 'owner@acme.test', 'acme');
    other = token(server, 'owner@beta.test', 'beta');
  }, { timeout: 60000 });

  after(async () => { if (server) await server.stop(); }, { timeout: 30000 });

  test('POST /orders: 201, items with subtotals, the total, the account currency', async () => {
    const r = await call(server, 'POST', '/orders', tok, ORDER);
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(Object.keys(r.body), ORDER_KEYS);
    for (const it of r.body.items) assert.deepEqual(Object.keys(it), ITEM_KEYS);
    assert.equal(r.body.currency, 'MAD');
    assert.equal(r.body.status, 'pending');
    assert.equal(r.body.lead_id, null);
    assert.match(r.body.created_at, LARAVEL_TIME_RE);
    // 2 x 149.90 + 3 x 4.99 = 299.80 + 14.97 = 314.77, exactly.
    assert.ok(r.text.includes('"subtotal":299.80}'), r.text);
    assert.ok(r.text.includes('"unit_price":4.99,'), r.text);
    assert.ok(r.text.includes('"total":314.77,'), r.text);
    const beta = await makeOrder(server, other);
    assert.equal(beta.currency, 'USD', "the other account's default currency");
  });

  test('the total is the server\'s: a client "total" is ignored; 0.1 x 3 is 0.30', async () => {
    const o = await makeOrder(server, tok, { total: 1, items: [{ product: 'P', quantity: 3, unit_price: 0.1 }] });
    assert.equal(o.total, 0.3);
    assert.equal(o.items[0].subtotal, 0.3);
  });

  test('a lead of the account fills the customer fields; another account\'s lead is 422', async () => {
    const lead = await makeLead(server, tok, { customer_name: 'From Lead', phone: '0700', city: 'Oujda' });
    const o = await makeOrder(server, tok, { customer_name: undefined, phone: undefined, city: undefined,
      lead_id: lead.id });
    assert.equal(o.lead_id, lead.id);
    assert.equal(o.customer_name, 'From Lead');
    assert.equal(o.phone, '0700');
    assert.equal(o.city, 'Oujda');
    const theirs = await makeLead(server, other);
    for (const id of [theirs.id, 999999]) {
      const r = await call(server, 'POST', '/orders', tok, { ...ORDER, lead_id: id });
      assert.equal(r.status, 422, r.text);
      assert.deepEqual(r.body, { message: 'The selected lead id is invalid.',
        errors: { lead_id: ['The selected lead id is invalid.'] } });
    }
    const noCustomer = await call(server, 'POST', '/orders', tok, { items: ORDER.items });
    assert.equal(noCustomer.status, 422);
    assert.deepEqual(noCustomer.body.errors, {
      customer_name: ['The customer name field is required when lead id is not present.'],
      phone: ['The phone field is required when lead id is not present.'],
    });
  });

  test('status: pending -> confirmed -> shipped -> delivered; items frozen once shipped', async () => {
    const o = await makeOrder(server, tok);
    const skip = await call(server, 'PATCH', `/orders/${o.id}`, tok, { status: 'shipped' });
    assert.equal(skip.status, 422);
    assert.deepEqual(skip.body.errors, { status: ['The status cannot change from pending to shipped.'] });
    const items = [{ product: 'Only', quantity: 1, unit_price: 10 }];
    const edit = await call(server, 'PATCH', `/orders/${o.id}`, tok, { status: 'confirmed', items });
    assert.equal(edit.status, 200, edit.text);
    assert.equal(edit.body.items.length, 1);
    assert.ok(edit.text.includes('"total":10.00,'));
    const ship = await call(server, 'PUT', `/orders/${o.id}`, tok, { status: 'shipped' });
    assert.equal(ship.status, 200);
    const frozen = await call(server, 'PATCH', `/orders/${o.id}`, tok, { items });
    assert.equal(frozen.status, 422);
    assert.deepEqual(frozen.body.errors, { items: ['The items cannot change once the order is shipped.'] });
    const cancel = await call(server, 'PATCH', `/orders/${o.id}`, tok, { status: 'cancelled' });
    assert.equal(cancel.status, 422, 'a shipped order is delivered or returned, not cancelled');
    const done = await call(server, 'PATCH', `/orders/${o.id}`, tok, { status: 'delivered', notes: 'ok' });
    assert.equal(done.status, 200);
    assert.equal(done.body.status, 'delivered');
    assert.equal(done.body.notes, 'ok');
    const shown = await call(server, 'GET', `/orders/${o.id}`, tok);
    assert.deepEqual(shown.body, done.body);
    const p2 = await makeOrder(server, tok);
    const ret = await call(server, 'PATCH', `/orders/${p2.id}`, tok, { status: 'cancelled' });
    assert.equal(ret.status, 200, 'pending -> cancelled');
  });

  test('list: status filter and search by product of any item', async () => {
    createAccount(server, 'lists');
    createMember(server, 'o@lists.test', 'lists');
    const t = token(server, 'o@lists.test', 'lists');
    const a = await makeOrder(server, t, { customer_name: 'Nadia', items: [{ product: 'Lamp', quantity: 1, unit_price: 3 }] });
    const b = await makeOrder(server, t, { customer_name: 'Omar', items: [{ product: 'Desk', quantity: 1, unit_price: 3 },
      { product: 'Chair', quantity: 1, unit_price: 2 }] });
    await call(server, 'PATCH', `/orders/${b.id}`, t, { status: 'confirmed' });
    const q = async (qs) => (await call(server, 'GET', `/orders?${qs}`, t)).body.data.map((o) => o.id);
    assert.deepEqual(await q(''), [b.id, a.id]);
    assert.deepEqual(await q('search=chair'), [b.id]);
    assert.deepEqual(await q('search=nadia'), [a.id]);
    assert.deepEqual(await q('status=confirmed'), [b.id]);
    assert.deepEqual(await q('status=pending&search=lamp'), [a.id]);
    const list = await call(server, 'GET', '/orders', t);
    assert.equal(list.body.data[0].items.length, 2, 'list rows carry their items');
  });

  test('DELETE: 204, then 404 "Order not found."', async () => {
    const o = await makeOrder(server, tok);
    assert.equal((await call(server, 'DELETE', `/orders/${o.id}`, tok)).status, 204);
    const g = await call(server, 'GET', `/orders/${o.id}`, tok);
    assert.equal(g.status, 404);
    assert.deepEqual(g.body, ORDER_NOT_FOUND);
  });

  test('deleting a lead keeps its orders, without the lead', async () => {
    const lead = await makeLead(server, tok);
    const o = await makeOrder(server, tok, { lead_id: lead.id });
    assert.equal((await call(server, 'DELETE', `/leads/${lead.id}`, tok)).status, 204);
    const g = await call(server, 'GET', `/orders/${o.id}`, tok);
    assert.equal(g.status, 200);
    assert.equal(g.body.lead_id, null);
  });
});
