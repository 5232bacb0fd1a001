// tests/e2e/lib/wedocod.mjs - WedoCOD (seed 000): accounts, members and
// tokens made with the CLI; a browser-like client for the dashboard routes
// (a cookie jar that keeps what Set-Cookie gives and echoes XSRF-TOKEN as
// X-XSRF-TOKEN on unsafe methods, as axios does for a Sanctum SPA); the REST
// API's ten routes, eight scopes and expected bodies.
//
//   const web = webClient(server);
//   await web.login('a@x.test', 'correct horse 1');   // csrf-cookie first
//   const res = await web.request('POST', '/settings/api-keys/generate',
//     { body: { name: 'k', abilities: ['VIEW LEADS'] } });

import assert from 'node:assert/strict';

import { noteSecret, noteSecretsIn } from './secrets.mjs';
import { api, cliJson } from './server.mjs';

export const PASSWORD = 'correct horse 1';
export const CSRF_MISMATCH = { message: 'CSRF token mismatch.' };
export const UNAUTHENTICATED = { message: 'Unauthenticated.' };
export const BAD_CREDENTIALS = {
  message: 'These credentials do not match our records.',
  errors: { email: ['These credentials do not match our records.'] },
};
export const SCOPES = ['CREATE LEADS', 'VIEW LEADS', 'UPDATE LEADS', 'DELETE LEADS',
  'CREATE ORDERS', 'VIEW ORDERS', 'UPDATE ORDERS', 'DELETE ORDERS'];
// Laravel's JSON time.
export const LARAVEL_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000Z$/;

// A WedoCOD account (tenant of product wedocod), with an owner when owner
// (an email) is given; opts: {password, currency}. Returns the CLI's tenant
// JSON. More members with addMember().
export function createAccount(server, slug, owner, opts = {}) {
  if (typeof owner === 'object' && owner !== null) [owner, opts] = [undefined, owner];
  const { password = PASSWORD, currency } = opts;
  const tenant = cliJson(server.cli, 'tenant', 'create', '--slug', slug, '--name', `Account ${slug}`,
    '--product', 'wedocod', ...(currency ? ['--currency', currency] : []));
  if (owner) addMember(server, slug, owner, 'owner', { password });
  return tenant;
}

// A new user who is a member of the account with role (owner, admin, agent,
// viewer). Returns the CLI's user JSON.
export function addMember(server, slug, email, role, { password = PASSWORD, name = 'Member' } = {}) {
  return cliJson(server.cli, 'user', 'create', '--tenant', slug, '--role', role, '--email', email,
    '--password', password, '--name', name);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// The Set-Cookie lines of a fetch Headers: getSetCookie() (Node >= 19.7),
// else the joined header split before each "name=" (Debian 12's Node 18;
// an Expires date's comma is followed by a day number, not a name=).
export function setCookieLines(headers) {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const joined = headers.get('set-cookie');
  return joined ? joined.split(/,(?=\s*[A-Za-z0-9_.-]+=)/).map((l) => l.trim()) : [];
}

// Reads the Set-Cookie headers of res into jar (a Map name -> value);
// Max-Age=0 removes the cookie. Returns the raw header lines.
function keepCookies(jar, res) {
  const lines = setCookieLines(res.headers);
  for (const line of lines) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    if (/;\s*Max-Age=0(;|$)/i.test(line)) jar.delete(name);
    else jar.set(name, pair.slice(eq + 1));
  }
  return lines;
}

// A client with its own cookie jar. request(method, path, opts) sends the
// jar's cookies and, on unsafe methods, X-XSRF-TOKEN (xsrf: false leaves it
// out, xsrf: 'x' sends 'x'); body is sent as JSON (Accept JSON too), form
// as application/x-www-form-urlencoded (an array value as name[]=...), token
// as a Bearer. Redirects are not followed. Returns {status, headers, body,
// text, setCookies}. Set client.server to send to another instance (on
// the same database) with the same jar.
export function webClient(server) {
  const jar = new Map();
  const client = { server };
  async function request(method, path, { body, form, headers = {}, xsrf = true, token } = {}) {
    const h = { ...headers };
    let payload;
    if (form !== undefined) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) {
        if (Array.isArray(v)) v.forEach((x) => params.append(`${k}[]`, x));
        else params.append(k, v);
      }
      payload = params.toString();
      h['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['Content-Type'] ??= 'application/json';
    }
    if (form === undefined) h.Accept ??= 'application/json';
    if (jar.size > 0) h.Cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const x = xsrf === true ? jar.get('XSRF-TOKEN') : xsrf || undefined;
    if (UNSAFE.has(method) && x !== undefined) h['X-XSRF-TOKEN'] = x;
    if (token !== undefined) h.Authorization = `Bearer ${token}`;
    noteSecret(token);
    noteSecretsIn(body ?? form);
    const res = await fetch(client.server.url + path, { method, headers: h, body: payload,
      redirect: 'manual', signal: AbortSignal.timeout(20000) });
    const setCookies = keepCookies(jar, res);
    const text = await res.text();
    let parsed = null;
    try { parsed = JSON.parse(text); } catch { parsed = null; }
    noteSecretsIn(parsed);
    return { status: res.status, headers: res.headers, body: parsed, text, setCookies };
  }
  return Object.assign(client, {
    jar,
    request,
    cookie: (name) => jar.get(name),
    // GET /sanctum/csrf-cookie (asserts 204); returns the XSRF-TOKEN value.
    async csrfCookie() {
      const res = await request('GET', '/sanctum/csrf-cookie');
      assert.equal(res.status, 204, res.text);
      return jar.get('XSRF-TOKEN');
    },
    // csrf-cookie when the jar has no token, then POST /login as JSON
    // (asserts 204); extra fields (tenant) go into the body.
    async login(email, password = PASSWORD, extra = {}) {
      if (!jar.has('XSRF-TOKEN')) await this.csrfCookie();
      const res = await request('POST', '/login', { body: { email, password, ...extra } });
      assert.equal(res.status, 204, `login ${email}: ${res.status} ${res.text}`);
      return res;
    },
  });
}

