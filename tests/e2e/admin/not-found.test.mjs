// Seed 001: everything under /admin answers in the {"success":false,...}
// envelope: an unknown path (404), a wrong method on a known path (405),
// and one "not found" body per resource whatever the id looks like.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminLoginOk, assertFail, OWNER_EMAIL, startAdminServer } from '../lib/admin.mjs';
import { api } from '../lib/server.mjs';

const BAD_IDS = ['abc', '9999', '0', '-1', '1.5', '01', '1e3', '99999999999999999999', '%20'];

describe('admin: not found and wrong method', () => {
  let server;
  let owner;

  before(async () => {
    let ownerPassword;
    ({ server, ownerPassword } = await startAdminServer());
    owner = (await adminLoginOk(server, OWNER_EMAIL, ownerPassword)).token;
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('an unknown /admin path: 404 in the envelope, with or without a token', async () => {
    for (const p of ['/admin/nope', '/admin/users/1/extra', '/admin/auth', '/admin', '/admin/',
      '/admin/tenants/1/members']) {
      for (const token of [owner, undefined]) {
        const res = await api(server, 'GET', p, { token });
        assert.deepEqual(res.body, {
          success: false,
          message: `The route ${p.replace(/^\//, '').replace(/\/$/, '')} could not be found.`,
        }, `${p} ${token ? 'with' : 'without'} a token`);
        assert.equal(res.status, 404);
      }
    }
  });

  test('paths outside /admin keep the Laravel body', async () => {
    const res = await api(server, 'GET', '/administrator');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { message: 'The route administrator could not be found.' });
  });

  test('a wrong method on a known /admin path: 405 in the envelope with Allow', async () => {
    const res = await api(server, 'PUT', '/admin/users/1', { token: owner, body: {} });
    assertFail(res, 405, 'The PUT method is not supported for route admin/users/1. '
      + 'Supported methods: GET, HEAD, PATCH, DELETE.');
    assert.equal(res.headers.get('allow'), 'GET, HEAD, PATCH, DELETE');
    const login = await api(server, 'GET', '/admin/auth/login');
    assertFail(login, 405);
  });

  test('every /admin/users/{id} route: one 404 body whatever the id', async () => {
    for (const id of BAD_IDS) {
      for (const [method, body] of [['GET'], ['PATCH', { status: 'active' }], ['DELETE']]) {
        const res = await api(server, method, `/admin/users/${id}`, { token: owner, body });
        assert.deepEqual(res.body, { success: false, message: 'User not found.' }, `${method} ${id}`);
        assert.equal(res.status, 404, `${method} ${id}`);
      }
    }
  });

  test('every /admin/tenants/{id} route: one 404 body whatever the id', async () => {
    for (const id of BAD_IDS) {
      for (const [method, body] of [['GET'], ['PATCH', { status: 'active' }]]) {
        const res = await api(server, method, `/admin/tenants/${id}`, { token: owner, body });
        assert.deepEqual(res.body, { success: false, message: 'Tenant not found.' }, `${method} ${id}`);
        assert.equal(res.status, 404, `${method} ${id}`);
      }
    }
  });
});
