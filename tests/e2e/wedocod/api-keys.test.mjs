// Seed 000 (WedoCOD): Settings -> API Keys through the dashboard session.
// Generate (shown once, Sanctum's format, scopes the role grants), list
// (never a secret; the account's keys for api_keys.manage, else one's own),
// revoke (another account's key is a 404), and the key on /api/user.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { api, cliJson, crc32hex, dbQuery, startServer } from '../lib/server.mjs';
import {
  addMember, createAccount, generateKey, LARAVEL_TIME_RE, SCOPES, UNAUTHENTICATED, webClient,
} from '../lib/wedocod.mjs';

const KEY_FIELDS = ['id', 'name', 'abilities', 'scopes', 'last_used_at', 'expires_at', 'created_at'];
const NOT_FOUND = { message: 'API key not found.' };
const GENERATE = '/settings/api-keys/generate';
const del = (web, id) => web.request('DELETE', `/settings/api-keys/${id}/delete`);
const list = async (web) => {
  const res = await web.request('GET', '/settings/api-keys');
  assert.equal(res.status, 200, res.text);
  return res;
};

describe('wedocod: API keys', () => {
  let server;
  const web = {};

  before(async () => {
    server = await startServer({ LATCHKEY_RATE_WEB_LOGIN: '1000/60' });
    createAccount(server, 'acme', 'owner@acme.test');
    for (const role of ['admin', 'agent', 'viewer']) addMember(server, 'acme', `${role}@acme.test`, role);
    createAccount(server, 'beta', 'owner@beta.test');
    for (const who of ['owner', 'admin', 'agent', 'viewer']) {
      web[who] = webClient(server);
      await web[who].login(`${who}@acme.test`);
    }
    web.beta = webClient(server);
    await web.beta.login('owner@beta.test');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  });

  test('generate: 201, the plaintext once in Sanctum 4 format, never in the list', async () => {
    const res = await web.owner.request('POST', GENERATE,
      { body: { name: 'Shop sync', abilities: ['VIEW LEADS', 'CREATE ORDERS'] } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(Object.keys(res.body), ['token', 'plainTextToken', 'accessToken']);
    const { token, plainTextToken, accessToken } = res.body;
    assert.equal(plainTextToken, token);
    const m = token.match(/^(\d+)\|([A-Za-z0-9]{40})([0-9a-f]{8})$/);
    assert.ok(m, token);
    assert.equal(m[3], crc32hex(m[2]), 'crc32b of the 40 characters');
    assert.equal(Number(m[1]), accessToken.id);
    assert.deepEqual(Object.keys(accessToken), KEY_FIELDS);
    assert.equal(accessToken.name, 'Shop sync');
    assert.deepEqual(accessToken.abilities, ['VIEW LEADS', 'CREATE ORDERS']);
    assert.deepEqual(accessToken.scopes, accessToken.abilities);
    assert.equal(accessToken.last_used_at, null);
    assert.equal(accessToken.expires_at, null);
    assert.match(accessToken.created_at, LARAVEL_TIME_RE);

    const listed = await list(web.owner);
    const row = listed.body.data.find((k) => k.id === accessToken.id);
    assert.deepEqual(row, accessToken);
    assert.ok(!listed.text.includes(m[2]), 'the secret is never listed');

    // The key works as a Bearer token, in the owner's account.
    const me = await api(server, 'GET', '/api/user', { token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.tenant.slug, 'acme');
  });

  test('expires_at: a future date (Y-m-d or ISO 8601), never the past', async () => {
    const ymd = await generateKey(web.owner, 'dated', ['VIEW LEADS'], { expires_at: '2031-02-03' });
    assert.equal(ymd.accessToken.expires_at, '2031-02-03T00:00:00.000000Z');
    const iso = await generateKey(web.owner, 'iso', ['VIEW LEADS'],
      { expires_at: '2031-02-03T10:20:30.000000Z' });
    assert.equal(iso.accessToken.expires_at, '2031-02-03T10:20:30.000000Z');
    const past = await web.owner.request('POST', GENERATE,
      { body: { name: 'old', abilities: ['VIEW LEADS'], expires_at: '2020-01-01' } });
    assert.equal(past.status, 422);
    assert.deepEqual(past.body.errors, { expires_at: ['The expires at field must be a date after now.'] });
    const junk = await web.owner.request('POST', GENERATE,
      { body: { name: 'junk', abilities: ['VIEW LEADS'], expires_at: 'next week' } });
    assert.deepEqual(junk.body.errors, { expires_at: ['The expires at field must be a valid date.'] });
  });

  test('validation: name and abilities required; scopes alias; form posts with abilities[]', async () => {
    const empty = await web.owner.request('POST', GENERATE, { body: {} });
    assert.equal(empty.status, 422);
    assert.deepEqual(empty.body, {
      message: 'The name field is required. (and 1 more error)',
      errors: { name: ['The name field is required.'], abilities: ['The abilities field is required.'] },
    });
    const notArray = await web.owner.request('POST', GENERATE, { body: { name: 'x', abilities: 'VIEW LEADS' } });
    assert.deepEqual(notArray.body.errors, { abilities: ['The abilities field must be an array.'] });
    const alias = await generateKey(web.owner, 'alias', undefined, { scopes: ['VIEW ORDERS'] });
    assert.deepEqual(alias.accessToken.scopes, ['VIEW ORDERS']);
    const form = await web.owner.request('POST', GENERATE,
      { form: { name: 'form', abilities: ['VIEW LEADS', 'UPDATE LEADS'] } });
    assert.equal(form.status, 201, form.text);
    assert.deepEqual(form.body.accessToken.abilities, ['VIEW LEADS', 'UPDATE LEADS']);
  });

  test('scopes: only those the role grants; unknown ones refused (422 on abilities)', async () => {
    const grants = {
      owner: SCOPES,
      admin: SCOPES,
      agent: ['CREATE LEADS', 'VIEW LEADS', 'UPDATE LEADS', 'CREATE ORDERS', 'VIEW ORDERS', 'UPDATE ORDERS'],
      viewer: ['VIEW LEADS', 'VIEW ORDERS'],
    };
    for (const [who, allowed] of Object.entries(grants)) {
      for (const scope of SCOPES) {
        const res = await web[who].request('POST', GENERATE, { body: { name: `${who} ${scope}`, abilities: [scope] } });
        if (allowed.includes(scope)) {
          assert.equal(res.status, 201, `${who} ${scope}: ${res.text}`);
        } else {
          assert.equal(res.status, 422, `${who} ${scope}: ${res.text}`);
          assert.deepEqual(Object.keys(res.body.errors), ['abilities']);
        }
      }
    }
    for (const bad of ['FLY LEADS', '*', 'view leads', '']) {
      const res = await web.owner.request('POST', GENERATE, { body: { name: 'bad', abilities: [bad] } });
      assert.equal(res.status, 422, bad);
      assert.deepEqual(Object.keys(res.body.errors), ['abilities'], bad);
    }
  });

  test('who sees and revokes what: api_keys.manage sees the account, others their own', async () => {
    const mine = await generateKey(web.agent, 'agent key', ['VIEW LEADS']);
    const ownerKey = await generateKey(web.owner, 'owner key', ['VIEW LEADS']);
    const betaKey = await generateKey(web.beta, 'beta key', ['VIEW LEADS']);

    const agentIds = (await list(web.agent)).body.data.map((k) => k.id);
    assert.ok(agentIds.includes(mine.accessToken.id));
    assert.ok(!agentIds.includes(ownerKey.accessToken.id), 'an agent sees only their own keys');
    const ownerList = (await list(web.owner)).body.data;
    const ownerIds = ownerList.map((k) => k.id);
    assert.ok(ownerIds.includes(mine.accessToken.id) && ownerIds.includes(ownerKey.accessToken.id));
    assert.ok(!ownerIds.includes(betaKey.accessToken.id), 'never another account\'s');
    const created = ownerList.map((k) => k.id);
    assert.deepEqual(created, [...created].sort((a, b) => b - a), 'newest first');

    // Another account's key, someone else's without api_keys.manage, unknown ids: 404.
    for (const [who, id] of [['beta', ownerKey.accessToken.id], ['agent', ownerKey.accessToken.id],
      ['owner', betaKey.accessToken.id], ['owner', 999999], ['owner', 'abc'], ['owner', '01']]) {
      const res = await del(web[who], id);
      assert.equal(res.status, 404, `${who} ${id}`);
      assert.deepEqual(res.body, NOT_FOUND);
    }
    assert.equal((await api(server, 'GET', '/api/user', { token: ownerKey.token })).status, 200,
      'a refused revoke changed nothing');

    // The owner revokes the agent's key: at once, 401 with it.
    assert.equal((await api(server, 'GET', '/api/user', { token: mine.token })).status, 200);
    const gone = await del(web.owner, mine.accessToken.id);
    assert.equal(gone.status, 204, gone.text);
    assert.deepEqual((await api(server, 'GET', '/api/user', { token: mine.token })).body, UNAUTHENTICATED);
    assert.ok(!(await list(web.agent)).body.data.some((k) => k.id === mine.accessToken.id));
    assert.deepEqual((await del(web.owner, mine.accessToken.id)).body, NOT_FOUND, 'revoked: gone');
    // Revoking one's own works without api_keys.manage.
    const again = await generateKey(web.viewer, 'viewer key', ['VIEW ORDERS']);
    assert.equal((await del(web.viewer, again.accessToken.id)).status, 204);
  });

  test('a suspended member\'s keys stop working', async () => {
    addMember(server, 'acme', 'temp@acme.test', 'agent');
    const temp = webClient(server);
    await temp.login('temp@acme.test');
    const key = await generateKey(temp, 'temp', ['VIEW LEADS']);
    cliJson(server.cli, 'member', 'set-status', '--user', 'temp@acme.test', '--tenant', 'acme',
      '--status', 'suspended');
    assert.equal((await api(server, 'GET', '/api/user', { token: key.token })).status, 403);
  });

  test('the routes need a session: 401 without one (reads), 419 first for writes', async () => {
    const anon = webClient(server);
    assert.deepEqual((await anon.request('GET', '/settings/api-keys')).body, UNAUTHENTICATED);
    await anon.csrfCookie();
    assert.deepEqual((await anon.request('POST', GENERATE, { body: { name: 'x', abilities: ['VIEW LEADS'] } })).body,
      UNAUTHENTICATED);
    assert.equal((await anon.request('DELETE', '/settings/api-keys/1/delete', { xsrf: false })).status, 419);
  });

  test('platform staff without a membership: a session without tenant, read-only keys', async () => {
    cliJson(server.cli, 'user', 'create', '--email', 'sam@staff.test', '--name', 'Sam',
      '--password', 'correct horse 1');
    cliJson(server.cli, 'staff', 'grant', '--email', 'sam@staff.test', '--role', 'support');
    cliJson(server.cli, 'user', 'create', '--email', 'dev@staff.test', '--name', 'Dev',
      '--password', 'correct horse 1');
    cliJson(server.cli, 'staff', 'grant', '--email', 'dev@staff.test', '--role', 'developer');
    // Support reads every account (accounts:read); the role matrix grants it
    // with the REST API, so make sure of it here.
    const perms = JSON.parse(dbQuery(server.db,
      "SELECT permissions FROM roles WHERE tenant_id IS NULL AND slug = 'support'"));
    if (!perms.includes('accounts:read')) {
      dbQuery(server.db, `UPDATE roles SET permissions = '${JSON.stringify([...perms, 'accounts:read'])}'` +
        " WHERE tenant_id IS NULL AND slug = 'support'");
    }
    const sam = webClient(server);
    await sam.login('sam@staff.test');
    const me = (await sam.request('GET', '/api/user')).body;
    assert.equal(me.tenant, null);
    assert.equal(me.role, null);
    assert.deepEqual(me.tenants, []);
    assert.equal(me.staff, 'support');
    const key = await generateKey(sam, 'reader', ['VIEW LEADS', 'VIEW ORDERS']);
    assert.deepEqual(key.accessToken.abilities, ['VIEW LEADS', 'VIEW ORDERS']);
    assert.equal((await api(server, 'GET', '/api/user', { token: key.token })).body.tenant, null);
    assert.deepEqual((await list(sam)).body.data.map((k) => k.id), [key.accessToken.id]);
    for (const scope of ['CREATE LEADS', 'DELETE ORDERS', 'team.view']) {
      const res = await sam.request('POST', GENERATE, { body: { name: 'w', abilities: [scope] } });
      assert.equal(res.status, 422, scope);
    }
    const dev = webClient(server);
    await dev.login('dev@staff.test');
    assert.equal((await dev.request('POST', GENERATE, { body: { name: 'r', abilities: ['VIEW LEADS'] } })).status,
      422, 'a staff role without accounts:read grants nothing');
  });
});
