// layout.js - the frame of every signed-in page: who is signed in, the
// menu of what their role may see, the tenant switcher (for a user in
// several tenants) and sign-out. A visitor without a session is sent to
// /login.
import { currentUser, messageOf, request } from '/assets/api.js';

// The scopes of seed 000, in its order: a key holds some of them.
export const SCOPES = ['CREATE LEADS', 'VIEW LEADS', 'UPDATE LEADS', 'DELETE LEADS',
  'CREATE ORDERS', 'VIEW ORDERS', 'UPDATE ORDERS', 'DELETE ORDERS'];

// Each menu entry and what shows it (null: every signed-in user). API keys:
// a role that grants at least one scope (a key needs one).
const MENU = [
  { href: '/dashboard', label: 'Dashboard', show: null },
  { href: '/settings/api-keys', label: 'API keys', show: (u) => SCOPES.some((s) => u.permissions.includes(s)) },
  { href: '/team', label: 'Team', show: (u) => u.permissions.includes('team.view') },
  { href: '/profile', label: 'Profile', show: null },
  { href: '/tenant-admin/developer', label: 'Developer & API', show: (u) => u.tenant !== null },
  { href: '/super-admin/developer', label: 'Developer & API', show: (u) => u.tenant === null && u.staff !== null },
  { href: '/staff', label: 'Staff console', show: (u) => u.staff !== null },
];

function el(tag, attrs = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}

// Draws the header for user into #app-header.
function header(user) {
  const root = document.getElementById('app-header');
  root.replaceChildren();
  const bar = el('div', { class: 'bar' });
  bar.append(el('a', { class: 'brand', href: '/dashboard' }, 'latchkey'));
  const nav = el('nav', { 'aria-label': 'Main' });
  const list = el('ul');
  for (const item of MENU) {
    if (item.show !== null && !item.show(user)) continue;
    const li = el('li');
    const a = el('a', { href: item.href }, item.label);
    if (location.pathname === item.href) a.setAttribute('aria-current', 'page');
    li.append(a);
    list.append(li);
  }
  nav.append(list);
  bar.append(nav);
  const switcher = tenantSwitcher(user);
  if (switcher !== null) bar.append(switcher);
  const who = el('div', { class: 'who' });
  const tenant = user.tenant ? ` · ${user.tenant.name}` : '';
  who.append(el('span', { id: 'who-name' }, `${user.name}${tenant}`));
  const out = el('button', { type: 'button', id: 'sign-out', class: 'link' }, 'Sign out');
  out.addEventListener('click', signOut);
  who.append(out);
  bar.append(who);
  root.append(bar);
}

// The tenant switcher of a user in several tenants (GET /api/user's
// tenants), or null: PUT /current-team {team_id} changes the session's
// tenant, then the page reloads with that tenant's data.
function tenantSwitcher(user) {
  if (!Array.isArray(user.tenants) || user.tenants.length < 2) return null;
  const form = el('form', { class: 'switcher', id: 'tenant-switcher' });
  const select = el('select', { id: 'tenant-select', name: 'team_id' });
  for (const t of user.tenants) {
    const option = el('option', { value: String(t.id) }, t.name);
    if (user.tenant && user.tenant.id === t.id) option.selected = true;
    select.append(option);
  }
  const error = el('span', { class: 'switch-error', id: 'tenant-error', role: 'alert' });
  form.append(el('label', { for: 'tenant-select' }, 'Tenant'), select,
    el('button', { type: 'submit', class: 'secondary' }, 'Switch'), error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const res = await request('PUT', '/current-team', { team_id: Number(select.value) });
    if (res.status === 204) location.reload();
    else error.textContent = messageOf(res);
  });
  return form;
}

export async function signOut() {
  await request('POST', '/logout');
  location.assign('/login');
}

// The signed-in user after drawing the header; without a session, sends
// the browser to /login and never resolves.
export async function signedIn() {
  const user = await currentUser();
  if (user === null) {
    location.assign('/login');
    return new Promise(() => {});
  }
  header(user);
  document.getElementById('main').hidden = false;
  return user;
}

// Makes button copy the text of source to the clipboard, saying so in
// status; where the clipboard is refused, selects the text instead.
export function copyButton(button, source, status) {
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(source.textContent);
      status.textContent = 'Copied.';
    } catch {
      getSelection().selectAllChildren(source);
      status.textContent = 'Selected: press Ctrl+C to copy.';
    }
  });
}

export { el };
