// tests/e2e/lib/fwdauth.mjs - forward-auth (issue 17): GET /auth/verify as
// nginx (X-Original-*) and traefik (X-Forwarded-*) call it, rules made with
// the CLI, and the X-Auth-* headers of an answer.

import assert from 'node:assert/strict';

import { api, cliJson } from './server.mjs';

export const AUTH_HEADERS = ['x-auth-user-id', 'x-auth-email', 'x-auth-tenant', 'x-auth-role',
  'x-auth-abilities'];

// GET /auth/verify for the original request (method, uri) in the nginx
// style (X-Original-*) or, with {traefik: true}, the traefik style.
// opts: token (Bearer), cookie, tenant (X-Tenant), headers.
export function verify(server, method, uri, { token, cookie, tenant, traefik, headers = {} } = {}) {
  const h = { ...headers };
  if (traefik) {
    h['X-Forwarded-Method'] = method;
    h['X-Forwarded-Uri'] = uri;
  } else {
    h['X-Original-Method'] = method;
    h['X-Original-URI'] = uri;
  }
  if (cookie) h.Cookie = cookie;
  if (tenant) h['X-Tenant'] = tenant;
  return api(server, 'GET', '/auth/verify', { token, headers: h });
}

// The X-Auth-* headers of a response, by lower-case name (absent ones left out).
export function authHeaders(res) {
  const out = {};
  for (const n of AUTH_HEADERS) {
    const v = res.headers.get(n);
    if (v !== null) out[n] = v;
  }
  return out;
}

// Asserts a refusal: status and reason; no X-Auth-* header.
export function assertRefused(res, status, reason) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.reason, reason, res.text);
  assert.deepEqual(authHeaders(res), {});
  if (status === 401) assert.equal(res.headers.get('www-authenticate'), 'Bearer');
}

// `latchkey rule add` with the given options ({pattern, method, auth,
// ability, role, tenant, disabled}); returns the CLI's JSON.
export function addRule(server, opts) {
  const args = ['rule', 'add'];
  for (const [k, v] of Object.entries(opts)) {
    if (k === 'disabled') {
      if (v) args.push('--disabled');
    } else {
      args.push(`--${k}`, v);
    }
  }
  return cliJson(server.cli, ...args);
}
