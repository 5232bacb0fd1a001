// tests/e2e/lib/team.mjs - seed 002 team management (issue #5): the seed's
// examples, the shapes latchkey answers where the seed shows none
// (docs/decisions.md), the route table with each route's permission, and
// helpers to make tenants with members of every template role.

import assert from 'node:assert/strict';

import { SEED_REGISTER, call, loginOk, registerOk } from './autocom.mjs';
import { createUser } from './fixtures.mjs';
import { cliJson } from './server.mjs';

// "Error Responses", verbatim.
export const SEED_UNAUTHENTICATED = { message: 'Unauthenticated' };
export const SEED_FORBIDDEN = {
  message: 'You do not have permission to perform this action',
  required_permission: 'team.invite',
};
export const SEED_NOT_MEMBER = { message: 'You are not a member of this organization' };
export const SEED_SUSPENDED = {
  message: 'Your access to this organization has been suspended',
  status: 'suspended',
};
export const SEED_VALIDATION = {
  message: 'The given data was invalid',
  errors: {
    email: ['The email field is required.'],
    role_id: ['The selected role is invalid.'],
  },
};

// Our shapes (README "Team management"), for assertSameShape.
const ROLE_REF = { id: 1, name: 'Owner', slug: 'owner' };
export const MEMBER_SHAPE = {
  id: 1, name: 'John Doe', email: 'john@mystore.com', role: ROLE_REF, status: 'active',
  joined_at: '2024-01-01T00:00:00Z', last_login_at: '2024-01-07T15:30:00Z',
};
export const PAGE_SHAPE = {
  data: [MEMBER_SHAPE],
  links: { first: 'u', last: 'u', prev: null, next: null },
  meta: {
    current_page: 1, from: 1, last_page: 1,
    links: [{ url: null, label: '&laquo; Previous', active: false }],
    path: 'u', per_page: 15, to: 1, total: 1,
  },
};
export const INVITATION_SHAPE = {
  id: 1, email: 'jane@mystore.com', role: ROLE_REF, status: 'pending',
  invited_by: { id: 1, name: 'John Doe', email: 'john@mystore.com' },
  expires_at: '2024-01-08T00:00:00Z', created_at: '2024-01-01T00:00:00Z',
};
export const ROLE_SHAPE = { id: 1, name: 'Owner', slug: 'owner', is_system: true,
  permissions: ['team.view'] };
export const PERMISSION_SHAPE = { name: 'team.view', description: 'd', group: 'team' };
export const ACCEPTED_SHAPE = {
  message: 'Invitation accepted successfully',
  user: { id: 1, name: 'Jane', email: 'jane@mystore.com', role: 'manager' },
  tenant: { id: 'my-store', name: 'My Store' },
};

// Every tenant-scoped route with the permission the seed names. {id} is
// filled by the caller.
export const TEAM_ROUTES = [
  { method: 'GET', path: '/api/v1/team', permission: 'team.view' },
  { method: 'POST', path: '/api/v1/team/invite', permission: 'team.invite',
    body: { email: 'gate@example.com', role_id: 1 } },
  { method: 'GET', path: '/api/v1/team/invitations', permission: 'team.invite' },
  { method: 'POST', path: '/api/v1/team/invitations/{id}/resend', permission: 'team.invite' },
  { method: 'DELETE', path: '/api/v1/team/invitations/{id}', permission: 'team.invite' },
  { method: 'PATCH', path: '/api/v1/team/members/{id}/role', permission: 'team.manage_roles',
    body: { role_id: 1 } },
  { method: 'POST', path: '/api/v1/team/members/{id}/suspend', permission: 'team.remove' },
  { method: 'POST', path: '/api/v1/team/members/{id}/reactivate', permission: 'team.edit' },
  { method: 'DELETE', path: '/api/v1/team/members/{id}', permission: 'team.remove' },
  { method: 'GET', path: '/api/v1/team/roles', permission: 'team.view' },
  { method: 'GET', path: '/api/v1/team/roles/{id}', permission: 'team.view' },
  { method: 'GET', path: '/api/v1/team/permissions', permission: 'team.manage_roles' },
];

export const PASSWORD = SEED_REGISTER.admin_password;

// Registers slug with its owner (ownerEmail) and logs the owner in.
// Returns {slug, owner: {id, email, token}, roles: {owner, admin, manager, agent}}.
export async function makeTeam(server, slug, ownerEmail) {
  const reg = await registerOk(server, slug, ownerEmail, { company_name: `Company ${slug}` });
  const { token } = await loginOk(server, slug, ownerEmail);
  const res = await call(server, 'GET', '/api/v1/team/roles', token, { tenant: slug });
  assert.equal(res.status, 200, res.text);
  const roles = Object.fromEntries(res.body.roles.map((r) => [r.slug, r.id]));
  return { slug, owner: { id: reg.user.id, email: ownerEmail, token }, roles };
}

// Adds email to team with the role (slug) through the CLI (creating the
// account if needed) and logs it in there. Returns {id, email, token}.
export async function addMember(server, team, email, role) {
  let id;
  const r = server.cli('user', 'create', '--email', email, '--name', `Member ${email}`,
    '--password', PASSWORD, '--tenant', team.slug, '--role', role, '--json');
  if (r.status === 0) {
    id = r.json.id;
  } else {
    cliJson(server.cli, 'member', 'add', '--user', email, '--tenant', team.slug, '--role', role);
  }
  const { token, body } = await loginOk(server, team.slug, email, PASSWORD);
  return { id: id ?? body.user.id, email, token };
}

export { createUser };

// A team call: JWT + X-Tenant.
export function teamCall(server, method, path, who, team, body) {
  return call(server, method, path, who.token, { tenant: team.slug, body });
}

// A member as GET /api/v1/team lists it (every page), or undefined.
export async function findMember(server, team, who, userId) {
  for (let page = 1; page < 100; page++) {
    const res = await teamCall(server, 'GET', `/api/v1/team?per_page=100&page=${page}`, who, team);
    assert.equal(res.status, 200, res.text);
    const m = res.body.data.find((x) => x.id === userId);
    if (m || res.body.data.length === 0) return m;
  }
  return undefined;
}
