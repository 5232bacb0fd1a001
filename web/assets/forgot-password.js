// forgot-password.js - asks for a reset link (POST /forgot-password). The
// answer is the same whether or not the address has an account.
import { clearErrors, formData, request, showErrors } from '/assets/api.js';

const form = document.getElementById('forgot-form');
const status = document.getElementById('forgot-status');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  status.hidden = true;
  const res = await request('POST', '/forgot-password', formData(form));
  if (res.status === 200) {
    status.textContent = res.body.status;
    status.hidden = false;
    status.focus();
    return;
  }
  showErrors(form, res);
});
