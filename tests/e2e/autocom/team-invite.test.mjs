// Seed 002 team management through real email: invite -> the message a real
// SMTP server (python3-aiosmtpd, tests/e2e/lib/smtp-sink.py) received -> the
// link in it -> accept -> member -> change role -> suspend -> 403 ->
// reactivate -> remove. Also: an existing account joining with the token
// alone, resend (new email, old link dead), cancel, expiry, single use.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ISO_Z_RE, login, loginOk } from '../lib/autocom.mjs';
import { assertSameShape } from '../lib/fixtures.mjs';
import { OWNER_EMAIL, adminLoginOk, startAdminServer } from '../lib/admin.mjs';
import { api, syncLog, withServer } from '../lib/server.mjs';
import { findLink, startSmtpSink } from '../lib/smtp.mjs';
import {
  ACCEPTED_SHAPE, INVITATION_SHAPE, PASSWORD, SEED_FORBIDDEN, SEED_NOT_MEMBER, SEED_SUSPENDED,
  addMember, findMember, makeTeam, teamCall,
} from '../lib/team.mjs';

const PUBLIC_URL = 'https://app.example.test';
const DAY = 24 * 3600;

function accept(server, body) {
  return api(server, 'POST', '/api/v1/invitations/accept', { body });
}

// The token of the invitation link in a delivered message (text and HTML
// carry the same link).
function tokenOf(msg) {
  const link = findLink(msg.text, '/invitations/accept');
  assert.ok(link, `an invitation link in:\n${msg.text}`);
  assert.equal(link.origin, PUBLIC_URL);
  const token = link.searchParams.get('token');
  assert.match(token, /^[A-Za-z0-9]{64}$/);
  assert.ok(msg.html.includes(link.href.replace(/&/g, '&amp;')), 'the HTML part has the link');
  return token;
}

