// Seed 002 team management, the rules: every route's permission gate (403
// with required_permission), every {id} route against another tenant's ids
// (404, nothing changes), the last owner, nobody raising a role above their
// own, and what suspension and removal do to the member's next request
// (the seed's 403 bodies) in that tenant only.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loginOk } from '../lib/autocom.mjs';
import { assertSameShape } from '../lib/fixtures.mjs';
import { startServer } from '../lib/server.mjs';
import {
  MEMBER_SHAPE, SEED_FORBIDDEN, SEED_NOT_MEMBER, SEED_SUSPENDED, TEAM_ROUTES, addMember,
  findMember, makeTeam, teamCall,
} from '../lib/team.mjs';

const LAST_OWNER = 'The organization must keep at least one active owner.';

describe('autocom team: permissions, tenants, owners', () => {
  let server;
  let a; // my-store
  let b; // other-store
  let aAdmin;
  let aManager;
  let aAgent;
  let bAgent;
  let bInvitation;

  before(async () => {
    server = await startServer();
    a = await makeTeam(server, 'my-store', 'john@mystore.com');
    b = await makeTeam(server, 'other-store', 'olga@other.com');
    aAdmin = await addMember(server, a, 'admin@mystore.com', 'admin');
    aManager = await addMember(server, a, 'manager@mystore.com', 'manager');
    aAgent = await addMember(server, a, 'agent@mystore.com', 'agent');
    bAgent = await addMember(server, b, 'agent@other.com', 'agent');
    const res = await teamCall(server, 'POST', '/api/v1/team/invite', b.owner, b,
      { email: 'invitee@other.com', role_id: b.roles.agent });
    assert.equal(res.status, 201, res.text);
    bInvitation = res.body.invitation;
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  // The role (of my-store's templates) a route's permission is missing from.
  const lacking = (perm) => (['team.view', 'team.invite'].includes(perm) ? aAgent : aManager);

  test('each route: a member without its permission gets the seed\'s 403', async () => {
    for (const rt of TEAM_ROUTES) {
      const who = lacking(rt.permission);
      const path = rt.path.replace('{id}', String(aAgent.id));
      const res = await teamCall(server, rt.method, path, who, a, rt.body);
      assert.equal(res.status, 403, `${rt.method} ${rt.path}: ${res.text}`);
      assertSameShape(res.body, SEED_FORBIDDEN, `${rt.method} ${rt.path}`);
      assert.deepEqual(res.body, { ...SEED_FORBIDDEN, required_permission: rt.permission });
    }
    // The seed's example exactly: an agent inviting.
    const res = await teamCall(server, 'POST', '/api/v1/team/invite', aAgent, a,
      { email: 'x@mystore.com', role_id: a.roles.agent });
    assert.deepEqual(res.body, SEED_FORBIDDEN);
    // A manager holds team.view and team.invite.
    assert.equal((await teamCall(server, 'GET', '/api/v1/team', aManager, a)).status, 200);
    assert.equal((await teamCall(server, 'GET', '/api/v1/team/invitations', aManager, a)).status,
      200);
    assert.equal((await teamCall(server, 'GET', '/api/v1/team/permissions', aAdmin, a)).status,
      200);
  });

  test('every {id} route with another tenant\'s ids: 404, and nothing changes', async () => {
    const cases = [
      ['POST', `/api/v1/team/invitations/${bInvitation.id}/resend`, undefined, 'Invitation not found'],
      ['DELETE', `/api/v1/team/invitations/${bInvitation.id}`, undefined, 'Invitation not found'],
      ['PATCH', `/api/v1/team/members/${bAgent.id}/role`, { role_id: a.roles.manager },
        'Member not found'],
      ['POST', `/api/v1/team/members/${bAgent.id}/suspend`, undefined, 'Member not found'],
      ['POST', `/api/v1/team/members/${bAgent.id}/reactivate`, undefined, 'Member not found'],
      ['DELETE', `/api/v1/team/members/${bAgent.id}`, undefined, 'Member not found'],
      ['GET', `/api/v1/team/roles/${b.roles.owner}`, undefined, 'Role not found'],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await teamCall(server, method, path, a.owner, a, body);
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      assert.deepEqual(res.body, { message });
      // The same with my-store's token naming other-store: 403, never B's data.
      const cross = await teamCall(server, method, path, a.owner, b, body);
      assert.equal(cross.status, 403, `${method} ${path} X-Tenant other-store: ${cross.text}`);
      assert.deepEqual(cross.body, SEED_NOT_MEMBER);
    }
    // Another tenant's role id is not one of mine.
    let res = await teamCall(server, 'PATCH', `/api/v1/team/members/${aAgent.id}/role`, a.owner, a,
      { role_id: b.roles.owner });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, { message: 'The given data was invalid',
      errors: { role_id: ['The selected role is invalid.'] } });
    res = await teamCall(server, 'POST', '/api/v1/team/invite', a.owner, a,
      { email: 'new@mystore.com', role_id: b.roles.agent });
    assert.equal(res.status, 422, res.text);
    // Other-store is untouched.
    const inv = await teamCall(server, 'GET', '/api/v1/team/invitations', b.owner, b);
    assert.deepEqual(inv.body.invitations, [bInvitation]);
    const m = await findMember(server, b, b.owner, bAgent.id);
    assert.equal(m.status, 'active');
    assert.equal(m.role.slug, 'agent');
    assert.equal((await teamCall(server, 'GET', '/api/v1/team', bAgent, b)).status, 403,
      'the agent is still an agent (403 for lack of team.view, not 401)');
    // Unknown and malformed ids are the same 404.
    for (const id of ['999999', '0', 'abc', '-5', '1e3', '9999999999999999999']) {
      res = await teamCall(server, 'POST', `/api/v1/team/members/${id}/suspend`, a.owner, a);
      assert.equal(res.status, 404, `${id}: ${res.text}`);
      res = await teamCall(server, 'DELETE', `/api/v1/team/invitations/${id}`, a.owner, a);
      assert.equal(res.status, 404, `${id}: ${res.text}`);
    }
  });

  test('the last owner cannot be demoted, suspended or removed', async () => {
    const self = `/api/v1/team/members/${a.owner.id}`;
    let res = await teamCall(server, 'PATCH', `${self}/role`, a.owner, a, { role_id: a.roles.admin });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, { message: 'The given data was invalid',
      errors: { role_id: [LAST_OWNER] } });
    for (const [method, path] of [['POST', `${self}/suspend`], ['DELETE', self]]) {
      res = await teamCall(server, method, path, a.owner, a);
      assert.equal(res.status, 422, `${method} ${path}: ${res.text}`);
      assert.deepEqual(res.body, { message: 'The given data was invalid',
        errors: { member: [LAST_OWNER] } });
    }
    // An admin may not touch the owner at all.
    for (const [method, path, body] of [['PATCH', `${self}/role`, { role_id: a.roles.agent }],
      ['POST', `${self}/suspend`], ['DELETE', self]]) {
      res = await teamCall(server, method, path, aAdmin, a, body);
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
      assert.deepEqual(res.body,
        { message: 'You cannot manage a member whose role has permissions you do not have' });
    }
    const m = await findMember(server, a, a.owner, a.owner.id);
    assert.equal(m.role.slug, 'owner');
    assert.equal(m.status, 'active');
  });

  test('nobody raises a role above their own', async () => {
    let res = await teamCall(server, 'PATCH', `/api/v1/team/members/${aAdmin.id}/role`, aAdmin, a,
      { role_id: a.roles.owner });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body,
      { message: 'You cannot assign a role with permissions you do not have' });
    res = await teamCall(server, 'PATCH', `/api/v1/team/members/${aAgent.id}/role`, aAdmin, a,
      { role_id: a.roles.owner });
    assert.equal(res.status, 403, res.text);
    // A manager may invite, but not above manager.
    res = await teamCall(server, 'POST', '/api/v1/team/invite', aManager, a,
      { email: 'boss@mystore.com', role_id: a.roles.admin });
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body,
      { message: 'You cannot assign a role with permissions you do not have' });
    assert.equal((await findMember(server, a, a.owner, aAdmin.id)).role.slug, 'admin');
  });

  test('two owners: one may step down, the other then is the last', async () => {
    const second = await addMember(server, a, 'second@mystore.com', 'owner');
    let res = await teamCall(server, 'PATCH', `/api/v1/team/members/${second.id}/role`, a.owner, a,
      { role_id: a.roles.admin });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.message, 'Member role updated successfully');
    assertSameShape(res.body.member, { ...MEMBER_SHAPE, last_login_at: 'x' }, 'member');
    assert.deepEqual(res.body.member.role, { id: a.roles.admin, name: 'Admin', slug: 'admin' });
    // The demotion applies to the next request: admins lack billing.manage,
    // which is not a team route; but the role shows in /auth/me at once.
    const me = await teamCall(server, 'GET', '/api/v1/auth/me', second, a);
    assert.equal(me.body.tenant_membership.role, 'admin');
    res = await teamCall(server, 'PATCH', `/api/v1/team/members/${second.id}/role`, second, a,
      { role_id: a.roles.owner });
    assert.equal(res.status, 403, res.text);
  });

  test('two owners demoting each other at once: exactly one succeeds', async () => {
    const c = await makeTeam(server, 'race-store', 'rita@race.com');
    for (let round = 0; round < 5; round++) {
      const other = await addMember(server, c, `o${round}@race.com`, 'owner');
      const [r1, r2] = await Promise.all([
        teamCall(server, 'PATCH', `/api/v1/team/members/${other.id}/role`, c.owner, c,
          { role_id: c.roles.admin }),
        teamCall(server, 'PATCH', `/api/v1/team/members/${c.owner.id}/role`, other, c,
          { role_id: c.roles.admin }),
      ]);
      const statuses = [r1.status, r2.status].sort();
      // The loser either finds no other owner left (422) or is no longer
      // an owner itself and may not touch one (403).
      assert.equal(statuses[0], 200, `${r1.text} ${r2.text}`);
      assert.ok([403, 422].includes(statuses[1]), `${r1.text} ${r2.text}`);
      const keeper = r1.status === 200 ? c.owner : other; // still an owner
      const res = await teamCall(server, 'GET', '/api/v1/team?per_page=100', keeper, c);
      const owners = res.body.data.filter((m) => m.role.slug === 'owner' && m.status === 'active');
      assert.equal(owners.length, 1, JSON.stringify(res.body.data));
      // Start the next round with the original owner as the owner.
      if (keeper !== c.owner) {
        const back = await teamCall(server, 'PATCH', `/api/v1/team/members/${c.owner.id}/role`,
          keeper, c, { role_id: c.roles.owner });
        assert.equal(back.status, 200, back.text);
      }
      const out = await teamCall(server, 'DELETE', `/api/v1/team/members/${other.id}`, c.owner, c);
      assert.equal(out.status, 200, out.text);
    }
  });

  test('suspend: 403 suspended at once, other tenant untouched; reactivate; remove', async () => {
    const both = await addMember(server, a, 'both@mystore.com', 'agent');
    const inB = await addMember(server, b, 'both@mystore.com', 'agent');
    const path = `/api/v1/team/members/${both.id}`;
    assert.equal((await teamCall(server, 'GET', '/api/v1/auth/me', both, a)).status, 200);

    let res = await teamCall(server, 'POST', `${path}/suspend`, aAdmin, a);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.message, 'Member suspended successfully');
    assert.equal(res.body.member.status, 'suspended');
    res = await teamCall(server, 'GET', '/api/v1/auth/me', both, a);
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, SEED_SUSPENDED);
    assert.equal((await teamCall(server, 'GET', '/api/v1/auth/me', inB, b)).status, 200,
      'the token of the other tenant still works');
    res = await loginOk(server, 'other-store', 'both@mystore.com', 'securepass123');
    assert.ok(res.token);
    const login = await teamCall(server, 'GET', '/api/v1/team', aAdmin, a);
    assert.equal(login.body.data.find((m) => m.id === both.id).status, 'suspended');

    res = await teamCall(server, 'POST', `${path}/reactivate`, aAdmin, a);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.message, 'Member reactivated successfully');
    assert.equal(res.body.member.status, 'active');
    res = await teamCall(server, 'GET', '/api/v1/auth/me', both, a);
    assert.equal(res.status, 401, 'the token revoked at suspension stays dead');
    const again = await loginOk(server, 'my-store', 'both@mystore.com', 'securepass123');
    assert.equal((await teamCall(server, 'GET', '/api/v1/auth/me', { token: again.token }, a))
      .status, 200);

    res = await teamCall(server, 'DELETE', path, aAdmin, a);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { message: 'Member removed successfully' });
    res = await teamCall(server, 'GET', '/api/v1/auth/me', { token: again.token }, a);
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(res.body, SEED_NOT_MEMBER);
    assert.equal(await findMember(server, a, a.owner, both.id), undefined);
    assert.equal((await teamCall(server, 'GET', '/api/v1/auth/me', inB, b)).status, 200);
    res = await teamCall(server, 'DELETE', path, aAdmin, a);
    assert.equal(res.status, 404, res.text);
  });

  test('role_id validation on PATCH', async () => {
    const path = `/api/v1/team/members/${aAgent.id}/role`;
    for (const [body, msg] of [[{}, 'The role id field is required.'],
      [{ role_id: 'abc' }, 'The role id field must be an integer.'],
      [{ role_id: 999999 }, 'The selected role is invalid.']]) {
      const res = await teamCall(server, 'PATCH', path, a.owner, a, body);
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(res.body, { message: 'The given data was invalid',
        errors: { role_id: [msg] } });
    }
    const res = await teamCall(server, 'PATCH', path, a.owner, a, { role_id: String(a.roles.manager) });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.member.role.slug, 'manager');
  });
});
