// team.js - the team of the session's current tenant, on the team API
// (README "Team management"), which takes the dashboard session where it
// takes an AutoCom JWT: members with their role and status; change role,
// suspend, reactivate, remove; invite (only roles the user may grant);
// pending invitations with resend and cancel. A control is shown only
// where the user's permissions (GET /api/user) allow it, and only on
// members whose role holds no permission the user lacks (the server
// refuses the rest anyway). Destructive actions ask first.
import { clearErrors, formData, messageOf, request, showErrors } from '/assets/api.js';
import { el, signedIn } from '/assets/layout.js';

const PER_PAGE = 50;

const user = await signedIn();
const can = (permission) => user.permissions.includes(permission) || user.permissions.includes('*');
let roles = [];
let page = 1;

// Whether the user holds every permission in perms (the server's rule for
// acting on a member or granting a role).
function within(perms) {
  return user.permissions.includes('*') || perms.every((p) => user.permissions.includes(p));
}

function roleById(id) {
  return roles.find((r) => r.id === id) || null;
}

// The roles the user may grant, in the server's order.
function grantable() {
  return roles.filter((r) => within(r.permissions));
}

function say(message) {
  const status = document.getElementById('team-status');
  status.textContent = message;
  status.hidden = false;
  document.getElementById('team-error').hidden = true;
}

