// Seed 000 (WedoCOD) as its client would use it, issue 13's "done when":
// csrf-cookie → login → generate a key (plaintext once, never listed) →
// every REST route with the key → the scope matrix (8 scopes × 10 routes,
// allowed exactly where granted) → revoke → 401; CSRF missing → 419; the
// session cookie changes at login; logout kills the session; two accounts
// never see each other's leads or orders; platform staff see both.
// This file keeps its own cookie jar on purpose: it is a client written
// from the seed and the issue, not from latchkey's helpers.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { createTenant, createUser } from '../lib/fixtures.mjs';
import { setCookieLines } from '../lib/wedocod.mjs';
import { cliJson, startServer } from '../lib/server.mjs';

const PASSWORD = 'correct horse 1';
const SCOPES = ['CREATE LEADS', 'VIEW LEADS', 'UPDATE LEADS', 'DELETE LEADS',
  'CREATE ORDERS', 'VIEW ORDERS', 'UPDATE ORDERS', 'DELETE ORDERS'];
const API = '/api/web/1.0';

// A browser-like client: a cookie jar, and the XSRF-TOKEN cookie echoed in
// X-XSRF-TOKEN on unsafe methods (what axios does).
class Browser {
  constructor(base) {
    this.base = base;
    this.jar = new Map();
  }

  cookie(name) {
    return this.jar.get(name);
  }

  async request(method, path, { body, headers = {}, csrf = true } = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (this.jar.size) h.Cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (csrf && method !== 'GET' && this.jar.has('XSRF-TOKEN')) {
      h['X-XSRF-TOKEN'] = decodeURIComponent(this.jar.get('XSRF-TOKEN'));
    }
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    for (const line of setCookieLines(res.headers)) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (gone) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { json = null; }
    return { status: res.status, headers: res.headers, body: json, text };
  }

  async login(email, password = PASSWORD) {
    const c = await this.request('GET', '/sanctum/csrf-cookie');
    assert.equal(c.status, 204);
    const res = await this.request('POST', '/login', { body: { email, password } });
    assert.equal(res.status, 204, `login ${email}: ${res.text}`);
    return res;
  }
}

