// tests/e2e/lib/wedocod.mjs - WedoCOD (seed 000): accounts made with the CLI
// and a browser-like client for the dashboard routes: a cookie jar that
// keeps what Set-Cookie gives and echoes XSRF-TOKEN as X-XSRF-TOKEN on
// unsafe methods, as axios does for a Sanctum SPA.
//
//   const web = webClient(server);
//   await web.login('a@x.test', 'correct horse 1');   // csrf-cookie first
//   const res = await web.request('POST', '/settings/api-keys/generate',
//     { body: { name: 'k', abilities: ['VIEW LEADS'] } });

import assert from 'node:assert/strict';

import { cliJson } from './server.mjs';

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

// A WedoCOD account (tenant) with an owner; more members with addMember().
// Returns the CLI's tenant JSON.
export function createAccount(server, slug, ownerEmail, { password = PASSWORD } = {}) {
  const tenant = cliJson(server.cli, 'tenant', 'create', '--slug', slug, '--name', `Account ${slug}`,
    '--product', 'wedocod');
  addMember(server, slug, ownerEmail, 'owner', { password });
  return tenant;
}

// A new user who is a member of the account with role (owner, admin, agent,
// viewer). Returns the CLI's user JSON.
export function addMember(server, slug, email, role, { password = PASSWORD, name = 'Member' } = {}) {
  return cliJson(server.cli, 'user', 'create', '--tenant', slug, '--role', role, '--email', email,
    '--password', password, '--name', name);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// Reads the Set-Cookie headers of res into jar (a Map name -> value);
// Max-Age=0 removes the cookie. Returns the raw header lines.
function keepCookies(jar, res) {
  const lines = res.headers.getSetCookie();
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
    const res = await fetch(client.server.url + path, { method, headers: h, body: payload,
      redirect: 'manual', signal: AbortSignal.timeout(20000) });
    const setCookies = keepCookies(jar, res);
    const text = await res.text();
    let parsed = null;
    try { parsed = JSON.parse(text); } catch { parsed = null; }
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
