// profile.js - the signed-in user's account and tenants (GET /api/user).
import { el, signedIn } from '/assets/layout.js';

const user = await signedIn();
const account = document.getElementById('account');
for (const [k, v] of [['Name', user.name], ['Email', user.email], ['Staff role', user.staff || 'none']]) {
  account.append(el('dt', {}, k), el('dd', {}, v));
}
const body = document.querySelector('#tenants tbody');
for (const t of user.tenants || []) {
  const tr = el('tr');
  tr.append(el('td', { 'data-label': 'Name' }, t.name), el('td', { 'data-label': 'Slug' }, t.slug),
    el('td', { 'data-label': 'Role' }, typeof t.role === 'string' ? t.role : (t.role && t.role.name) || ''));
  body.append(tr);
}
