// login.js - the sign-in page (/ and /login): POST /login with the CSRF
// cookie dance; a 422 shows its errors next to the fields. A visitor who
// is already signed in goes on to the dashboard.
import { clearErrors, currentUser, formData, request, showErrors } from '/assets/api.js';

const form = document.getElementById('login-form');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors(form);
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const res = await request('POST', '/login', formData(form));
    if (res.status === 204 || res.status === 200) {
      location.assign('/dashboard');
      return;
    }
    form.querySelector('[name="password"]').value = '';
    showErrors(form, res);
  } finally {
    button.disabled = false;
  }
});

if ((await currentUser()) !== null) location.assign('/dashboard');
