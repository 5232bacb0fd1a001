// developer.js - Developer & API (/tenant-admin/developer,
// /super-admin/developer): where the APIs are, the tenant a key belongs
// to, the JWKS URL and a filled-in curl example per surface.
import { el, signedIn } from '/assets/layout.js';

const user = await signedIn();
const origin = location.origin;
const slug = user.tenant ? user.tenant.slug : 'TENANT';

function pairs(id, rows) {
  const dl = document.getElementById(id);
  for (const [k, v] of rows) dl.append(el('dt', {}, k), el('dd', {}, v));
}

pairs('tenant', user.tenant
  ? [['Id', String(user.tenant.id)], ['Slug', user.tenant.slug], ['Name', user.tenant.name]]
  : [['Tenant', 'none (platform staff)']]);
pairs('urls', [
  ['WedoCOD REST API', `${origin}/api/web/1.0`],
  ['AutoCom API', `${origin}/api/v1`],
  ['Travel API', `${origin}/api/v1/auth`],
  ['Admin API', `${origin}/admin`],
  ['JWKS', `${origin}/.well-known/jwks.json`],
]);

const examples = [
  ['WedoCOD: list leads (a key with VIEW LEADS)',
    `curl -X GET "${origin}/api/web/1.0/leads?per_page=25" \\\n  -H "Authorization: Bearer $TOKEN" \\\n  -H "Accept: application/json"`],
  ['WedoCOD: one order (a key with VIEW ORDERS)',
    `curl -X GET "${origin}/api/web/1.0/orders/1" \\\n  -H "Authorization: Bearer $TOKEN" \\\n  -H "Accept: application/json"`],
  ['The key\'s user', `curl -s "${origin}/api/user" -H "Authorization: Bearer $TOKEN"`],
  ['AutoCom: sign in inside the tenant (a JWT)',
    `curl -s -X POST "${origin}/api/v1/auth/login" -H "X-Tenant: ${slug}" \\\n  -H "Content-Type: application/json" -d '{"email":"${user.email}","password":"..."}'`],
  ['Travel: a token for a device',
    `curl -s -X POST "${origin}/api/v1/auth/token" -H "X-Tenant: ${slug}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"email":"${user.email}","password":"...","device_name":"cli"}'`],
  ['Verify a JWT offline: the public keys', `curl -s "${origin}/.well-known/jwks.json"`],
];
const box = document.getElementById('examples');
for (const [title, cmd] of examples) {
  box.append(el('h3', {}, title), el('pre', {}, cmd));
}
