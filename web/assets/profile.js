// profile.js - the signed-in user's account and tenants (GET /api/user),
// and, where the role holds api_token.manage (WNCMS, seed 003: "your
// profile -> API Token -> Generate"), the user's API token for the
// session's site (POST /user/api-token): generated or rotated after a
// confirmation, shown once. Then the name (PATCH /profile), the password
// (PUT /password, which signs out the user's other sessions and revokes
// their keys), and the active sessions (GET /user/sessions) with "sign
// out other sessions" (DELETE /user/other-browser-sessions).
import { clearErrors, formData, messageOf, request, showErrors } from '/assets/api.js';
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

// Sends form's fields with method to path when it is submitted: an answer
// other than ok is shown in the form (each error next to its field);
// ok runs done(body) and says so in the form's status.
function onSubmit(form, method, path, ok, done) {
  const status = form.querySelector('[role="status"]');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.textContent = '';
    clearErrors(form);
    const res = await request(method, path, formData(form));
    if (res.status !== ok) {
      showErrors(form, res);
      return;
    }
    status.textContent = await done(res.body);
  });
}

// The name (PATCH /profile).
document.getElementById('profile-name').value = user.name;
onSubmit(document.getElementById('name-form'), 'PATCH', '/profile', 200, (body) => {
  document.getElementById('who-name').textContent =
    `${body.name}${user.tenant ? ` · ${user.tenant.name}` : ''}`;
  account.querySelector('dd').textContent = body.name;
  return 'Saved.';
});

// The password (PUT /password): the other sessions end, the keys die.
const passwordForm = document.getElementById('password-form');
onSubmit(passwordForm, 'PUT', '/password', 200, async () => {
  passwordForm.reset();
  await loadSessions();
  return 'Password changed. Your other sessions were signed out.';
});

// The active sessions (GET /user/sessions).
function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

async function loadSessions() {
  const res = await request('GET', '/user/sessions');
  const err = document.getElementById('sessions-error');
  const tbody = document.querySelector('#sessions tbody');
  tbody.replaceChildren();
  err.hidden = res.status === 200;
  if (res.status !== 200) {
    err.textContent = messageOf(res);
    return;
  }
  for (const s of res.body.data) {
    const tr = el('tr');
    const device = el('td', { 'data-label': 'Device' }, s.user_agent || 'Unknown browser');
    if (s.is_current_device) {
      device.append(' ', el('strong', { class: 'this-device' }, '(this device)'));
    }
    tr.append(device, el('td', { 'data-label': 'IP address' }, s.ip_address || ''),
      el('td', { 'data-label': 'Signed in' }, when(s.created_at)),
      el('td', { 'data-label': 'Last active' }, when(s.last_active)));
    tbody.append(tr);
  }
}

// "Sign out other sessions" (DELETE /user/other-browser-sessions).
const othersForm = document.getElementById('others-form');
onSubmit(othersForm, 'DELETE', '/user/other-browser-sessions', 204, async () => {
  othersForm.reset();
  await loadSessions();
  return 'The other sessions were signed out.';
});

await loadSessions();
