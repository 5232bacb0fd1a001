// tests/e2e/lib/oauth.mjs - token introspection (RFC 7662) and revocation
// (RFC 7009): form-encoded requests with a Bearer service token or HTTP
// Basic of a service account, and the RFC 6749 error bodies.

import assert from 'node:assert/strict';

import { api } from './server.mjs';

export const INACTIVE = { active: false };
export const CHALLENGE = 'Bearer realm="latchkey", Basic realm="latchkey"';

// An Authorization header value: {bearer} or {basic: [email, password]}.
export function authHeader(auth) {
  if (!auth) return {};
  if (auth.bearer) return { Authorization: `Bearer ${auth.bearer}` };
  const [user, pass] = auth.basic;
  return { Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

// POST path with params form-encoded (or as JSON with { json: true }).
export function oauthPost(server, path, auth, params, { json = false } = {}) {
  const headers = authHeader(auth);
  if (json) return api(server, 'POST', path, { body: params, headers });
  headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return api(server, 'POST', path, { body: new URLSearchParams(params).toString(), headers });
}

export const introspect = (server, auth, token, extra = {}) =>
  oauthPost(server, '/oauth/introspect', auth, token === undefined ? extra : { token, ...extra });

export const revoke = (server, auth, token, extra = {}) =>
  oauthPost(server, '/oauth/revoke', auth, token === undefined ? extra : { token, ...extra });

// Introspects and asserts 200; returns the body.
export async function introspectOk(server, auth, token) {
  const res = await introspect(server, auth, token);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  return res.body;
}

// Asserts an RFC 6749 error body with status and code.
export function assertOAuthError(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.body), ['error', 'error_description'], res.text);
  assert.equal(res.body.error, code);
  if (status === 401) assert.equal(res.headers.get('www-authenticate'), CHALLENGE);
}
