// tests/e2e/lib/wedocod.mjs - WedoCOD's REST API (seed 000): accounts,
// members and tokens made with the CLI, the ten routes, the eight scopes,
// the expected bodies.

import assert from 'node:assert/strict';

import { cliJson } from './server.mjs';
import { api } from './server.mjs';

export const API = '/api/web/1.0';
export const PASSWORD = 'correct horse 1';

export const SCOPES = ['CREATE LEADS', 'VIEW LEADS', 'UPDATE LEADS', 'DELETE LEADS',
  'CREATE ORDERS', 'VIEW ORDERS', 'UPDATE ORDERS', 'DELETE ORDERS'];

export const UNAUTHENTICATED = { message: 'Unauthenticated.' };
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
export const LARAVEL_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000Z$/;

// A WedoCOD account (tenant of product wedocod) with a member of role.
export function createAccount(server, slug, { currency } = {}) {
  const extra = currency ? ['--currency', currency] : [];
  return cliJson(server.cli, 'tenant', 'create', '--slug', slug, '--name', `Account ${slug}`,
    '--product', 'wedocod', ...extra);
}

export function createMember(server, email, tenant, role = 'owner') {
  return cliJson(server.cli, 'user', 'create', '--tenant', tenant, '--role', role, '--email', email,
    '--password', PASSWORD, '--name', email.split('@')[0]);
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
