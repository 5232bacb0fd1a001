// Seed 003 (WNCMS): switches and modes changed at runtime, without a
// restart - through the CLI and the admin API (GET|PATCH /admin/settings),
// per site over the platform default - and in force on a second instance
// over the same database within 1 second (PostgreSQL in the e2e-pg run,
// a shared SQLite file otherwise).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  adminLoginOk, assertFail, assertOk, createStaff, NO_PERMISSION, OWNER_EMAIL, STAFF_PASSWORD,
  startAdminServer,
} from '../lib/admin.mjs';
import { startPair, within } from '../lib/scale.mjs';
import { api } from '../lib/server.mjs';
import {
  assertSuccess, assertText, createSite, DISABLED_TEXT, INVALID_TOKEN_TEXT, setSetting,
  WNCMS_ENV, withBasic, withToken, PASSWORD,
} from '../lib/wncms.mjs';

const index = (server, token, headers) => withToken(server, 'POST', '/api/v1/posts', token, {}, headers);
const statusOf = (server, token) => async () => (await index(server, token)).status;

describe('wncms: settings at runtime', () => {
  let server;
  let owner;
  let alpha;
  let beta;

  before(async () => {
    let ownerPassword;
    ({ server, ownerPassword } = await startAdminServer(WNCMS_ENV));
    owner = (await adminLoginOk(server, OWNER_EMAIL, ownerPassword)).token;
    alpha = createSite(server, 'alpha');
    beta = createSite(server, 'beta');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  const patch = (body, token = owner) => api(server, 'PATCH', '/admin/settings', { token, body });

  test('GET /admin/settings: every key, its value, source, type and default', async () => {
    const data = assertOk(await api(server, 'GET', '/admin/settings', { token: owner }));
    assert.equal(data.tenant, null);
    assert.equal(data.settings.length, 16);
    assert.deepEqual(data.settings[0], { key: 'wncms_api_enabled', value: 'true',
      source: 'default', type: 'boolean', default: 'true' });
    const byKey = Object.fromEntries(data.settings.map((s) => [s.key, s.value]));
    for (const n of ['index', 'show', 'store', 'update', 'delete']) {
      assert.equal(byKey[`wncms_api_posts_${n}`], 'true');
      assert.equal(byKey[`wncms_api_posts_${n}_auth`], 'simple');
    }
    assert.equal(byKey.wncms_api_posts_index_role, 'none');
    assert.equal(byKey.wncms_api_posts_store_role, 'admin');
    const r = await api(server, 'GET', '/admin/settings?tenant=nowhere', { token: owner });
    assertFail(r, 404, 'Tenant not found.');
  });

  test('an endpoint switch: off gives the seed\'s 403 before any credential, at once', async () => {
    assertSuccess(await index(server, alpha.admin.token));
    assertOk(await patch({ settings: { wncms_api_posts_index: false } }));
    // Checked before authentication: no token, a bad one, a good one.
    for (const t of [undefined, 'bad', alpha.admin.token]) {
      assertText(await index(server, t, { 'X-Tenant': 'alpha' }), 403, DISABLED_TEXT);
    }
    // Other endpoints are untouched.
    const show = await withToken(server, 'POST', '/api/v1/posts/none', alpha.admin.token);
    assert.equal(show.status, 404);
    assertOk(await patch({ settings: { wncms_api_posts_index: true } }));
    assertSuccess(await index(server, alpha.admin.token));
  });

  test('the global switch turns every endpoint off', async () => {
    assertOk(await patch({ settings: { wncms_api_enabled: 'off' } }));
    for (const p of ['/api/v1/posts', '/api/v1/posts/x', '/api/v1/posts/store',
      '/api/v1/posts/update/x', '/api/v1/posts/delete/x']) {
      assertText(await withToken(server, 'POST', p, alpha.admin.token), 403, DISABLED_TEXT);
    }
    assertText(await api(server, 'GET', '/api/v1/posts'), 403, DISABLED_TEXT);
    assertOk(await patch({ settings: { wncms_api_enabled: null } })); // back to the default
    assertSuccess(await index(server, alpha.admin.token));
  });

  test('a site\'s own value wins over the platform default, for that site only', async () => {
    const data = assertOk(await patch({ tenant: 'beta', settings: { wncms_api_posts_index: false } }));
    assert.equal(data.tenant, 'beta');
    const row = data.settings.find((s) => s.key === 'wncms_api_posts_index');
    assert.deepEqual([row.value, row.source], ['false', 'tenant']);
    assertText(await index(server, beta.admin.token), 403, DISABLED_TEXT);
    assertText(await index(server, undefined, { 'X-Tenant': 'beta' }), 403, DISABLED_TEXT);
    assertSuccess(await index(server, alpha.admin.token));
    // The platform turns it off; beta's own row keeps it off, alpha follows.
    assertOk(await patch({ settings: { wncms_api_posts_index: false } }));
    assertText(await index(server, alpha.admin.token), 403, DISABLED_TEXT);
    assertOk(await patch({ tenant: 'beta', settings: { wncms_api_posts_index: true } }));
    // A site turns on what the platform turns off: named by X-Tenant, or
    // found from the token when the request names none.
    assertSuccess(await index(server, beta.admin.token, { 'X-Tenant': 'beta' }));
    assertSuccess(await index(server, beta.admin.token));
    // Without a site named and without a valid credential, the platform's
    // off holds.
    assertText(await index(server, 'bad'), 403, DISABLED_TEXT);
    assertText(await index(server, alpha.admin.token), 403, DISABLED_TEXT);
    assertOk(await patch({ settings: { wncms_api_posts_index: null } }));
    assertOk(await patch({ tenant: 'beta', settings: { wncms_api_posts_index: null } }));
    assertSuccess(await index(server, alpha.admin.token));
  });

  test('the auth mode changes at runtime: simple, basic, none', async () => {
    assertOk(await patch({ tenant: 'alpha', settings: { wncms_api_posts_index_auth: 'basic' } }));
    assert.equal((await index(server, alpha.admin.token, { 'X-Tenant': 'alpha' })).status, 401);
    assertSuccess(await withBasic(server, 'GET', '/api/v1/posts', alpha.admin.email, PASSWORD,
      undefined, { 'X-Tenant': 'alpha' }));
    assertOk(await patch({ tenant: 'alpha', settings: { wncms_api_posts_index_auth: 'none' } }));
    assertSuccess(await api(server, 'GET', '/api/v1/posts', { headers: { 'X-Tenant': 'alpha' } }));
    // beta still wants a token.
    assertText(await api(server, 'GET', '/api/v1/posts', { headers: { 'X-Tenant': 'beta' } }),
      401, INVALID_TOKEN_TEXT);
    assertOk(await patch({ tenant: 'alpha', settings: { wncms_api_posts_index_auth: null } }));
  });

  test('PATCH validates every key and value first; nothing changes on a 422', async () => {
    const r = await patch({ settings: { wncms_api_posts_index: false, nope: true,
      wncms_api_posts_show_auth: 'oauth', wncms_api_posts_store_role: 'Bad Role', wncms_api_posts_update: 7 } });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(Object.keys(r.body.errors), ['settings.nope', 'settings.wncms_api_posts_show_auth',
      'settings.wncms_api_posts_store_role', 'settings.wncms_api_posts_update']);
    assertSuccess(await index(server, alpha.admin.token));
    assert.equal((await patch({ settings: {} })).status, 422);
    assert.equal((await patch({})).status, 422);
  });

  test('settings:list and settings:manage are Owner and Manager permissions', async () => {
    createStaff(server, 'dev@admin.test', 'developer');
    createStaff(server, 'mgr@admin.test', 'manager');
    const dev = (await adminLoginOk(server, 'dev@admin.test', STAFF_PASSWORD)).token;
    const mgr = (await adminLoginOk(server, 'mgr@admin.test', STAFF_PASSWORD)).token;
    assertFail(await api(server, 'GET', '/admin/settings', { token: dev }), 403, NO_PERMISSION.message);
    assertFail(await patch({ settings: { wncms_api_enabled: true } }, dev), 403, NO_PERMISSION.message);
    assertOk(await api(server, 'GET', '/admin/settings', { token: mgr }));
    assertOk(await patch({ settings: { wncms_api_enabled: true } }, mgr));
  });

  test('POST /admin/users/{id}/api-token: shown once, rotates', async () => {
    const r1 = await api(server, 'POST', `/admin/users/${alpha.editor.id}/api-token`,
      { token: owner, body: { tenant: 'alpha' } });
    const first = assertOk(r1, 201).api_token;
    assert.equal(r1.headers.get('cache-control'), 'no-store');
    assertSuccess(await index(server, first));
    const second = assertOk(await api(server, 'POST', `/admin/users/${alpha.editor.id}/api-token`,
      { token: owner, body: { tenant: 'alpha' } }), 201).api_token;
    assertText(await index(server, first), 401, INVALID_TOKEN_TEXT);
    assertSuccess(await index(server, second));
    // Not a member of beta: 422; an unknown user: 404.
    const r = await api(server, 'POST', `/admin/users/${alpha.editor.id}/api-token`,
      { token: owner, body: { tenant: 'beta' } });
    assert.equal(r.status, 422);
    assertFail(await api(server, 'POST', '/admin/users/999999/api-token', { token: owner }), 404,
      'User not found.');
    // The audit log records creation and revocation.
    const audit = assertOk(await api(server, 'GET',
      `/admin/audit-logs?user_id=${alpha.editor.id}&per_page=50`, { token: owner }));
    const actions = audit.audit_logs.map((e) => e.action);
    assert.ok(actions.includes('api_token.revoke'), actions.join());
    assert.ok(actions.includes('token.create'), actions.join());
  });

  test('the CLI: setting get, set, unset, list', async () => {
    const got = server.cli('setting', 'get', 'wncms_api_posts_delete_role', '--json');
    assert.deepEqual(got.json, { key: 'wncms_api_posts_delete_role', value: 'admin', source: 'default' });
    const set = server.cli('setting', 'set', 'wncms_api_posts_delete_role', 'editor', '--tenant', 'alpha', '--json');
    assert.deepEqual(set.json, { key: 'wncms_api_posts_delete_role', value: 'editor', source: 'tenant' });
    assert.equal(server.cli('setting', 'get', 'wncms_api_posts_delete_role', '--json').json.source, 'default');
    const unset = server.cli('setting', 'unset', 'wncms_api_posts_delete_role', '--tenant', 'alpha', '--json');
    assert.equal(unset.json.source, 'default');
    assert.equal(server.cli('setting', 'list', '--json').json.length, 16);
    const text = server.cli('setting', 'list', '--tenant', 'alpha').stdout.split('\n');
    assert.match(text[0], /^wncms_api_enabled +true +(default|platform) +the whole WNCMS API: on\/off$/);
    assert.equal(server.cli('setting', 'set', 'nope', 'true').status, 1);
    assert.equal(server.cli('setting', 'set', 'wncms_api_enabled', 'maybe').status, 2);
    assert.equal(server.cli('setting', 'get').status, 2);
    assert.equal(server.cli('setting', 'list', '--tenant', 'nowhere').status, 1);
  });
});

describe('wncms: a change reaches a second instance within 1 second', () => {
  let pair;
  let site;

  before(async () => {
    pair = await startPair(WNCMS_ENV);
    site = createSite(pair.a, 'alpha');
  }, { timeout: 60000 });

  after(async () => {
    if (pair) await pair.stop();
  }, { timeout: 30000 });

  test('a switch and a mode set through instance A (or the CLI) apply on B', async () => {
    const { a, b } = pair;
    const t = site.admin.token;
    assert.equal(await statusOf(b, t)(), 200);
    // The CLI writes the database: neither instance is told.
    setSetting(a, 'wncms_api_posts_index', 'false');
    let w = await within(1000, 403, statusOf(b, t));
    assert.ok(w.ok, `B saw the switch after ${w.ms} ms (last ${w.last})`);
    w = await within(1000, 403, statusOf(a, t));
    assert.ok(w.ok, `A saw the switch after ${w.ms} ms`);
    setSetting(a, 'wncms_api_posts_index', 'true');
    w = await within(1000, 200, statusOf(b, t));
    assert.ok(w.ok, `B saw it back after ${w.ms} ms`);
    // A mode changed through A's admin API... here through the CLI on A's
    // database, per site: B follows within the second.
    setSetting(a, 'wncms_api_posts_index_auth', 'basic', 'alpha');
    w = await within(1000, 401, statusOf(b, t));
    assert.ok(w.ok, `B saw the mode after ${w.ms} ms`);
  });
});
