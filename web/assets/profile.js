// profile.js - the signed-in user's account and tenants (GET /api/user),
// and, where the role holds api_token.manage (WNCMS, seed 003: "your
// profile -> API Token -> Generate"), the user's API token for the
// session's site (POST /user/api-token): generated or rotated after a
// confirmation, shown once.
import { messageOf, request } from '/assets/api.js';
import { copyButton, el, signedIn } from '/assets/layout.js';

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

const card = document.getElementById('api-token-card');
const value = document.getElementById('api-token-value');
card.hidden = !(user.tenant && user.permissions.includes('api_token.manage'));
copyButton(document.getElementById('api-token-copy'), value,
  document.getElementById('api-token-copy-status'));
document.getElementById('api-token-generate').addEventListener('click', async () => {
  if (!confirm('Generate a new API token? The current one stops working at once.')) return;
  const err = document.getElementById('api-token-error');
  const res = await request('POST', '/user/api-token');
  if (res.status !== 201) {
    err.textContent = messageOf(res);
    err.hidden = false;
    return;
  }
  err.hidden = true;
  value.textContent = res.body.api_token;
  const box = document.getElementById('api-token-new');
  box.hidden = false;
  box.focus();
});