describe('autocom team: invitations by email, the whole loop', () => {
  let sink;
  let server;
  let ownerPassword;
  let team;
  let seen = 0; // messages consumed so far

  async function nextMessage(to) {
    const msg = await sink.waitForMessage({ to, after: seen });
    seen = sink.messages().findIndex((m) => m.file === msg.file) + 1;
    return msg;
  }

  async function invite(email, role) {
    const res = await teamCall(server, 'POST', '/api/v1/team/invite', team.owner, team,
      { email, role_id: team.roles[role] });
    assert.equal(res.status, 201, res.text);
    return res.body.invitation;
  }

  before(async () => {
    sink = await startSmtpSink();
    ({ server, ownerPassword } = await startAdminServer(sink.env({ LATCHKEY_PUBLIC_URL: PUBLIC_URL })));
    team = await makeTeam(server, 'my-store', 'john@mystore.com');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
    if (sink) await sink.stop();
  }, { timeout: 30000 });

  test('invite -> email -> accept -> role -> suspend -> 403 -> reactivate -> remove', async () => {
    // Invite a new person as a manager.
    const res = await teamCall(server, 'POST', '/api/v1/team/invite', team.owner, team,
      { email: 'Jane@MyStore.com', role_id: team.roles.manager });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.message, 'Invitation sent successfully');
    const inv = res.body.invitation;
    assertSameShape(inv, INVITATION_SHAPE, 'invitation');
    assert.equal(inv.email, 'jane@mystore.com');
    assert.deepEqual(inv.role, { id: team.roles.manager, name: 'Manager', slug: 'manager' });
    assert.equal(inv.status, 'pending');
    assert.deepEqual(inv.invited_by, { id: team.owner.id, name: 'John Doe',
      email: 'john@mystore.com' });
    assert.match(inv.created_at, ISO_Z_RE);
    assert.equal((Date.parse(inv.expires_at) - Date.parse(inv.created_at)) / 1000, 7 * DAY);

    // The email, through real SMTP.
    const msg = await nextMessage('jane@mystore.com');
    assert.deepEqual(msg.envelope.rcpt_tos, ['jane@mystore.com']);
    assert.match(msg.subject, /Company my-store/);
    assert.match(msg.text, /John Doe/);
    assert.match(msg.text, /Manager/);
    assert.match(msg.text, /7 days/);
    const token = tokenOf(msg);
    await syncLog(server);
    assert.ok(!server.stderr().includes(token) && !server.stdout().includes(token),
      'the token is never logged');

    // Listed as pending.
    let list = await teamCall(server, 'GET', '/api/v1/team/invitations', team.owner, team);
    assert.deepEqual(list.body, { invitations: [inv] });

    // Accepting: a new account needs name and password.
    let acc = await accept(server, { token });
    assert.equal(acc.status, 422, acc.text);
    assert.deepEqual(acc.body, { message: 'The given data was invalid', errors: {
      name: ['The name field is required.'],
      password: ['The password field is required.'],
      password_confirmation: ['The password confirmation field is required.'],
    } });
    acc = await accept(server, { token, name: 'Jane Roe', password: 'jane-passw0rd',
      password_confirmation: 'other-passw0rd' });
    assert.equal(acc.status, 422, acc.text);
    assert.deepEqual(acc.body.errors, { password: ['The password field confirmation does not match.'] });
    acc = await accept(server, { token, name: 'Jane Roe', password: 'jane-passw0rd',
      password_confirmation: 'jane-passw0rd' });
    assert.equal(acc.status, 200, acc.text);
    assertSameShape(acc.body, ACCEPTED_SHAPE, 'accepted');
    assert.deepEqual(acc.body, { message: 'Invitation accepted successfully',
      user: { id: acc.body.user.id, name: 'Jane Roe', email: 'jane@mystore.com', role: 'manager' },
      tenant: { id: 'my-store', name: 'Company my-store' } });
    const janeId = acc.body.user.id;

    // Single use.
    const again = await accept(server, { token, name: 'X', password: 'Xq7-never-used',
      password_confirmation: 'Xq7-never-used' });
    assert.equal(again.status, 410, again.text);
    assert.deepEqual(again.body, { message: 'This invitation has already been accepted',
      status: 'accepted' });
    list = await teamCall(server, 'GET', '/api/v1/team/invitations', team.owner, team);
    assert.deepEqual(list.body, { invitations: [] });

    // A member: she logs in and has her role's permissions.
    const jane = await loginOk(server, 'my-store', 'jane@mystore.com', 'jane-passw0rd');
    const me = await teamCall(server, 'GET', '/api/v1/auth/me', jane, team);
    assert.equal(me.body.email_verified, true, 'the emailed token verified the address');
    assert.equal(me.body.tenant_membership.role, 'manager');
    const listed = await findMember(server, team, team.owner, janeId);
    assert.equal(listed.role.slug, 'manager');
    assert.equal(listed.status, 'active');
    assert.equal((await teamCall(server, 'GET', '/api/v1/team', jane, team)).status, 200);

    // Change her role: agent, without team.view, at once.
    let r = await teamCall(server, 'PATCH', `/api/v1/team/members/${janeId}/role`, team.owner, team,
      { role_id: team.roles.agent });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.member.role.slug, 'agent');
    r = await teamCall(server, 'GET', '/api/v1/team', jane, team);
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(r.body, { ...SEED_FORBIDDEN, required_permission: 'team.view' });

    // Suspend: her next request is the seed's 403.
    r = await teamCall(server, 'POST', `/api/v1/team/members/${janeId}/suspend`, team.owner, team);
    assert.equal(r.status, 200, r.text);
    r = await teamCall(server, 'GET', '/api/v1/auth/me', jane, team);
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(r.body, SEED_SUSPENDED);
    r = await login(server, 'my-store', 'jane@mystore.com', 'jane-passw0rd');
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(r.body, SEED_SUSPENDED);

    // Reactivate: she signs in again.
    r = await teamCall(server, 'POST', `/api/v1/team/members/${janeId}/reactivate`, team.owner,
      team);
    assert.equal(r.status, 200, r.text);
    const back = await loginOk(server, 'my-store', 'jane@mystore.com', 'jane-passw0rd');
    assert.equal((await teamCall(server, 'GET', '/api/v1/auth/me', back, team)).status, 200);

    // Remove: not a member any more.
    r = await teamCall(server, 'DELETE', `/api/v1/team/members/${janeId}`, team.owner, team);
    assert.equal(r.status, 200, r.text);
    r = await teamCall(server, 'GET', '/api/v1/auth/me', back, team);
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(r.body, SEED_NOT_MEMBER);
    assert.equal(await findMember(server, team, team.owner, janeId), undefined);

    // The audit trail: actor, target and tenant of every change.
    const admin = await adminLoginOk(server, OWNER_EMAIL, ownerPassword);
    const log = await api(server, 'GET', '/admin/audit-logs?per_page=100', { token: admin.token });
    assert.equal(log.status, 200, log.text);
    const entries = log.body.data.audit_logs;
    const one = (action) => {
      const found = entries.filter((e) => e.action === action);
      assert.equal(found.length, 1, `${action}: ${JSON.stringify(found)}`);
      return found[0];
    };
    const created = one('invitation.create');
    assert.equal(created.user_id, team.owner.id);
    assert.deepEqual(created.detail, { invitation_id: inv.id, email: 'jane@mystore.com',
      role_id: team.roles.manager });
    const tenantId = created.tenant_id;
    assert.ok(tenantId > 0);
    const accepted = one('invitation.accept');
    assert.equal(accepted.user_id, janeId);
    assert.equal(accepted.tenant_id, tenantId);
    assert.deepEqual(accepted.detail, { invitation_id: inv.id, role_id: team.roles.manager,
      invited_by: team.owner.id, new_user: true });
    assert.deepEqual(one('member.role_change').detail, { target_user_id: janeId,
      from_role_id: team.roles.manager, to_role_id: team.roles.agent });
    for (const action of ['member.suspend', 'member.reactivate', 'member.remove']) {
      const e = one(action);
      assert.equal(e.user_id, team.owner.id, action);
      assert.equal(e.tenant_id, tenantId, action);
      assert.equal(e.detail.target_user_id, janeId, action);
    }
    assert.ok(one('member.suspend').detail.revoked_tokens >= 1, 'her login token was revoked');
    assert.ok(!JSON.stringify(entries).includes(token), 'the token is not in the audit log');
  });

  test('an existing account joins with the token alone; its password is unchanged', async () => {
    const other = await makeTeam(server, 'other-store', 'olga@other.com');
    await invite('olga@other.com', 'agent');
    const token = tokenOf(await nextMessage('olga@other.com'));
    const res = await accept(server, { token, name: 'Mallory', password: 'mallory-pass',
      password_confirmation: 'mallory-pass' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.user, { id: other.owner.id, name: 'John Doe', email: 'olga@other.com',
      role: 'agent' });
    await loginOk(server, 'my-store', 'olga@other.com', PASSWORD);
    const bad = await login(server, 'my-store', 'olga@other.com', 'mallory-pass');
    assert.equal(bad.status, 401, bad.text);
    // Already a member: a second invitation is refused up front.
    const dup = await teamCall(server, 'POST', '/api/v1/team/invite', team.owner, team,
      { email: 'olga@other.com', role_id: team.roles.agent });
    assert.equal(dup.status, 422, dup.text);
    assert.deepEqual(dup.body.errors, { email: ['This user is already a member of this organization.'] });
  });

  test('resend: a new email, a new token, the old link dead', async () => {
    const inv = await invite('rita@example.com', 'agent');
    const first = tokenOf(await nextMessage('rita@example.com'));
    const dup = await teamCall(server, 'POST', '/api/v1/team/invite', team.owner, team,
      { email: 'RITA@example.com', role_id: team.roles.agent });
    assert.equal(dup.status, 422, dup.text);
    assert.deepEqual(dup.body.errors,
      { email: ['An invitation has already been sent to this email address.'] });

    const res = await teamCall(server, 'POST', `/api/v1/team/invitations/${inv.id}/resend`,
      team.owner, team);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.message, 'Invitation resent successfully');
    assert.equal(res.body.invitation.id, inv.id);
    const second = tokenOf(await nextMessage('rita@example.com'));
    assert.notEqual(second, first);
    const old = await accept(server, { token: first, name: 'Rita', password: 'rita-passw0rd',
      password_confirmation: 'rita-passw0rd' });
    assert.equal(old.status, 404, old.text);
    assert.deepEqual(old.body, { message: 'Invitation not found' });
    const ok = await accept(server, { token: second, name: 'Rita', password: 'rita-passw0rd',
      password_confirmation: 'rita-passw0rd' });
    assert.equal(ok.status, 200, ok.text);
    const gone = await teamCall(server, 'POST', `/api/v1/team/invitations/${inv.id}/resend`,
      team.owner, team);
    assert.equal(gone.status, 410, gone.text);
    assert.deepEqual(gone.body, { message: 'This invitation has already been accepted',
      status: 'accepted' });
  });

  test('cancel: the link answers 410; a new invitation may follow', async () => {
    const inv = await invite('carl@example.com', 'agent');
    const token = tokenOf(await nextMessage('carl@example.com'));
    let res = await teamCall(server, 'DELETE', `/api/v1/team/invitations/${inv.id}`, team.owner,
      team);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { message: 'Invitation cancelled successfully' });
    res = await accept(server, { token, name: 'Carl', password: 'carl-passw0rd',
      password_confirmation: 'carl-passw0rd' });
    assert.equal(res.status, 410, res.text);
    assert.deepEqual(res.body, { message: 'This invitation has been cancelled', status: 'cancelled' });
    res = await teamCall(server, 'DELETE', `/api/v1/team/invitations/${inv.id}`, team.owner, team);
    assert.equal(res.status, 410, res.text);
    await invite('carl@example.com', 'agent');
    tokenOf(await nextMessage('carl@example.com'));
  });

  test('unknown and malformed tokens', async () => {
    for (const body of [{ token: 'x'.repeat(64) }, { token: 'nope' }, { token: 'é'.repeat(300) }]) {
      const res = await accept(server, body);
      assert.ok([404, 422].includes(res.status), res.text);
    }
    const res = await accept(server, {});
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, { message: 'The given data was invalid',
      errors: { token: ['The token field is required.'] } });
  });

  test('a manager invites within their role; the invitee accepts concurrently once', async () => {
    const mgr = await addMember(server, team, 'mgr@mystore.com', 'manager');
    const res = await teamCall(server, 'POST', '/api/v1/team/invite', mgr, team,
      { email: 'twice@example.com', role_id: team.roles.manager });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.invitation.invited_by.email, 'mgr@mystore.com');
    const token = tokenOf(await nextMessage('twice@example.com'));
    const body = { token, name: 'Twice', password: 'twice-passw0rd',
      password_confirmation: 'twice-passw0rd' };
    const results = await Promise.all([accept(server, body), accept(server, body),
      accept(server, body)]);
    const statuses = results.map((r) => r.status).sort();
    assert.equal(statuses[0], 200, results.map((r) => r.text).join('\n'));
    for (const s of statuses.slice(1)) assert.ok([409, 410, 503].includes(s), String(statuses));
  });
});

