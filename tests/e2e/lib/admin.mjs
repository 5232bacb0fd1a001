// tests/e2e/lib/admin.mjs - shortcuts for the admin API tests (seed 001):
// a server with the first-start Owner's password, staff members made with the
// CLI, logins, and the expected envelopes.

import assert from 'node:assert/strict';

import { api, cliJson, startServer, waitFor } from './server.mjs';

// Throttles raised so that only the tests about them meet them.
export const ADMIN_TEST_ENV = {
  LATCHKEY_RATE_ADMIN_LOGIN: '1000/60',
  LATCHKEY_RATE_ADMIN_PASSWORD: '1000/60',
  LATCHKEY_RATE_ADMIN: '100000/60',
};

export const OWNER_EMAIL = 'owner@admin.test';
export const STAFF_PASSWORD = 'staff-password-1';

export const ISO_Z_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const PASSWORD_RE = /password: (\S{16,})/;

// Starts a server whose first-start Owner is OWNER_EMAIL; returns
// {server, ownerPassword}.
export async function startAdminServer(env = {}, opts = {}) {
  const server = await startServer({ LATCHKEY_ADMIN_EMAIL: OWNER_EMAIL, ...ADMIN_TEST_ENV, ...env },
    opts);
  const seen = await waitFor(() => PASSWORD_RE.test(server.stdout()), { timeoutMs: 5000 });
  assert.ok(seen || opts.dir, `first start prints the owner password:\n${server.stdout()}`);
  const m = PASSWORD_RE.exec(server.stdout());
  return { server, ownerPassword: m ? m[1] : null };
}

// Creates a user (no tenant) with the CLI and grants a staff role.
export function createStaff(server, email, role, { password = STAFF_PASSWORD, name = 'Staff Member' } = {}) {
  const user = cliJson(server.cli, 'user', 'create', '--email', email, '--name', name,
    '--password', password);
  cliJson(server.cli, 'staff', 'grant', '--email', email, '--role', role);
  return user;
}

export function adminLogin(server, email, password, headers = {}) {
  return api(server, 'POST', '/admin/auth/login', { body: { email, password }, headers });
}

// Logs in and asserts 200; returns {token, user, expiresAt, res}.
export async function adminLoginOk(server, email, password) {
  const res = await adminLogin(server, email, password);
  assert.equal(res.status, 200, `admin login ${email}: ${res.text}`);
  assert.equal(res.body.success, true);
  return { token: res.body.data.token.access_token, user: res.body.data.user,
    expiresAt: res.body.data.token.expires_at, res };
}

// Asserts the error envelope {"success":false,"message":...} with a status.
export function assertFail(res, status, message) {
  assert.equal(res.status, status, `${status} expected: ${res.text}`);
  assert.equal(res.body?.success, false, res.text);
  assert.equal(typeof res.body.message, 'string');
  if (message !== undefined) assert.equal(res.body.message, message);
  return res.body;
}

// Asserts {"success":true,"data":{...}} with status (200 by default); returns data.
export function assertOk(res, status = 200) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body?.success, true, res.text);
  assert.equal(typeof res.body.data, 'object');
  return res.body.data;
}

export const UNAUTHENTICATED = { success: false, message: 'Unauthenticated.' };
export const NO_PERMISSION = {
  success: false, message: 'You do not have permission to perform this action.',
};
export const NOT_STAFF = { success: false, message: 'You do not have access to the admin API.' };
export const BAD_CREDENTIALS = { success: false, message: 'Invalid credentials.' };
