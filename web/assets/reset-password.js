// reset-password.js - the page the emailed link opens
// (/reset-password/{token}?email=...): the new password, posted with the
// token to POST /reset-password. The token stays in this page's memory.
import { clearErrors, formData, request, showErrors } from '/assets/api.js';

const form = document.getElementById('reset-form');
const status = document.getElementById('reset-status');
const token = decodeURIComponent(location.pathname.split('/')[2] || '');
const email = new URLSearchParams(location.search).get('email');
if (email) form.querySelector('[name="email"]').value = email;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const res = await request('POST', '/reset-password', { ...formData(form), token });
  if (res.status === 200) {
    form.hidden = true;
    status.textContent = `${res.body.status} You can now sign in.`;
    status.hidden = false;
    return;
  }
  for (const name of ['password', 'password_confirmation']) form.querySelector(`[name="${name}"]`).value = '';
  showErrors(form, res);
});
