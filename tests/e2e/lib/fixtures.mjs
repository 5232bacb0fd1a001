// tests/e2e/lib/fixtures.mjs - data the tests create through the CLI, and
// the seed 004 example they compare against.

import assert from 'node:assert/strict';

import { api, cliJson } from './server.mjs';

// The profile of seed 004 ("Example - current profile"), verbatim.
export const SEED_PROFILE = {
  id: 27,
  name: 'John Agent',
  email: 'john@example.com',
  phone: '+1-555-100-2000',
  avatar: null,
  status: 'active',
  tenant_id: 3,
  vacation_pool_balance: '150.00',
  hotel_card_redeems_left: 2,
  preferences: { language: 'en' },
  email_verified_at: '2026-04-30T16:02:14+00:00',
  last_login_at: '2026-04-30T18:10:01+00:00',
  role: { id: 8, name: 'Agent', slug: 'user' },
  permissions: ['dashboard.user', 'pos.view'],
  tenant: {
    id: 3,
    name: 'Safeway Travel',
    slug: 'safeway',
    domain: 'www.safewaytravel.net',
    default_currency: 'USD',
    enabled_products: ['hotel', 'activity', 'flight', 'deals'],
  },
};

export const PROFILE_KEYS = Object.keys(SEED_PROFILE);
export const TENANT_KEYS = Object.keys(SEED_PROFILE.tenant);
export const ROLE_KEYS = ['id', 'name', 'slug'];

export const JOHN_PASSWORD = 'correct horse battery staple';

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

// Asserts that actual has exactly the keys of example, in the same order, with
// the same JSON types (recursively; array elements against example[0]).
export function assertSameShape(actual, example, where = 'user') {
  assert.equal(typeOf(actual), typeOf(example), `${where}: type`);
  if (typeOf(example) === 'object') {
    assert.deepEqual(Object.keys(actual), Object.keys(example), `${where}: keys and their order`);
    for (const k of Object.keys(example)) assertSameShape(actual[k], example[k], `${where}.${k}`);
  } else if (typeOf(example) === 'array' && example.length > 0) {
    actual.forEach((el, i) => assertSameShape(el, example[0], `${where}[${i}]`));
  }
}

// The seed's tenant (safeway) and John Agent, created with the CLI.
// Returns {tenant, roles, user, agentRole, password}.
export function createSeedData(server) {
  const tenant = cliJson(server.cli, 'tenant', 'create', '--slug', 'safeway', '--name', 'Safeway Travel',
    '--domain', 'www.safewaytravel.net', '--currency', 'USD',
    '--products', 'hotel,activity,flight,deals');
  const agentRole = tenant.roles.find((r) => r.slug === 'user');
  assert.ok(agentRole, 'tenant create returns the Agent role (slug "user")');
  const user = cliJson(server.cli, 'user', 'create', '--email', 'john@example.com', '--name', 'John Agent',
    '--password', JOHN_PASSWORD, '--tenant', 'safeway', '--role', 'agent',
    '--phone', '+1-555-100-2000',
    '--attributes', '{"vacation_pool_balance":"150.00","hotel_card_redeems_left":2}',
    '--preferences', '{"language":"en"}', '--verified');
  return { tenant, agentRole, user, password: JOHN_PASSWORD };
}

// Creates a tenant; returns the CLI's JSON.
export function createTenant(server, slug, name = `Tenant ${slug}`, extra = []) {
  return cliJson(server.cli, 'tenant', 'create', '--slug', slug, '--name', name, ...extra);
}

// Creates a user (optionally in a tenant with a role); returns the CLI's JSON.
export function createUser(server, email, { password = 'secret-password-1', name = 'Test User',
  tenant, role = 'agent', extra = [] } = {}) {
  const args = ['user', 'create', '--email', email, '--name', name, '--password', password];
  if (tenant) args.push('--tenant', tenant, '--role', role);
  return cliJson(server.cli, ...args, ...extra);
}

// POST /api/v1/auth/token; returns the api() result.
export function login(server, email, password, { device = 'e2e', headers = {} } = {}) {
  return api(server, 'POST', '/api/v1/auth/token',
    { body: { email, password, device_name: device }, headers });
}

// Logs in and asserts 200; returns {token, user, res}.
export async function loginOk(server, email, password, opts) {
  const res = await login(server, email, password, opts);
  assert.equal(res.status, 200, `login ${email}: ${res.text}`);
  return { token: res.body.access_token, user: res.body.user, res };
}

// Creates a token with the CLI; returns the plaintext.
export function cliToken(server, email, tenant, name = 'cli', extra = []) {
  return cliJson(server.cli, 'token', 'create', '--user', email, '--tenant', tenant,
    '--name', name, ...extra).token;
}

export const UNAUTHENTICATED = { message: 'Unauthenticated.' };
export const NOT_MEMBER = { message: 'You are not a member of this tenant.' };
export const SUSPENDED = { message: 'Your account has been suspended.' };
export const INACTIVE = { message: 'Your account is inactive.' };
export const MEMBERSHIP_SUSPENDED = { message: 'Your membership in this tenant has been suspended.' };
export const BAD_CREDENTIALS = {
  message: 'The provided credentials are incorrect.',
  errors: { email: ['The provided credentials are incorrect.'] },
};