async function bearer(server, token, method, path, body) {
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(server.url + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { json = null; }
  return { status: res.status, body: json, text };
}

const leadBody = (n) => ({ customer_name: `Customer ${n}`, phone: `+212600000${n}`,
  address: '1 Rue X', city: 'Casablanca', product: 'Argan oil', quantity: 2, price: 99.5 });
const orderBody = (n) => ({ customer_name: `Buyer ${n}`, phone: `+212611111${n}`,
  address: '2 Rue Y', city: 'Rabat', items: [{ product: 'Argan oil', quantity: 3, unit_price: 10.25 }] });

describe('WedoCOD: the dashboard and the REST API end to end', () => {
  let server;
  let staffEmail;

  before(async () => {
    server = await startServer();
    createTenant(server, 'acme', 'Acme COD', ['--product', 'wedocod']);
    createTenant(server, 'globex', 'Globex COD', ['--product', 'wedocod']);
    createUser(server, 'owner@acme.test', { password: PASSWORD, tenant: 'acme', role: 'owner' });
    createUser(server, 'owner@globex.test', { password: PASSWORD, tenant: 'globex', role: 'owner' });
    createUser(server, 'viewer@acme.test', { password: PASSWORD, tenant: 'acme', role: 'viewer' });
    staffEmail = 'support@platform.test';
    createUser(server, staffEmail, { password: PASSWORD });
    cliJson(server.cli, 'staff', 'grant', '--email', staffEmail, '--role', 'support');
  }, { timeout: 60000 });

  after(async () => { await server?.stop(); });

  async function generate(browser, name, abilities) {
    const res = await browser.request('POST', '/settings/api-keys/generate', { body: { name, abilities } });
    assert.equal(res.status, 201, res.text);
    return res.body;
  }

  test('the session cookie changes at login, and CSRF is required', async () => {
    const b = new Browser(server.url);
    const c = await b.request('GET', '/sanctum/csrf-cookie');
    assert.equal(c.status, 204);
    const guest = b.cookie('latchkey_session');
    assert.ok(guest, 'a session cookie before login');
    assert.ok(b.cookie('XSRF-TOKEN'), 'an XSRF-TOKEN cookie');
    const noCsrf = await b.request('POST', '/login',
      { body: { email: 'owner@acme.test', password: PASSWORD }, csrf: false });
    assert.equal(noCsrf.status, 419);
    assert.deepEqual(noCsrf.body, { message: 'CSRF token mismatch.' });
    const ok = await b.request('POST', '/login', { body: { email: 'owner@acme.test', password: PASSWORD } });
    assert.equal(ok.status, 204, ok.text);
    assert.ok(b.cookie('latchkey_session'));
    assert.notEqual(b.cookie('latchkey_session'), guest, 'the id is regenerated at login');
    // The guest cookie is not a way in.
    const old = new Browser(server.url);
    old.jar.set('latchkey_session', guest);
    assert.equal((await old.request('GET', '/settings/api-keys')).status, 401);
    // A state-changing request with the session but without the token.
    const gen = await b.request('POST', '/settings/api-keys/generate',
      { body: { name: 'x', abilities: ['VIEW LEADS'] }, csrf: false });
    assert.equal(gen.status, 419);
    assert.deepEqual(gen.body, { message: 'CSRF token mismatch.' });
    const wrong = await b.request('POST', '/settings/api-keys/generate',
      { body: { name: 'x', abilities: ['VIEW LEADS'] }, csrf: false, headers: { 'X-XSRF-TOKEN': 'nope' } });
    assert.equal(wrong.status, 419);
  });

  test('a key is shown once, never listed, works on every route, and dies when revoked', async () => {
    const b = new Browser(server.url);
    await b.login('owner@acme.test');
    const made = await generate(b, 'Shopify sync', SCOPES);
    const plain = made.token;
    assert.match(plain, /^\d+\|[A-Za-z0-9]{40}[0-9a-f]{8}$/, 'Sanctum 4 format');
    const list = await b.request('GET', '/settings/api-keys');
    assert.equal(list.status, 200);
    const row = list.body.data.find((k) => k.name === 'Shopify sync');
    assert.ok(row);
    assert.deepEqual([...row.abilities].sort(), [...SCOPES].sort());
    assert.ok(!list.text.includes(plain.split('|')[1]), 'the secret is never listed');
    for (const k of ['id', 'name', 'last_used_at', 'expires_at', 'created_at']) assert.ok(k in row, k);

    // Every route, with the key.
    const lead = await bearer(server, plain, 'POST', `${API}/leads`, leadBody(1));
    assert.equal(lead.status, 201, lead.text);
    const id = lead.body.id;
    assert.equal((await bearer(server, plain, 'GET', `${API}/leads?per_page=25`)).status, 200);
    assert.equal((await bearer(server, plain, 'GET', `${API}/leads/${id}`)).status, 200);
    assert.equal((await bearer(server, plain, 'PATCH', `${API}/leads/${id}`, { status: 'contacted' })).status, 200);
    assert.equal((await bearer(server, plain, 'PUT', `${API}/leads/${id}`, { notes: 'called' })).status, 200);
    const order = await bearer(server, plain, 'POST', `${API}/orders`, orderBody(1));
    assert.equal(order.status, 201, order.text);
    assert.equal(order.body.total, 30.75, 'the server computes the total');
    const oid = order.body.id;
    assert.equal((await bearer(server, plain, 'GET', `${API}/orders`)).status, 200);
    assert.equal((await bearer(server, plain, 'GET', `${API}/orders/${oid}`)).status, 200);
    assert.equal((await bearer(server, plain, 'PATCH', `${API}/orders/${oid}`, { status: 'confirmed' })).status, 200);
    assert.equal((await bearer(server, plain, 'DELETE', `${API}/orders/${oid}`)).status, 204);
    assert.equal((await bearer(server, plain, 'DELETE', `${API}/leads/${id}`)).status, 204);

    const del = await b.request('DELETE', `/settings/api-keys/${row.id}/delete`);
    assert.equal(del.status, 204, del.text);
    const after = await bearer(server, plain, 'GET', `${API}/leads`);
    assert.equal(after.status, 401);
    assert.deepEqual(after.body, { message: 'Unauthenticated.' });
  });

  test('the scope matrix: each of 8 scopes allows exactly its routes', async () => {
    const b = new Browser(server.url);
    await b.login('owner@acme.test');
    const all = (await generate(b, 'all', SCOPES)).token;
    const lead = await bearer(server, all, 'POST', `${API}/leads`, leadBody(2));
    const order = await bearer(server, all, 'POST', `${API}/orders`, orderBody(2));
    assert.equal(lead.status, 201);
    assert.equal(order.status, 201);
    const routes = (res, rid) => [
      ['GET', `${API}/${res}`, `VIEW ${res.toUpperCase()}`],
      ['GET', `${API}/${res}/${rid}`, `VIEW ${res.toUpperCase()}`],
      ['POST', `${API}/${res}`, `CREATE ${res.toUpperCase()}`],
      ['PATCH', `${API}/${res}/${rid}`, `UPDATE ${res.toUpperCase()}`],
      ['DELETE', `${API}/${res}/${rid}`, `DELETE ${res.toUpperCase()}`],
    ];
    const table = [...routes('leads', lead.body.id), ...routes('orders', order.body.id)];
    for (const scope of SCOPES) {
      const key = (await generate(b, `only ${scope}`, [scope])).token;
      for (const [method, path, needs] of table) {
        // Allowed calls that would change the fixtures are checked with
        // bodies that leave them in place; DELETE is tried on a fresh row.
        let target = path;
        let body;
        if (method === 'POST') body = path.endsWith('leads') ? leadBody(3) : orderBody(3);
        if (method === 'PATCH') body = { notes: `by ${scope}` };
        if (method === 'DELETE' && scope === needs) {
          const fresh = await bearer(server, all, 'POST', path.replace(/\/\d+$/, ''),
            path.includes('leads') ? leadBody(4) : orderBody(4));
          target = path.replace(/\d+$/, String(fresh.body.id));
        }
        const res = await bearer(server, key, method, target, body);
        if (scope === needs) {
          assert.ok(res.status >= 200 && res.status < 300, `${scope}: ${method} ${path} → ${res.status} ${res.text}`);
        } else {
          assert.equal(res.status, 403, `${scope}: ${method} ${path} must be refused`);
        }
      }
    }
  });

  test('a scope the role does not grant cannot be given to a key', async () => {
    const b = new Browser(server.url);
    await b.login('viewer@acme.test');
    const res = await b.request('POST', '/settings/api-keys/generate',
      { body: { name: 'too much', abilities: ['DELETE LEADS'] } });
    assert.equal(res.status, 422);
    assert.ok(res.body.errors.abilities, res.text);
    assert.equal((await b.request('POST', '/settings/api-keys/generate',
      { body: { name: 'fine', abilities: ['VIEW LEADS'] } })).status, 201);
  });

  test('logout kills the session server-side', async () => {
    const b = new Browser(server.url);
    await b.login('owner@acme.test');
    const stolen = b.cookie('latchkey_session');
    assert.equal((await b.request('GET', '/settings/api-keys')).status, 200);
    assert.equal((await b.request('POST', '/logout')).status, 204);
    const replay = new Browser(server.url);
    replay.jar.set('latchkey_session', stolen);
    assert.equal((await replay.request('GET', '/settings/api-keys')).status, 401);
    assert.equal((await replay.request('GET', '/api/user')).status, 401);
  });

  test('two accounts never see each other; staff see both', async () => {
    const a = new Browser(server.url);
    await a.login('owner@acme.test');
    const g = new Browser(server.url);
    await g.login('owner@globex.test');
    const ka = (await generate(a, 'a', SCOPES)).token;
    const kg = (await generate(g, 'g', SCOPES)).token;
    const la = (await bearer(server, ka, 'POST', `${API}/leads`, leadBody(5))).body;
    const oa = (await bearer(server, ka, 'POST', `${API}/orders`, orderBody(5))).body;
    const lg = (await bearer(server, kg, 'POST', `${API}/leads`, leadBody(6))).body;
    for (const [res, id] of [['leads', la.id], ['orders', oa.id]]) {
      assert.equal((await bearer(server, kg, 'GET', `${API}/${res}/${id}`)).status, 404);
      assert.equal((await bearer(server, kg, 'PATCH', `${API}/${res}/${id}`, { notes: 'x' })).status, 404);
      assert.equal((await bearer(server, kg, 'PUT', `${API}/${res}/${id}`, { notes: 'x' })).status, 404);
      assert.equal((await bearer(server, kg, 'DELETE', `${API}/${res}/${id}`)).status, 404);
      assert.equal((await bearer(server, ka, 'GET', `${API}/${res}/${id}`)).status, 200, 'still there');
    }
    const listG = await bearer(server, kg, 'GET', `${API}/leads?per_page=100`);
    assert.ok(listG.body.data.every((l) => l.account_id === lg.account_id));
    assert.ok(!listG.body.data.some((l) => l.id === la.id));
    // A globex key listing orders sees none of acme's.
    const ordersG = await bearer(server, kg, 'GET', `${API}/orders?per_page=100`);
    assert.ok(!ordersG.body.data.some((o) => o.id === oa.id));
    // Deleting the other account's key through the dashboard: 404.
    const aKeys = await a.request('GET', '/settings/api-keys');
    const aKey = aKeys.body.data[0];
    const cross = await g.request('DELETE', `/settings/api-keys/${aKey.id}/delete`);
    assert.equal(cross.status, 404);

    // Platform staff with a system-level role (Support) see both accounts.
    const s = new Browser(server.url);
    await s.login(staffEmail);
    const ks = (await generate(s, 'staff', ['VIEW LEADS', 'VIEW ORDERS'])).token;
    const leads = await bearer(server, ks, 'GET', `${API}/leads?per_page=100`);
    assert.equal(leads.status, 200, leads.text);
    const ids = leads.body.data.map((l) => l.id);
    assert.ok(ids.includes(la.id) && ids.includes(lg.id), 'staff see every account');
    const one = await bearer(server, ks, 'GET', `${API}/leads?per_page=100&account=globex`);
    assert.ok(one.body.data.length > 0 && one.body.data.every((l) => l.account_id === lg.account_id));
    assert.equal((await bearer(server, ks, 'GET', `${API}/leads/${la.id}`)).status, 200);
  });
});
