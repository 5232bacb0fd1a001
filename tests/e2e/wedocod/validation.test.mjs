// WedoCOD (seed 000): 422 bodies in Laravel's shape for leads and orders:
// required fields, types, lengths, statuses, money (numeric, at most two
// decimals, range), quantities, items (array, bounds, nested fields with
// Laravel's dotted names), query parameters.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../lib/server.mjs';
import { LEAD, ORDER, call, createAccount, createMember, makeLead, makeOrder, token } from '../lib/wedocod.mjs';

describe('wedocod: validation', () => {
  let server;
  let tok;

  before(async () => {
    server = await startServer();
    createAccount(server, 'acme');
    createMember(server, 'owner@acme.test', 'acme');
    tok = token(server, 'owner@acme.test', 'acme');
  }, { timeout: 60000 });

  after(async () => { if (server) await server.stop(); }, { timeout: 30000 });

  async function errors(method, path, body) {
    const r = await call(server, method, path, tok, body);
    assert.equal(r.status, 422, `${method} ${path} ${JSON.stringify(body)}: ${r.text}`);
    assert.deepEqual(Object.keys(r.body), ['message', 'errors']);
    const first = Object.values(r.body.errors)[0][0];
    const n = Object.values(r.body.errors).flat().length;
    assert.equal(r.body.message, n === 1 ? first
      : `${first} (and ${n - 1} more error${n === 2 ? '' : 's'})`);
    return r.body.errors;
  }

  test('an empty lead: the required fields', async () => {
    assert.deepEqual(await errors('POST', '/leads', {}), {
      customer_name: ['The customer name field is required.'],
      phone: ['The phone field is required.'],
    });
    assert.deepEqual(await errors('POST', '/leads', { customer_name: '  ', phone: '' }), {
      customer_name: ['The customer name field is required.'],
      phone: ['The phone field is required.'],
    });
  });

  test('lead types, lengths, status and money', async () => {
    assert.deepEqual(await errors('POST', '/leads', {
      customer_name: 42, phone: 'x'.repeat(33), city: 'c'.repeat(101), quantity: 'many',
      price: 'abc', status: 'won', notes: ['a'],
    }), {
      customer_name: ['The customer name field must be a string.'],
      phone: ['The phone field must not be greater than 32 characters.'],
      city: ['The city field must not be greater than 100 characters.'],
      quantity: ['The quantity field must be an integer.'],
      price: ['The price field must be a number.'],
      status: ['The selected status is invalid.'],
      notes: ['The notes field must be a string.'],
    });
    const money = async (price) => (await errors('POST', '/leads', { ...LEAD, price })).price;
    assert.deepEqual(await money(1.234), ['The price field must have 0-2 decimal places.']);
    assert.deepEqual(await money('0.001'), ['The price field must have 0-2 decimal places.']);
    assert.deepEqual(await money(-1), ['The price field must be at least 0.']);
    assert.deepEqual(await money(100000000), ['The price field must not be greater than 99999999.99.']);
    assert.deepEqual(await money(true), ['The price field must be a number.']);
    const qty = async (quantity) => (await errors('POST', '/leads', { ...LEAD, quantity })).quantity;
    assert.deepEqual(await qty(0), ['The quantity field must be at least 1.']);
    assert.deepEqual(await qty(10001), ['The quantity field must not be greater than 10000.']);
    assert.deepEqual(await qty(1.5), ['The quantity field must be an integer.']);
  });

  test('PATCH: a required field given empty is refused; others untouched', async () => {
    const l = await makeLead(server, tok);
    assert.deepEqual(await errors('PATCH', `/leads/${l.id}`, { customer_name: null, price: null }), {
      customer_name: ['The customer name field is required.'],
      price: ['The price field is required.'],
    });
    assert.deepEqual(await errors('PATCH', `/leads/${l.id}`, { status: 'nope' }),
      { status: ['The selected status is invalid.'] });
  });

  test('orders: items required, an array, 1..100, nested fields by their dotted name', async () => {
    const base = { customer_name: 'C', phone: '1' };
    assert.deepEqual(await errors('POST', '/orders', base), { items: ['The items field is required.'] });
    assert.deepEqual(await errors('POST', '/orders', { ...base, items: [] }),
      { items: ['The items field is required.'] });
    assert.deepEqual(await errors('POST', '/orders', { ...base, items: 'x' }),
      { items: ['The items field must be an array.'] });
    const many = Array.from({ length: 101 }, () => ({ product: 'p', quantity: 1, unit_price: 1 }));
    assert.deepEqual(await errors('POST', '/orders', { ...base, items: many }),
      { items: ['The items field must not have more than 100 items.'] });
    assert.deepEqual(await errors('POST', '/orders', { ...base, items: [
      { product: 'ok', quantity: 1, unit_price: 1 },
      { quantity: 0, unit_price: '1.999' },
      'not an object',
    ] }), {
      'items.1.product': ['The items.1.product field is required.'],
      'items.1.quantity': ['The items.1.quantity field must be at least 1.'],
      'items.1.unit_price': ['The items.1.unit price field must have 0-2 decimal places.'],
      'items.2.product': ['The items.2.product field is required.'],
      'items.2.quantity': ['The items.2.quantity field is required.'],
      'items.2.unit_price': ['The items.2.unit price field is required.'],
    });
    assert.deepEqual(await errors('POST', '/orders', { ...ORDER, status: 'lost', lead_id: 'x' }), {
      lead_id: ['The lead id field must be an integer.'],
      status: ['The selected status is invalid.'],
    });
  });

  test('order PATCH: given fields only; status checked', async () => {
    const o = await makeOrder(server, tok);
    assert.deepEqual(await errors('PATCH', `/orders/${o.id}`, { phone: '', items: [] }), {
      phone: ['The phone field is required.'],
      items: ['The items field is required.'],
    });
    assert.deepEqual(await errors('PATCH', `/orders/${o.id}`, { status: 'returned' }),
      { status: ['The status cannot change from pending to returned.'] });
  });

  test('a body that is not an object, or not JSON, is refused without a 500', async () => {
    for (const body of ['[1,2]', '"x"', '{"customer_name":']) {
      const r = await call(server, 'POST', '/leads', tok, body);
      assert.ok(r.status === 422 || r.status === 400, `${body}: ${r.status} ${r.text}`);
    }
  });

  test('query: status, search length, per_page', async () => {
    assert.deepEqual(await errors('GET', '/orders?status=new'), { status: ['The selected status is invalid.'] });
    assert.deepEqual(await errors('GET', `/leads?search=${'s'.repeat(256)}`),
      { search: ['The search field must not be greater than 255 characters.'] });
    assert.equal((await call(server, 'GET', `/leads?search=${'é'.repeat(255)}`, tok)).status, 200,
      '255 characters of two bytes each');
  });
});