// Generates an API key through the session (asserts 201); returns the body.
export async function generateKey(web, name, abilities, extra = {}) {
  const res = await web.request('POST', '/settings/api-keys/generate',
    { body: { name, abilities, ...extra } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

// ---- the REST API (/api/web/1.0) ----

export const API = '/api/web/1.0';


export const UNAUTHORIZED = { message: 'This action is unauthorized.' };
export const LEAD_NOT_FOUND = { message: 'Lead not found.' };
export const ORDER_NOT_FOUND = { message: 'Order not found.' };

export const LEAD_KEYS = ['id', 'account_id', 'customer_name', 'phone', 'address', 'city',
  'product', 'quantity', 'price', 'status', 'notes', 'created_at', 'updated_at'];
export const ORDER_KEYS = ['id', 'account_id', 'lead_id', 'customer_name', 'phone', 'address',
  'city', 'items', 'total', 'currency', 'status', 'notes', 'created_at', 'updated_at'];
export const ITEM_KEYS = ['id', 'product', 'quantity', 'unit_price', 'subtotal'];
export const PAGE_KEYS = ['current_page', 'data', 'first_page_url', 'from', 'last_page',
  'last_page_url', 'links', 'next_page_url', 'path', 'per_page', 'prev_page_url', 'to', 'total'];

// addMember() with the REST API tests' argument order; the name is the
// email's local part.
export function createMember(server, email, tenant, role = 'owner') {
  return addMember(server, tenant, email, role, { name: email.split('@')[0] });
}

// A user without a tenant, holding the platform staff role.
export function createStaff(server, email, role) {
  const u = cliJson(server.cli, 'user', 'create', '--email', email, '--password', PASSWORD,
    '--name', email.split('@')[0]);
  cliJson(server.cli, 'staff', 'grant', '--email', email, '--role', role);
  return u;
}

// A personal access token; abilities: an array (joined with ",") or
// undefined for "*"; tenant null: a token that names no tenant.
export function token(server, email, tenant, abilities) {
  const args = ['token', 'create', '--user', email, '--name', 'e2e'];
  if (tenant) args.push('--tenant', tenant);
  if (abilities) args.push('--abilities', abilities.join(','));
  return cliJson(server.cli, ...args).token;
}

export const LEAD = { customer_name: 'Amina Haddad', phone: '+212600000001', address: '12 Rue X',
  city: 'Casablanca', product: 'Sneakers', quantity: 2, price: 149.9, notes: 'Call after 6pm' };

export const ORDER = { customer_name: 'Youssef B', phone: '+212600000002', city: 'Rabat',
  items: [{ product: 'Sneakers', quantity: 2, unit_price: 149.9 },
    { product: 'Socks', quantity: 3, unit_price: '4.99' }] };

// A request on the API with a token.
export function call(server, method, path, tok, body) {
  return api(server, method, API + path, { token: tok, body });
}

// Creates a lead (201 asserted); returns it.
export async function makeLead(server, tok, fields = {}) {
  const r = await call(server, 'POST', '/leads', tok, { ...LEAD, ...fields });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

export async function makeOrder(server, tok, fields = {}) {
  const r = await call(server, 'POST', '/orders', tok, { ...ORDER, ...fields });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

// The ten routes (PUT is PATCH's twin) with their scope; id is filled in.
export function routes(leadId, orderId) {
  return [
    { method: 'GET', path: '/leads', scope: 'VIEW LEADS' },
    { method: 'GET', path: `/leads/${leadId}`, scope: 'VIEW LEADS' },
    { method: 'POST', path: '/leads', scope: 'CREATE LEADS', body: LEAD },
    { method: 'PATCH', path: `/leads/${leadId}`, scope: 'UPDATE LEADS', body: { notes: 'x' } },
    { method: 'DELETE', path: `/leads/${leadId}`, scope: 'DELETE LEADS' },
    { method: 'GET', path: '/orders', scope: 'VIEW ORDERS' },
    { method: 'GET', path: `/orders/${orderId}`, scope: 'VIEW ORDERS' },
    { method: 'POST', path: '/orders', scope: 'CREATE ORDERS', body: ORDER },
    { method: 'PATCH', path: `/orders/${orderId}`, scope: 'UPDATE ORDERS', body: { notes: 'x' } },
    { method: 'DELETE', path: `/orders/${orderId}`, scope: 'DELETE ORDERS' },
  ];
}