describe('autocom team: an invitation expires after 7 days', () => {
  test('accepting and listing after the expiry', async () => {
    const sink = await startSmtpSink();
    try {
      await withServer(sink.env({ LATCHKEY_PUBLIC_URL: PUBLIC_URL }), async (first) => {
        const team = await makeTeam(first, 'my-store', 'john@mystore.com');
        const res = await teamCall(first, 'POST', '/api/v1/team/invite', team.owner, team,
          { email: 'late@example.com', role_id: team.roles.agent });
        assert.equal(res.status, 201, res.text);
        const token = tokenOf(await sink.waitForMessage({ to: 'late@example.com' }));
        await first.stop({ keep: true });
        // The same database, 7 days and a minute later.
        await withServer(sink.env({ LATCHKEY_PUBLIC_URL: PUBLIC_URL,
          LATCHKEY_TEST_CLOCK_OFFSET: String(7 * DAY + 60) }), { dir: first.dir }, async (server) => {
          const owner = await loginOk(server, 'my-store', 'john@mystore.com', PASSWORD);
          const list = await teamCall(server, 'GET', '/api/v1/team/invitations', owner, team);
          assert.equal(list.body.invitations[0].status, 'expired');
          const acc = await accept(server, { token, name: 'Late', password: 'late-passw0rd',
            password_confirmation: 'late-passw0rd' });
          assert.equal(acc.status, 410, acc.text);
          assert.deepEqual(acc.body, { message: 'This invitation has expired', status: 'expired' });
          // An expired invitation can be resent, and a new invitation replaces it.
          const again = await teamCall(server, 'POST', '/api/v1/team/invite', owner, team,
            { email: 'late@example.com', role_id: team.roles.agent });
          assert.equal(again.status, 201, again.text);
        });
      });
    } finally {
      await sink.stop();
    }
  });
});
