// dashboard.js - the landing page after sign-in.
import { el, signedIn } from '/assets/layout.js';

const user = await signedIn();
document.getElementById('hello').textContent = `Welcome, ${user.name}`;
const summary = document.getElementById('summary');
const rows = [
  ['Email', user.email],
  ['Tenant', user.tenant ? `${user.tenant.name} (${user.tenant.slug})` : 'none'],
  ['Role', user.role ? user.role.name : user.staff ? `platform staff (${user.staff})` : 'none'],
];
for (const [k, v] of rows) summary.append(el('dt', {}, k), el('dd', {}, v));
