// Seed 001: GET /admin/tenants, GET /admin/tenants/{id}, PATCH
// /admin/tenants/{id} - and that a suspended tenant's members are refused on
// the travel surface (tokens and logins) until it is reactivated.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  adminLoginOk, assertFail, assertOk, ISO_Z_RE, OWNER_EMAIL, startAdminServer,
} from '../lib/admin.mjs';
import { createTenant, createUser, login, loginOk } from '../lib/fixtures.mjs';
import { api } from '../lib/server.mjs';

const TENANT_KEYS = ['id', 'slug', 'name', 'domain', 'default_currency', 'enabled_products', 'status',
  'member_count', 'created_at'];
const TENANT_SUSPENDED = { message: 'This tenant has been suspended.' };

describe('admin: tenants', () => {
  let server;
  let owner;
  let acme;
  let globex;
  const get = (p) => api(server, 'GET', p, { token: owner });
  const patch = (id, body) => api(server, 'PATCH', `/admin/tenants/${id}`, { token: owner, body });

  before(async () => {
    let ownerPassword;
    ({ server, ownerPassword } = await startAdminServer());
    owner = (await adminLoginOk(server, OWNER_EMAIL, ownerPassword)).token;
    acme = createTenant(server, 'acme', 'Acme Travel', ['--domain', 'acme.test', '--currency', 'EUR',
      '--products', 'hotel,flight']);
    globex = createTenant(server, 'globex', 'Globex');
    createTenant(server, 'initech', 'Initech Travel');
    createUser(server, 'a@acme.test', { tenant: 'acme', role: 'owner', password: 'member-password' });
    createUser(server, 'b@acme.test', { tenant: 'acme', role: 'agent', password: 'member-password' });
    createUser(server, 'g@globex.test', { tenant: 'globex', role: 'agent', password: 'member-password' });
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('list: tenants with member counts, search, status filter, paging', async () => {
    const data = assertOk(await get('/admin/tenants'));
    assert.deepEqual(Object.keys(data), ['tenants', 'meta']);
    assert.equal(data.tenants.length, 3);
    assert.deepEqual(Object.keys(data.tenants[0]), TENANT_KEYS);
    assert.deepEqual({ ...data.tenants[0], created_at: 'x' }, {
      id: acme.id, slug: 'acme', name: 'Acme Travel', domain: 'acme.test', default_currency: 'EUR',
      enabled_products: ['hotel', 'flight'], status: 'active', member_count: 2, created_at: 'x',
    });
    assert.match(data.tenants[0].created_at, ISO_Z_RE);
    assert.equal(data.tenants[1].member_count, 1);
    assert.equal(data.tenants[2].member_count, 0);
    assert.deepEqual(data.meta, { current_page: 1, per_page: 15, total: 3, last_page: 1 });
    const travel = assertOk(await get('/admin/tenants?search=travel&per_page=1'));
    assert.deepEqual(travel.tenants.map((t) => t.slug), ['acme']);
    assert.deepEqual(travel.meta, { current_page: 1, per_page: 1, total: 2, last_page: 2 });
    assertFail(await get('/admin/tenants?status=closed'), 422);
  });

  test('show: one tenant; 404 for unknown ids', async () => {
    const data = assertOk(await get(`/admin/tenants/${globex.id}`));
    assert.deepEqual(Object.keys(data), ['tenant']);
    assert.equal(data.tenant.slug, 'globex');
    assert.equal(data.tenant.member_count, 1);
    assertFail(await get('/admin/tenants/99999'), 404, 'Tenant not found.');
    assertFail(await get('/admin/tenants/nope'), 404);
  });

  test('suspend: every member is refused on the travel API; reactivate restores them', async () => {
    const before = (await loginOk(server, 'a@acme.test', 'member-password')).token;
    const other = (await loginOk(server, 'g@globex.test', 'member-password')).token;

    const res = await patch(acme.id, { status: 'suspended' });
    const data = assertOk(res);
    assert.equal(res.body.message, 'Tenant suspended.');
    assert.equal(data.tenant.status, 'suspended');
    assert.equal(data.tenant.member_count, 2);

    const r = await api(server, 'GET', '/api/v1/auth/user', { token: before });
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(r.body, TENANT_SUSPENDED);
    const l = await login(server, 'b@acme.test', 'member-password');
    assert.equal(l.status, 403, l.text);
    assert.deepEqual(l.body, TENANT_SUSPENDED);
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: other })).status, 200,
      'other tenants are untouched');
    assert.deepEqual(assertOk(await get('/admin/tenants?status=suspended')).tenants.map((t) => t.slug),
      ['acme']);

    const back = await patch(acme.id, { status: 'active' });
    assert.equal(assertOk(back).tenant.status, 'active');
    assert.equal(back.body.message, 'Tenant reactivated.');
    assert.equal((await api(server, 'GET', '/api/v1/auth/user', { token: before })).status, 200,
      'tokens were kept, so reactivation restores access');
    await loginOk(server, 'b@acme.test', 'member-password');

    const log = assertOk(await get(`/admin/audit-logs?tenant_id=${acme.id}&action=tenant.*`)).audit_logs;
    assert.deepEqual(log.map((e) => e.action).slice(0, 2), ['tenant.reactivate', 'tenant.suspend']);
  });

  test('update: 422 without a valid status, 404 for unknown tenants', async () => {
    const none = await patch(globex.id, {});
    assertFail(none, 422, 'The status field is required.');
    assert.deepEqual(none.body.errors, { status: ['The status field is required.'] });
    assertFail(await patch(globex.id, { status: 'deleted' }), 422, 'The selected status is invalid.');
    assertFail(await patch(99999, { status: 'active' }), 404, 'Tenant not found.');
  });
});
