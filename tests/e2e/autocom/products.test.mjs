// Issue #11: each product declares its own permission catalogue and default
// roles, and a tenant belongs to the product it was created for. AutoCom
// registration makes AutoCom tenants (the seed's dashboard.*, orders.*,
// team.* and the member role "agent"); the CLI takes --product (default
// travel); seed 004's tenants keep the Agent role with slug "user".

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  AGENT_PERMISSIONS, SEED_LOGIN_RESPONSE, call, loginOk, registerOk,
} from '../lib/autocom.mjs';
import { fails } from '../lib/cli.mjs';
import { createTenant, createUser } from '../lib/fixtures.mjs';
import { api, cliJson, startServer } from '../lib/server.mjs';

const TEAM = ['team.view', 'team.invite', 'team.edit', 'team.manage_roles', 'team.remove'];

describe('products: each tenant has its product\'s roles and permissions', () => {
  let server;
  let owner; // the owner of my-store (AutoCom registration)

  before(async () => {
    server = await startServer();
    await registerOk(server, 'my-store', 'john@mystore.com', { company_name: 'My Store' });
    owner = (await loginOk(server, 'my-store', 'john@mystore.com')).token;
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('AutoCom owner: the seed\'s permissions, none of the travel product\'s', async () => {
    const { body } = await loginOk(server, 'my-store', 'john@mystore.com');
    assert.equal(body.user.role, 'owner');
    const perms = body.user.permissions;
    assert.deepEqual(perms.slice(0, 4), SEED_LOGIN_RESPONSE.user.permissions);
    for (const p of TEAM) assert.ok(perms.includes(p), p);
    for (const p of perms) assert.doesNotMatch(p, /^(pos|bookings)\.|^dashboard\.(user|admin)$/);
    const me = await call(server, 'GET', '/api/v1/auth/me', owner, { tenant: 'my-store' });
    assert.deepEqual(me.body.tenant_membership.permissions, perms);
  });

  test('/team/roles and /team/permissions list the AutoCom tenant\'s own', async () => {
    let res = await call(server, 'GET', '/api/v1/team/roles', owner, { tenant: 'my-store' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.roles.map((r) => [r.slug, r.name]),
      [['owner', 'Owner'], ['admin', 'Admin'], ['manager', 'Manager'], ['agent', 'Agent']]);
    assert.deepEqual(res.body.roles.find((r) => r.slug === 'agent').permissions,
      AGENT_PERMISSIONS);
    const ownerPerms = res.body.roles.find((r) => r.slug === 'owner').permissions;
    res = await call(server, 'GET', '/api/v1/team/permissions', owner, { tenant: 'my-store' });
    assert.equal(res.status, 200, res.text);
    const names = res.body.permissions.map((p) => p.name);
    assert.deepEqual(names, ownerPerms, 'the owner holds the whole catalogue, in its order');
    for (const p of res.body.permissions) assert.equal(p.group, p.name.split('.')[0]);
  });

  test('an AutoCom agent holds the seed\'s names and no team permission', async () => {
    createUser(server, 'agent@mystore.com', { password: 'securepass123', tenant: 'my-store',
      role: 'agent' });
    const { body, token } = await loginOk(server, 'my-store', 'agent@mystore.com');
    assert.equal(body.user.role, 'agent');
    assert.deepEqual(body.user.permissions, AGENT_PERMISSIONS);
    const res = await call(server, 'GET', '/api/v1/team', token, { tenant: 'my-store' });
    assert.equal(res.status, 403);
    assert.equal(res.body.required_permission, 'team.view');
  });

  test('CLI: --product autocom, default travel, unknown names listed', () => {
    const ac = cliJson(server.cli, 'tenant', 'create', '--slug', 'cli-shop', '--name', 'Shop',
      '--product', 'autocom');
    assert.equal(ac.product, 'autocom');
    assert.deepEqual(ac.roles.map((r) => r.slug), ['owner', 'admin', 'manager', 'agent']);
    const tr = cliJson(server.cli, 'tenant', 'create', '--slug', 'cli-travel', '--name', 'Trips');
    assert.equal(tr.product, 'travel');
    assert.deepEqual(tr.roles.map((r) => r.slug), ['owner', 'admin', 'manager', 'user']);
    const reg = cliJson(server.cli, 'tenant', 'list').find((t) => t.slug === 'my-store');
    assert.equal(reg.product, 'autocom', 'AutoCom registration makes AutoCom tenants');
    const bad = server.cli('tenant', 'create', '--slug', 'x', '--name', 'X', '--product', 'nope');
    fails(bad, 2);
    assert.match(bad.stderr, /--product must be one of: travel, autocom, wedocod, wncms/);
    const help = server.cli('tenant', '--help');
    assert.match(help.stdout, /--product travel\|autocom/);
  });

  test('a travel tenant keeps seed 004\'s Agent (slug "user") and catalogue', async () => {
    createTenant(server, 'safeway', 'Safeway Travel');
    createUser(server, 'boss@safeway.com', { password: 'securepass123', tenant: 'safeway',
      role: 'owner' });
    createUser(server, 'ann@safeway.com', { password: 'securepass123', tenant: 'safeway',
      role: 'agent' });
    // Travel (seed 004): the profile lists the Agent's permissions.
    const tok = await api(server, 'POST', '/api/v1/auth/token', { body: {
      email: 'ann@safeway.com', password: 'securepass123', device_name: 'e2e' } });
    assert.equal(tok.status, 200, tok.text);
    assert.deepEqual(tok.body.user.role, { id: tok.body.user.role.id, name: 'Agent', slug: 'user' });
    assert.deepEqual(tok.body.user.permissions, ['dashboard.user', 'pos.view']);
    // The team routes work for a travel tenant too, with its own catalogue.
    const boss = (await loginOk(server, 'safeway', 'boss@safeway.com')).token;
    let res = await call(server, 'GET', '/api/v1/team/permissions', boss, { tenant: 'safeway' });
    assert.equal(res.status, 200, res.text);
    const names = res.body.permissions.map((p) => p.name);
    assert.ok(names.includes('pos.view') && names.includes('bookings.manage'));
    assert.ok(!names.includes('orders.view'));
    for (const p of TEAM) assert.ok(names.includes(p), p);
    res = await call(server, 'GET', '/api/v1/team/roles', boss, { tenant: 'safeway' });
    assert.deepEqual(res.body.roles.map((r) => r.slug), ['owner', 'admin', 'manager', 'user']);
  });
});
