// api-keys.js - Settings → API keys: the user's keys (GET
// /settings/api-keys), a key generated with the scopes the user's role
// grants (POST /settings/api-keys/generate) and shown once, a key revoked
// after a confirmation (DELETE /settings/api-keys/{id}/delete).
import { clearErrors, formData, messageOf, request, showErrors } from '/assets/api.js';
import { SCOPES, copyButton, el, signedIn } from '/assets/layout.js';

const user = await signedIn();
const form = document.getElementById('generate-form');
const created = document.getElementById('created');
const secret = document.getElementById('new-token');
const copyStatus = document.getElementById('copy-status');

function scopeBoxes() {
  const box = document.getElementById('scopes');
  const granted = SCOPES.filter((s) => user.permissions.includes(s));
  granted.forEach((scope, i) => {
    const label = el('label', { class: 'check', for: `scope-${i}` });
    const input = el('input', { type: 'checkbox', id: `scope-${i}`, name: 'abilities[]', value: scope });
    label.append(input, document.createTextNode(scope));
    box.append(label);
  });
  document.getElementById('no-scopes').hidden = granted.length > 0;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : 'never';
}

async function revoke(key) {
  if (!confirm(`Revoke the key "${key.name}"? Programs using it will stop working.`)) return;
  const res = await request('DELETE', `/settings/api-keys/${encodeURIComponent(key.id)}/delete`);
  if (res.status !== 204) {
    const err = document.getElementById('list-error');
    err.textContent = messageOf(res);
    err.hidden = false;
  }
  await load();
}

async function load() {
  const res = await request('GET', '/settings/api-keys');
  const err = document.getElementById('list-error');
  const body = document.querySelector('#keys tbody');
  body.replaceChildren();
  if (res.status !== 200) {
    err.textContent = messageOf(res);
    err.hidden = false;
    return;
  }
  err.hidden = true;
  const keys = res.body.data || [];
  document.getElementById('no-keys').hidden = keys.length > 0;
  for (const key of keys) {
    const tr = el('tr');
    const scopes = (key.abilities || key.scopes || []).join(', ') || 'none';
    const action = el('td', { 'data-label': 'Actions' });
    const button = el('button', { type: 'button', class: 'danger' }, 'Revoke');
    button.setAttribute('aria-label', `Revoke ${key.name}`);
    button.addEventListener('click', () => revoke(key));
    action.append(button);
    tr.append(el('td', { 'data-label': 'Name' }, key.name), el('td', { 'data-label': 'Scopes' }, scopes),
      el('td', { 'data-label': 'Last used' }, when(key.last_used_at)),
      el('td', { 'data-label': 'Expires' }, key.expires_at ? when(key.expires_at) : 'never'), action);
    body.append(tr);
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const data = formData(form);
  const body = { name: data.name || '', abilities: data.abilities || [] };
  if (data.expires_at) body.expires_at = data.expires_at;
  const res = await request('POST', '/settings/api-keys/generate', body);
  if (res.status !== 201) {
    showErrors(form, res);
    return;
  }
  form.reset();
  secret.textContent = res.body.plainTextToken;
  copyStatus.textContent = '';
  created.hidden = false;
  created.focus();
  await load();
});

copyButton(document.getElementById('copy-token'), secret, copyStatus);

// Done forgets the plaintext: it is not kept anywhere else.
document.getElementById('done-token').addEventListener('click', () => {
  secret.textContent = '';
  created.hidden = true;
  document.getElementById('key-name').focus();
});

scopeBoxes();
await load();
