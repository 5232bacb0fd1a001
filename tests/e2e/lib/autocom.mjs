// tests/e2e/lib/autocom.mjs - seed 002 (AutoCom) examples, verbatim where the
// seed shows them, and helpers: register, login, authenticated calls, and JWT
// verification with jose, an independent verifier (npm, tests/e2e/package.json)
// against the server's /.well-known/jwks.json.

import assert from 'node:assert/strict';

import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

import { api } from './server.mjs';

// "Register Tenant" request and 201 response.
export const SEED_REGISTER = {
  company_name: 'My Store',
  domain: 'my-store',
  admin_name: 'John Doe',
  admin_email: 'john@mystore.com',
  admin_password: 'securepass123',
  admin_password_confirmation: 'securepass123',
};
export const SEED_REGISTER_RESPONSE = {
  message: 'Tenant registered successfully',
  tenant: { id: 'my-store', name: 'My Store', domain: 'my-store' },
  user: { id: 1, name: 'John Doe', email: 'john@mystore.com', role: 'owner' },
  access_token: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...',
  token_type: 'Bearer',
};

// "Login" 200 response ("..." in the seed's permission list left out).
export const SEED_LOGIN_RESPONSE = {
  message: 'Login successful',
  user: {
    id: 1,
    name: 'John Doe',
    email: 'john@mystore.com',
    role: 'owner',
    permissions: ['dashboard.view', 'dashboard.view_analytics', 'orders.view', 'orders.create'],
  },
  tenant: { id: 'my-store', name: 'My Store' },
  access_token: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...',
  token_type: 'Bearer',
};

// "Get Current User" 200 response.
export const SEED_ME = {
  id: 1,
  name: 'John Doe',
  email: 'john@mystore.com',
  email_verified: true,
  is_super_admin: false,
  created_at: '2024-01-01T00:00:00Z',
  last_login_at: '2024-01-07T15:30:00Z',
  tenant_membership: {
    role: 'owner',
    status: 'active',
    joined_at: '2024-01-01T00:00:00Z',
    permissions: ['dashboard.view'],
  },
  tenants: [
    { id: 'my-store', name: 'My Store', role: 'owner', is_current: true },
    { id: 'other-store', name: 'Other Store', role: 'agent', is_current: false },
  ],
};

// "List User's Tenants" 200 response.
export const SEED_TENANTS = {
  tenants: [
    { id: 'my-store', name: 'My Store', role: 'owner', joined_at: '2024-01-01T00:00:00Z' },
    { id: 'other-store', name: 'Other Store', role: 'agent', joined_at: '2024-01-05T10:00:00Z' },
  ],
};

// AutoCom's Agent role (src/surfaces/autocom_product.c).
export const AGENT_PERMISSIONS = ['dashboard.view', 'orders.view', 'orders.create', 'orders.edit', 'products.view', 'customers.view', 'customers.create', 'customers.edit'];

// "Error Responses".
export const UNAUTHENTICATED = { message: 'Unauthenticated' };
export const NOT_MEMBER = { message: 'You are not a member of this organization' };
export const MEMBERSHIP_SUSPENDED = {
  message: 'Your access to this organization has been suspended',
  status: 'suspended',
};
export const INVALID = 'The given data was invalid';
// Our wording where the seed names the status but shows no body.
export const INVALID_CREDENTIALS = { message: 'Invalid credentials' };
export const MISSING_TENANT = { message: 'X-Tenant header is required' };
export const TENANT_NOT_FOUND = { message: 'Tenant not found' };
export const ACCOUNT_INACTIVE = { message: 'Your account is inactive', status: 'inactive' };
export const ACCOUNT_SUSPENDED = { message: 'Your account has been suspended', status: 'suspended' };

// "2024-01-07T15:30:00Z"
export const ISO_Z_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

// A registration body for slug/email (seed values otherwise).
export function registration(slug, email, extra = {}) {
  return { ...SEED_REGISTER, company_name: `Company ${slug}`, domain: slug,
    admin_email: email, ...extra };
}

export function register(server, body, headers = {}) {
  return api(server, 'POST', '/api/v1/tenants', { body, headers });
}

// Registers and asserts 201; returns the body.
export async function registerOk(server, slug, email, extra = {}) {
  const res = await register(server, registration(slug, email, extra));
  assert.equal(res.status, 201, `register ${slug}: ${res.text}`);
  return res.body;
}

export function login(server, tenant, email, password, headers = {}) {
  const h = { ...headers };
  if (tenant !== null && tenant !== undefined) h['X-Tenant'] = tenant;
  return api(server, 'POST', '/api/v1/auth/login', { body: { email, password }, headers: h });
}

// Logs in and asserts 200; returns {token, body, res}.
export async function loginOk(server, tenant, email, password = SEED_REGISTER.admin_password) {
  const res = await login(server, tenant, email, password);
  assert.equal(res.status, 200, `login ${email} in ${tenant}: ${res.text}`);
  return { token: res.body.access_token, body: res.body, res };
}

// An authenticated AutoCom call (X-Tenant when tenant is given).
export function call(server, method, path, token, { tenant, body } = {}) {
  const headers = {};
  if (tenant) headers['X-Tenant'] = tenant;
  return api(server, method, path, { token, headers, body });
}

export async function fetchJwks(server) {
  const res = await api(server, 'GET', '/.well-known/jwks.json');
  assert.equal(res.status, 200, res.text);
  return res.body;
}

// Verifies token with jose against the server's JWKS, issuer and audience.
// Returns {payload, protectedHeader}; throws (a jose error) if it does not verify.
export async function verifyWithJose(server, token, { issuer, audience = 'latchkey' } = {}) {
  const jwks = await fetchJwks(server);
  return jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: issuer ?? server.env.LATCHKEY_PUBLIC_URL ?? 'http://127.0.0.1:8080',
    audience,
    algorithms: ['RS256'],
    typ: 'JWT',
  });
}

export const kidOf = (token) => decodeProtectedHeader(token).kid;

export function rateHeaders(res) {
  return {
    limit: res.headers.get('x-ratelimit-limit'),
    remaining: res.headers.get('x-ratelimit-remaining'),
    reset: res.headers.get('x-ratelimit-reset'),
  };
}
