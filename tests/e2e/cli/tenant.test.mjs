// latchkey tenant create | list, role list.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { fails, ok, okJson } from '../lib/cli.mjs';
import { tempDb } from '../lib/server.mjs';

const DEFAULT_ROLES = [
  { name: 'Owner', slug: 'owner' },
  { name: 'Admin', slug: 'admin' },
  { name: 'Manager', slug: 'manager' },
  { name: 'Agent', slug: 'user' },
];

describe('cli: tenant and role', () => {
  let t;
  let safeway;

  before(() => {
    t = tempDb();
    ok(t.cli('migrate'));
  });
  after(() => t && t.cleanup());

  test('tenant create --json: the tenant with its default roles', () => {
    safeway = okJson(t.cli('tenant', 'create', '--slug', 'safeway', '--name', 'Safeway Travel',
      '--domain', 'www.safewaytravel.net', '--currency', 'USD',
      '--products', 'hotel,activity,flight,deals', '--json'));
    for (const k of ['id', 'slug', 'name', 'domain', 'default_currency', 'enabled_products',
      'status', 'roles']) {
      assert.ok(k in safeway, `has ${k}`);
    }
    assert.ok(Number.isInteger(safeway.id));
    assert.equal(safeway.slug, 'safeway');
    assert.equal(safeway.name, 'Safeway Travel');
    assert.equal(safeway.domain, 'www.safewaytravel.net');
    assert.equal(safeway.default_currency, 'USD');
    assert.deepEqual(safeway.enabled_products, ['hotel', 'activity', 'flight', 'deals']);
    assert.equal(safeway.status, 'active');
    assert.deepEqual(safeway.roles.map((r) => ({ name: r.name, slug: r.slug })), DEFAULT_ROLES);
    for (const r of safeway.roles) assert.ok(Number.isInteger(r.id), `role ${r.slug} id`);
    assert.equal(new Set(safeway.roles.map((r) => r.id)).size, 4);
  });

  test('tenant create defaults: currency USD, no domain', () => {
    const tn = okJson(t.cli('tenant', 'create', '--slug', 'minimal', '--name', 'Minimal', '--json'));
    assert.equal(tn.default_currency, 'USD');
    assert.equal(tn.domain, null);
    assert.ok(Array.isArray(tn.enabled_products));
    assert.equal(tn.roles.length, 4);
  });

  test('each tenant gets its own roles', () => {
    const other = okJson(t.cli('tenant', 'create', '--slug', 'other', '--name', 'Other', '--json'));
    const mine = new Set(safeway.roles.map((r) => r.id));
    assert.ok(other.roles.every((r) => !mine.has(r.id)));
  });

  test('tenant create without --json: exit 0', () => {
    ok(t.cli('tenant', 'create', '--slug', 'plain', '--name', 'Plain'));
  });

  test('slug validation: exit 2', () => {
    for (const slug of ['Bad', '-x', 'a_b', 'a b', 'é', '', 'a'.repeat(64), 'a.b']) {
      fails(t.cli('tenant', 'create', '--slug', slug, '--name', 'X'), 2, `slug ${JSON.stringify(slug)}`);
    }
    for (const slug of ['0abc', 'a-b', 'z', `a${'b'.repeat(62)}`]) {
      ok(t.cli('tenant', 'create', '--slug', slug, '--name', 'Ok'), `slug ${slug}`);
    }
  });

  test('duplicate slug: exit 1', () => {
    fails(t.cli('tenant', 'create', '--slug', 'safeway', '--name', 'Again'), 1);
  });

  test('tenant list --json', () => {
    const list = okJson(t.cli('tenant', 'list', '--json'));
    assert.ok(Array.isArray(list));
    const sw = list.find((x) => x.slug === 'safeway');
    assert.ok(sw, 'safeway listed');
    assert.equal(sw.id, safeway.id);
    assert.equal(sw.name, 'Safeway Travel');
    assert.equal(sw.default_currency, 'USD');
    assert.deepEqual(sw.enabled_products, ['hotel', 'activity', 'flight', 'deals']);
    assert.ok(list.some((x) => x.slug === 'minimal'));
    ok(t.cli('tenant', 'list'));
  });

  test('role list --json: the roles with permissions; Agent has the seed permissions', () => {
    const roles = okJson(t.cli('role', 'list', '--tenant', 'safeway', '--json'));
    assert.deepEqual(roles.map((r) => ({ name: r.name, slug: r.slug })), DEFAULT_ROLES);
    for (const r of roles) {
      assert.ok(Array.isArray(r.permissions), `${r.slug} permissions`);
      assert.ok(r.permissions.every((p) => typeof p === 'string'));
      assert.equal(r.id, safeway.roles.find((x) => x.slug === r.slug).id);
    }
    assert.deepEqual(roles.find((r) => r.slug === 'user').permissions, ['dashboard.user', 'pos.view']);
    ok(t.cli('role', 'list', '--tenant', 'safeway'));
  });

  test('role list of an unknown tenant: exit 1', () => {
    fails(t.cli('role', 'list', '--tenant', 'nope', '--json'), 1);
  });
});
