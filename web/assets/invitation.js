// invitation.js - accepts an invitation (/invitations/{token}, and the
// emailed /invitations/accept?token=...) with POST
// /api/v1/invitations/accept. An existing account joins at once; for a new
// one the server asks for a name and a password (422), and the page shows
// those fields.
import { clearErrors, formData, request, showErrors } from '/assets/api.js';

const form = document.getElementById('invite-form');
const status = document.getElementById('invite-status');
const fresh = document.getElementById('new-account');
const segment = decodeURIComponent(location.pathname.split('/')[2] || '');
const token = segment === 'accept' ? new URLSearchParams(location.search).get('token') || '' : segment;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const body = fresh.hidden ? { token } : { ...formData(form), token };
  const res = await request('POST', '/api/v1/invitations/accept', body, { session: false });
  if (res.status === 200) {
    form.hidden = true;
    status.textContent = `Welcome to ${res.body.tenant.name}. Sign in to continue.`;
    status.hidden = false;
    return;
  }
  const errors = (res.body && res.body.errors) || {};
  if (res.status === 422 && fresh.hidden && ('name' in errors || 'password' in errors)) {
    fresh.hidden = false;
    document.getElementById('invite-intro').hidden = true;
    document.getElementById('name').focus();
    return;
  }
  showErrors(form, res);
});
