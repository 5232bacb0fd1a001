// Seed 002, "Team Management Endpoints" and "Role & Permission Endpoints":
// GET /api/v1/team (pagination, Laravel meta), roles, role details, the
// permission catalogue, the X-Tenant header, and the seed's error bodies
// compared key by key.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { AGENT_PERMISSIONS, ISO_Z_RE } from '../lib/autocom.mjs';
import { assertSameShape } from '../lib/fixtures.mjs';
import { api, startServer } from '../lib/server.mjs';
import {
  MEMBER_SHAPE, PAGE_SHAPE, PASSWORD, PERMISSION_SHAPE, ROLE_SHAPE, SEED_NOT_MEMBER,
  SEED_UNAUTHENTICATED, SEED_VALIDATION, addMember, makeTeam, teamCall,
} from '../lib/team.mjs';

const PUBLIC_URL = 'https://auth.example.test';

describe('autocom team: members, roles, permissions', () => {
  let server;
  let team;
  let other;
  const members = [];

  before(async () => {
    server = await startServer({ LATCHKEY_PUBLIC_URL: PUBLIC_URL });
    team = await makeTeam(server, 'my-store', 'john@mystore.com');
    other = await makeTeam(server, 'other-store', 'olga@other.com');
    for (let i = 1; i <= 19; i++) {
      const role = i % 3 === 0 ? 'manager' : 'agent';
      const email = `m${String(i).padStart(2, '0')}@mystore.com`;
      const r = server.cli('user', 'create', '--email', email, '--name', `Member ${i}`,
        '--password', PASSWORD, '--tenant', 'my-store', '--role', role, '--json');
      assert.equal(r.status, 0, r.stderr);
      members.push({ id: r.json.id, email, role });
    }
  }, { timeout: 120000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('GET /team: the first page, oldest member first, Laravel links and meta', async () => {
    const res = await teamCall(server, 'GET', '/api/v1/team', team.owner, team);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), Object.keys(PAGE_SHAPE));
    assert.deepEqual(Object.keys(res.body.links), Object.keys(PAGE_SHAPE.links));
    assert.deepEqual(Object.keys(res.body.meta), Object.keys(PAGE_SHAPE.meta));
    const { data, links, meta } = res.body;
    assert.equal(data.length, 15);
    assert.deepEqual(data[0], {
      id: team.owner.id, name: 'John Doe', email: 'john@mystore.com',
      role: { id: team.roles.owner, name: 'Owner', slug: 'owner' }, status: 'active',
      joined_at: data[0].joined_at, last_login_at: data[0].last_login_at,
    });
    assert.match(data[0].joined_at, ISO_Z_RE);
    assert.match(data[0].last_login_at, ISO_Z_RE);
    assert.deepEqual(data.slice(1).map((m) => m.id), members.slice(0, 14).map((m) => m.id));
    assert.equal(data[3].role.slug, 'manager');
    assert.equal(data[1].last_login_at, null);
    assertSameShape(data[0], MEMBER_SHAPE, 'member');
    for (const m of data) assert.deepEqual(Object.keys(m), Object.keys(MEMBER_SHAPE));
    const path = `${PUBLIC_URL}/api/v1/team`;
    assert.deepEqual(links, { first: `${path}?page=1`, last: `${path}?page=2`, prev: null,
      next: `${path}?page=2` });
    assert.deepEqual({ ...meta, links: undefined }, { current_page: 1, from: 1, last_page: 2,
      links: undefined, path, per_page: 15, to: 15, total: 20 });
    assert.deepEqual(meta.links, [
      { url: null, label: '&laquo; Previous', active: false },
      { url: `${path}?page=1`, label: '1', active: true },
      { url: `${path}?page=2`, label: '2', active: false },
      { url: `${path}?page=2`, label: 'Next &raquo;', active: false },
    ]);
  });

  test('GET /team?per_page=3&page=7: the last page; past it, empty', async () => {
    const path = `${PUBLIC_URL}/api/v1/team`;
    let res = await teamCall(server, 'GET', '/api/v1/team?per_page=3&page=7', team.owner, team);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.data.map((m) => m.email), ['m18@mystore.com', 'm19@mystore.com']);
    assert.deepEqual(res.body.links, {
      first: `${path}?per_page=3&page=1`, last: `${path}?per_page=3&page=7`,
      prev: `${path}?per_page=3&page=6`, next: null,
    });
    assert.equal(res.body.meta.from, 19);
    assert.equal(res.body.meta.to, 20);
    assert.equal(res.body.meta.last_page, 7);
    assert.equal(res.body.meta.per_page, 3);
    res = await teamCall(server, 'GET', '/api/v1/team?per_page=3&page=8', team.owner, team);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.data, []);
    assert.equal(res.body.meta.from, null);
    assert.equal(res.body.meta.to, null);
    assert.equal(res.body.meta.current_page, 8);
    // Laravel's LengthAwarePaginator past the last page: previousPageUrl()
    // is null only on page 1, so prev is page 7's URL; next is null
    // (hasMorePages() is false); first and last stay the real ones.
    assert.deepEqual(res.body.links, {
      first: `${path}?per_page=3&page=1`, last: `${path}?per_page=3&page=7`,
      prev: `${path}?per_page=3&page=7`, next: null,
    });
    assert.equal(res.body.meta.last_page, 7);
    assert.equal(res.body.meta.total, 20);
    const links = res.body.meta.links;
    assert.deepEqual(links[0],
      { url: `${path}?per_page=3&page=7`, label: '&laquo; Previous', active: false });
    assert.deepEqual(links.at(-1), { url: null, label: 'Next &raquo;', active: false });
    assert.deepEqual(links.slice(1, -1).map((l) => [l.label, l.active]),
      [1, 2, 3, 4, 5, 6, 7].map((n) => [String(n), false]));
    // Far past the end, prev is still the page before the current one.
    res = await teamCall(server, 'GET', '/api/v1/team?per_page=3&page=50', team.owner, team);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.links.prev, `${path}?per_page=3&page=49`);
    assert.equal(res.body.meta.links[0].url, `${path}?per_page=3&page=49`);
  });

  test('GET /team?per_page=1: 20 pages, Laravel\'s window of page links', async () => {
    const res = await teamCall(server, 'GET', '/api/v1/team?per_page=1&page=10', team.owner, team);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.meta.links.map((l) => l.label), ['&laquo; Previous', '1', '2', '...',
      '7', '8', '9', '10', '11', '12', '13', '...', '19', '20', 'Next &raquo;']);
    assert.deepEqual(res.body.meta.links.filter((l) => l.active).map((l) => l.label), ['10']);
    const first = await teamCall(server, 'GET', '/api/v1/team?per_page=1', team.owner, team);
    assert.deepEqual(first.body.meta.links.map((l) => l.label), ['&laquo; Previous', '1', '2', '3',
      '4', '5', '6', '7', '8', '9', '10', '...', '19', '20', 'Next &raquo;']);
  });

  test('page: anything but a positive integer is page 1; per_page is checked', async () => {
    for (const q of ['page=0', 'page=-2', 'page=abc', 'page=']) {
      const res = await teamCall(server, 'GET', `/api/v1/team?${q}`, team.owner, team);
      assert.equal(res.status, 200, `${q}: ${res.text}`);
      assert.equal(res.body.meta.current_page, 1, q);
    }
    for (const [q, msg] of [['0', 'The per page field must be between 1 and 100.'],
      ['101', 'The per page field must be between 1 and 100.'],
      ['x', 'The per page field must be an integer.'],
      ['1.5', 'The per page field must be an integer.']]) {
      const res = await teamCall(server, 'GET', `/api/v1/team?per_page=${q}`, team.owner, team);
      assert.equal(res.status, 422, `${q}: ${res.text}`);
      assert.deepEqual(res.body, { message: 'The given data was invalid',
        errors: { per_page: [msg] } });
    }
  });

  test('GET /team lists only this tenant\'s members', async () => {
    const res = await teamCall(server, 'GET', '/api/v1/team', other.owner, other);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.data.map((m) => m.email), ['olga@other.com']);
    assert.equal(res.body.meta.total, 1);
  });

  test('GET /team/roles and /team/roles/{id}: the tenant\'s roles', async () => {
    const res = await teamCall(server, 'GET', '/api/v1/team/roles', team.owner, team);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['roles']);
    assert.deepEqual(res.body.roles.map((r) => [r.slug, r.name]),
      [['owner', 'Owner'], ['admin', 'Admin'], ['manager', 'Manager'], ['agent', 'Agent']]);
    for (const r of res.body.roles) assertSameShape(r, ROLE_SHAPE, 'role');
    const agent = res.body.roles.find((r) => r.slug === 'agent');
    assert.deepEqual(agent.permissions, AGENT_PERMISSIONS);
    const one = await teamCall(server, 'GET', `/api/v1/team/roles/${agent.id}`, team.owner, team);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.body, { role: agent });
    for (const id of [other.roles.owner, other.roles.agent, 0, 999999, 'abc', '1x', '-1']) {
      const r = await teamCall(server, 'GET', `/api/v1/team/roles/${id}`, team.owner, team);
      assert.equal(r.status, 404, `${id}: ${r.text}`);
      assert.deepEqual(r.body, { message: 'Role not found' });
    }
  });

  test('GET /team/permissions: the catalogue, covering every role\'s permissions', async () => {
    const res = await teamCall(server, 'GET', '/api/v1/team/permissions', team.owner, team);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['permissions']);
    for (const p of res.body.permissions) {
      assertSameShape(p, PERMISSION_SHAPE, 'permission');
      assert.equal(p.group, p.name.split('.')[0]);
      assert.ok(p.description.length > 0);
    }
    const names = new Set(res.body.permissions.map((p) => p.name));
    for (const name of ['team.view', 'team.invite', 'team.edit', 'team.manage_roles',
      'team.remove']) assert.ok(names.has(name), name);
    const roles = await teamCall(server, 'GET', '/api/v1/team/roles', team.owner, team);
    for (const r of roles.body.roles) {
      for (const p of r.permissions) assert.ok(names.has(p), `${r.slug}: ${p}`);
    }
  });

  test('the seed\'s 422 example, key by key', async () => {
    const res = await teamCall(server, 'POST', '/api/v1/team/invite', team.owner, team,
      { role_id: other.roles.agent });
    assert.equal(res.status, 422, res.text);
    assertSameShape(res.body, SEED_VALIDATION, '422');
    assert.deepEqual(res.body, SEED_VALIDATION);
  });

  test('401 without or with a bad token, the seed\'s body', async () => {
    for (const token of [undefined, 'nope', team.owner.token.slice(0, -4)]) {
      const res = await api(server, 'GET', '/api/v1/team',
        { token, headers: { 'X-Tenant': 'my-store' } });
      assert.equal(res.status, 401, res.text);
      assert.deepEqual(res.body, SEED_UNAUTHENTICATED);
    }
  });

  test('X-Tenant is required (400), a tenant of the user (403), known (404)', async () => {
    let res = await api(server, 'GET', '/api/v1/team', { token: team.owner.token });
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(res.body, { message: 'X-Tenant header is required' });
    res = await teamCall(server, 'GET', '/api/v1/team', team.owner, other);
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, SEED_NOT_MEMBER);
    res = await teamCall(server, 'GET', '/api/v1/team', team.owner, { slug: 'no-such-tenant' });
    assert.equal(res.status, 404, res.text);
    assert.deepEqual(res.body, { message: 'Tenant not found' });
  });

  test('a member of both tenants sees each team with that tenant\'s token', async () => {
    const both = await addMember(server, other, 'm01@mystore.com', 'admin');
    const res = await teamCall(server, 'GET', '/api/v1/team', both, other);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.data.map((m) => [m.email, m.role.slug]),
      [['olga@other.com', 'owner'], ['m01@mystore.com', 'admin']]);
  });

  test('rate limit headers on team routes', async () => {
    const res = await teamCall(server, 'GET', '/api/v1/team/roles', team.owner, team);
    assert.ok(res.headers.get('x-ratelimit-limit'));
    assert.ok(res.headers.get('x-ratelimit-remaining'));
    assert.ok(res.headers.get('x-ratelimit-reset'));
  });
});