function fail(res) {
  const err = document.getElementById('team-error');
  err.textContent = messageOf(res);
  err.hidden = false;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

// Runs one change; on success says so and reloads, else shows the error in
// slot (a row's error line) or at the top.
async function act(method, path, body, slot) {
  const res = await request(method, path, body);
  if (res.status === 200 || res.status === 201 || res.status === 204) {
    say((res.body && res.body.message) || 'Done.');
    await load();
    return true;
  }
  if (slot) {
    const errors = (res.body && res.body.errors) || {};
    slot.textContent = Object.values(errors).flat()[0] || messageOf(res);
    slot.hidden = false;
  } else {
    fail(res);
  }
  return false;
}

function roleControl(member, cell, slot) {
  const id = `role-${member.id}`;
  const label = el('label', { for: id, class: 'sr-only' }, `Role of ${member.name}`);
  const select = el('select', { id, name: 'role_id', class: 'inline' });
  const options = grantable();
  if (member.role && !options.some((r) => r.id === member.role.id)) options.unshift(member.role);
  for (const r of options) {
    const o = el('option', { value: String(r.id) }, r.name);
    if (member.role && r.id === member.role.id) o.selected = true;
    select.append(o);
  }
  const save = el('button', { type: 'button', class: 'secondary' }, 'Change role');
  save.setAttribute('aria-label', `Change role of ${member.name}`);
  save.addEventListener('click', () => act('PATCH', `/api/v1/team/members/${member.id}/role`,
    { role_id: Number(select.value) }, slot));
  cell.append(label, select, save);
}

function actionButton(label, member, { danger = false, confirmText = null, run }) {
  const b = el('button', { type: 'button', class: danger ? 'danger' : 'secondary' }, label);
  b.setAttribute('aria-label', `${label} ${member.name}`);
  b.addEventListener('click', () => {
    if (confirmText !== null && !confirm(confirmText)) return;
    run();
  });
  return b;
}

function memberRow(member) {
  const tr = el('tr', { 'data-member': String(member.id) });
  const role = roleById(member.role && member.role.id);
  const manageable = member.id !== user.id && within(role ? role.permissions : []);
  const roleCell = el('td', { 'data-label': 'Role' });
  const actions = el('td', { 'data-label': 'Actions' });
  const slot = el('p', { class: 'field-error', role: 'alert', hidden: '' });
  const base = `/api/v1/team/members/${member.id}`;
  if (manageable && can('team.manage_roles')) roleControl(member, roleCell, slot);
  else roleCell.textContent = member.role ? member.role.name : '';
  if (manageable && member.status === 'active' && can('team.remove')) {
    actions.append(actionButton('Suspend', member, {
      confirmText: `Suspend ${member.name}? They are signed out of this tenant at once.`,
      run: () => act('POST', `${base}/suspend`, undefined, slot),
    }));
  }
  if (manageable && member.status === 'suspended' && can('team.edit')) {
    actions.append(actionButton('Reactivate', member, {
      run: () => act('POST', `${base}/reactivate`, undefined, slot),
    }));
  }
  if (manageable && can('team.remove')) {
    actions.append(actionButton('Remove', member, {
      danger: true,
      confirmText: `Remove ${member.name} from the team? Their keys and sessions here end.`,
      run: () => act('DELETE', base, undefined, slot),
    }));
  }
  actions.append(slot);
  tr.append(el('td', { 'data-label': 'Name' }, member.name), el('td', { 'data-label': 'Email' }, member.email),
    roleCell, el('td', { 'data-label': 'Status' }, member.status), actions);
  return tr;
}

async function loadMembers() {
  const res = await request('GET', `/api/v1/team?per_page=${PER_PAGE}&page=${page}`);
  const body = document.querySelector('#members tbody');
  body.replaceChildren();
  if (res.status !== 200) {
    fail(res);
    return;
  }
  for (const member of res.body.data) body.append(memberRow(member));
  const { current_page: current, last_page: last } = res.body.meta;
  document.getElementById('members-pager').hidden = last <= 1;
  document.getElementById('page-info').textContent = `Page ${current} of ${last}`;
  document.getElementById('prev-page').disabled = current <= 1;
  document.getElementById('next-page').disabled = current >= last;
}

function invitationRow(inv) {
  const tr = el('tr');
  const actions = el('td', { 'data-label': 'Actions' });
  const slot = el('p', { class: 'field-error', role: 'alert', hidden: '' });
  const who = { name: inv.email };
  const base = `/api/v1/team/invitations/${inv.id}`;
  actions.append(actionButton('Resend', who, { run: () => act('POST', `${base}/resend`, undefined, slot) }),
    actionButton('Cancel', who, {
      danger: true,
      confirmText: `Cancel the invitation of ${inv.email}? Its link stops working.`,
      run: () => act('DELETE', base, undefined, slot),
    }), slot);
  tr.append(el('td', { 'data-label': 'Email' }, inv.email),
    el('td', { 'data-label': 'Role' }, inv.role ? inv.role.name : ''),
    el('td', { 'data-label': 'Status' }, inv.status),
    el('td', { 'data-label': 'Expires' }, when(inv.expires_at)), actions);
  return tr;
}

async function loadInvitations() {
  const res = await request('GET', '/api/v1/team/invitations');
  const body = document.querySelector('#invitations tbody');
  body.replaceChildren();
  if (res.status !== 200) {
    fail(res);
    return;
  }
  const list = res.body.invitations || [];
  document.getElementById('no-invitations').hidden = list.length > 0;
  for (const inv of list) body.append(invitationRow(inv));
}

function fillInviteRoles() {
  const select = document.getElementById('invite-role');
  select.replaceChildren();
  for (const r of grantable()) select.append(el('option', { value: String(r.id) }, r.name));
  // The least privileged role first: the last one the server lists.
  const last = select.options[select.options.length - 1];
  if (last) last.defaultSelected = true;
}

async function load() {
  await loadMembers();
  if (can('team.invite')) await loadInvitations();
}

async function start() {
  if (!can('team.view')) {
    document.getElementById('no-team').hidden = false;
    return;
  }
  const res = await request('GET', '/api/v1/team/roles');
  if (res.status !== 200) {
    fail(res);
    return;
  }
  roles = res.body.roles || [];
  document.getElementById('members-card').hidden = false;
  if (can('team.invite')) {
    fillInviteRoles();
    document.getElementById('invite-card').hidden = false;
    document.getElementById('invitations-card').hidden = false;
  }
  await load();
}

document.getElementById('prev-page').addEventListener('click', () => { page -= 1; loadMembers(); });
document.getElementById('next-page').addEventListener('click', () => { page += 1; loadMembers(); });

const form = document.getElementById('invite-form');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const data = formData(form);
  const res = await request('POST', '/api/v1/team/invite',
    { email: data.email || '', role_id: data.role_id ? Number(data.role_id) : null });
  if (res.status !== 201) {
    showErrors(form, res);
    return;
  }
  form.reset();
  say(`${res.body.message}: ${res.body.invitation.email}.`);
  await loadInvitations();
});

await start();
