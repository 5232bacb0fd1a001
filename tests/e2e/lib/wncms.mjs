// tests/e2e/lib/wncms.mjs - seed 003 (WNCMS): the seed's error bodies, a
// site (a tenant of the product "wncms") with an Admin and an Editor, API
// tokens from the CLI, settings through the CLI, and request helpers for
// the three auth modes.

import assert from 'node:assert/strict';

import { api, cliJson, startServer } from './server.mjs';

// The seed's "Error Responses", byte for byte.
export const INVALID_TOKEN_TEXT = '{"status":"fail","message":"Invalid token"}';
export const DISABLED_TEXT = '{"status":403,"message":"API access is disabled"}';
export const ADMIN_REQUIRED_TEXT = '{"status":"fail","message":"Admin access required"}';
export const INVALID_CREDENTIALS = { status: 'fail', message: 'Invalid credentials' };
export const BASIC_CHALLENGE = 'Basic realm="WNCMS API", charset="UTF-8"';

export const PASSWORD = 'wncms-password-1';
// High throttles (the throttle test sets its own).
export const WNCMS_ENV = { LATCHKEY_RATE_WNCMS: '100000/60' };

// The five endpoints, in an order that leaves no post behind: [setting
// key suffix, method, path, body] for the post `slug`.
export function endpoints(slug) {
  return [
    ['store', 'POST', '/api/v1/posts/store', { title: `Post ${slug}`, slug }],
    ['index', 'POST', '/api/v1/posts', { page_size: 1 }],
    ['show', 'POST', `/api/v1/posts/${slug}`, {}],
    ['update', 'POST', `/api/v1/posts/update/${slug}`, { title: `Post ${slug} (updated)` }],
    ['delete', 'POST', `/api/v1/posts/delete/${slug}`, {}],
  ];
}
export const ENDPOINT_NAMES = ['index', 'show', 'store', 'update', 'delete'];

export async function startWncms(env = {}, opts = {}) {
  return startServer({ ...WNCMS_ENV, ...env }, opts);
}

// A site `slug` with admin@<slug>.test (Admin) and editor@<slug>.test
// (Editor), each with an API token. Returns {tenant, admin, editor}, each
// user {email, token, id}.
export function createSite(server, slug) {
  const tenant = cliJson(server.cli, 'tenant', 'create', '--slug', slug, '--name', `Site ${slug}`,
    '--product', 'wncms');
  const people = {};
  for (const role of ['admin', 'editor']) {
    const email = `${role}@${slug}.test`;
    const u = cliJson(server.cli, 'user', 'create', '--email', email, '--name', `${role} of ${slug}`,
      '--password', PASSWORD, '--tenant', slug, '--role', role);
    people[role] = { email, id: u.id, token: apiToken(server, email, slug) };
  }
  return { tenant, ...people };
}

// `latchkey user api-token EMAIL --tenant SLUG`: the new token.
export function apiToken(server, email, slug) {
  const args = ['user', 'api-token', email];
  if (slug) args.push('--tenant', slug);
  return cliJson(server.cli, ...args).api_token;
}

// `latchkey setting set KEY VALUE [--tenant SLUG]`.
export function setSetting(server, key, value, tenant) {
  const args = ['setting', 'set', key, String(value)];
  if (tenant) args.push('--tenant', tenant);
  return cliJson(server.cli, ...args);
}

export function basicHeader(email, password) {
  return `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}`;
}

// A request to path with the token in the JSON body (simple mode), plus body.
export function withToken(server, method, path, token, body = {}, headers = {}) {
  return api(server, method, path, { body: { ...body, api_token: token }, headers });
}

// A request with HTTP Basic.
export function withBasic(server, method, path, email, password, body, headers = {}) {
  return api(server, method, path,
    { body, headers: { ...headers, Authorization: basicHeader(email, password) } });
}

export function assertSuccess(res, message) {
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(Object.keys(res.body), ['code', 'status', 'message', 'data', 'extra']);
  assert.equal(res.body.code, 200);
  assert.equal(res.body.status, 'success');
  if (message) assert.equal(res.body.message, message);
  assert.deepEqual(res.body.extra, {});
  return res.body.data;
}

export function assertText(res, status, text) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.text, text);
}
