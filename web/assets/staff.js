// staff.js - the staff console for platform staff: users (search,
// suspend, reactivate), tenants (search, suspend, reactivate), the audit
// log with its filters, and the WNCMS runtime settings (endpoint switches,
// auth modes, required roles). It calls the admin API (/admin/...) on the
// dashboard session: the server checks the staff permission of every
// route, and this page shows a section or a control only where the staff
// role (GET /admin/auth/me) grants it.
import { clearErrors, formData, messageOf, request, showErrors } from '/assets/api.js';
import { el, signedIn } from '/assets/layout.js';

const user = await signedIn();
const me = user.staff !== null ? await request('GET', '/admin/auth/me') : null;
if (me === null || me.status !== 200) {
  document.getElementById('no-access').hidden = false;
} else {
  const role = me.body.data.user.role;
  const can = (perm) => role.permissions.includes(perm);
  const roleLine = document.getElementById('staff-role');
  roleLine.textContent = `Your staff role: ${role.name}.`;
  roleLine.hidden = false;
  if (can('users:list')) setupUsers(can('users:update'));
  if (can('tenants:list')) setupTenants(can('tenants:update'));
  if (can('audit:list')) setupAudit();
  if (can('settings:list')) setupSettings(can('settings:manage'));
}

// A query string of the non-empty fields of params.
function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

// Shows an error answer in the element with id, or hides it (null).
function showError(id, res) {
  const err = document.getElementById(id);
  err.hidden = res === null;
  err.textContent = res === null ? '' : messageOf(res);
}

// A row of cells ([label, text or node]) for a table body.
function row(cells) {
  const tr = el('tr');
  for (const [label, content] of cells) {
    const td = el('td', { 'data-label': label });
    td.append(content);
    tr.append(td);
  }
  return tr;
}

// A button that switches a row's status between active and suspended
// with PATCH path {status}, after a confirmation, then runs reload.
function statusButton(what, status, path, errorId, reload) {
  const next = status === 'suspended' ? 'active' : 'suspended';
  const label = next === 'active' ? 'Reactivate' : 'Suspend';
  const b = el('button', { type: 'button', class: next === 'active' ? 'secondary' : 'danger',
    'aria-label': `${label} ${what}` }, label);
  b.addEventListener('click', async () => {
    if (next === 'suspended' && !confirm(`Suspend ${what}? Their sessions and tokens stop working.`)) return;
    const res = await request('PATCH', path, { status: next });
    await reload();
    showError(errorId, res.status === 200 ? null : res);
  });
  return b;
}

// Runs load(fields) on form's submit and once now.
function filterForm(form, load) {
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load(formData(form));
  });
  load(formData(form));
}

// A searchable list of the admin API (users, tenants) in the section
// name: GET /admin/<name> with the filter form's fields, a count, and a
// row per item (cells(item, reload) gives its cells).
function listSection(name, cells) {
  document.getElementById(`${name}-section`).hidden = false;
  const form = document.getElementById(`${name}-form`);
  const count = document.getElementById(`${name}-count`);
  let last = {};
  async function load(fields = last) {
    last = fields;
    const res = await request('GET', `/admin/${name}${query({ ...fields, per_page: 50 })}`);
    const body = document.querySelector(`#${name} tbody`);
    body.replaceChildren();
    showError(`${name}-error`, res.status === 200 ? null : res);
    if (res.status !== 200) {
      count.textContent = '';
      return;
    }
    const { [name]: items, meta } = res.body.data;
    const noun = name.slice(0, -1);
    count.textContent = `${meta.total} ${noun}${meta.total === 1 ? '' : 's'}`
      + `${meta.total > items.length ? `, the first ${items.length} shown` : ''}.`;
    for (const item of items) body.append(row(cells(item, load)));
  }
  filterForm(form, load);
}

function setupUsers(mayUpdate) {
  listSection('users', (u, reload) => {
    const actions = document.createDocumentFragment();
    // Not on one's own row: the server refuses to suspend oneself.
    if (mayUpdate && u.status !== 'inactive' && u.id !== user.id) {
      actions.append(statusButton(u.email, u.status, `/admin/users/${u.id}`, 'users-error', reload));
    }
    return [['Name', u.name], ['Email', u.email], ['Status', u.status],
      ['Staff role', u.staff_role ? u.staff_role.name : ''], ['Actions', actions]];
  });
}

function setupTenants(mayUpdate) {
  listSection('tenants', (t, reload) => {
    const actions = document.createDocumentFragment();
    if (mayUpdate) actions.append(statusButton(t.slug, t.status, `/admin/tenants/${t.id}`, 'tenants-error', reload));
    return [['Name', t.name], ['Slug', t.slug], ['Members', String(t.member_count)],
      ['Status', t.status], ['Actions', actions]];
  });
}

function setupAudit() {
  document.getElementById('audit-section').hidden = false;
  const form = document.getElementById('audit-form');
  filterForm(form, async (fields) => {
    // A "to" date means the whole of that day (UTC).
    const params = { ...fields, per_page: 100 };
    if (params.to) params.to = `${params.to}T23:59:59Z`;
    const res = await request('GET', `/admin/audit-logs${query(params)}`);
    const body = document.querySelector('#audit tbody');
    body.replaceChildren();
    if (res.status !== 200) {
      document.getElementById('audit-count').textContent = '';
      showErrors(form, res);
      return;
    }
    clearErrors(form);
    const { audit_logs: rows, meta } = res.body.data;
    document.getElementById('audit-count').textContent =
      `${meta.total} entr${meta.total === 1 ? 'y' : 'ies'}${meta.total > rows.length ? `, the newest ${rows.length} shown` : ''}.`;
    for (const e of rows) {
      body.append(row([['When', when(e.at)], ['Action', e.action], ['User', e.user_id === null ? '' : String(e.user_id)],
        ['Tenant', e.tenant_id === null ? '' : String(e.tenant_id)], ['IP', e.ip || ''],
        ['Detail', e.detail === null ? '' : JSON.stringify(e.detail)]]));
    }
  });
}

// The control of one setting: a checkbox for a switch, a select for an
// auth mode, a text field for a role; disabled without settings:manage.
function settingControl(s, mayManage, save) {
  const id = `setting-${s.key}`;
  let input;
  if (s.type === 'boolean') {
    input = el('input', { type: 'checkbox', id, class: 'switch' });
    input.checked = s.value === 'true';
    input.addEventListener('change', () => save(s.key, input.checked));
  } else if (s.type === 'auth_mode') {
    input = el('select', { id });
    for (const mode of ['none', 'simple', 'basic']) input.append(el('option', { value: mode }, mode));
    input.value = s.value;
    input.addEventListener('change', () => save(s.key, input.value));
  } else {
    input = el('input', { type: 'text', id, maxlength: '64' });
    input.value = s.value;
    input.addEventListener('change', () => save(s.key, input.value.trim()));
  }
  if (!mayManage) input.disabled = true;
  return input;
}

function setupSettings(mayManage) {
  document.getElementById('settings-section').hidden = false;
  const scope = document.getElementById('settings-scope');
  const status = document.getElementById('settings-status');
  let tenant = '';
  function draw(data) {
    document.getElementById('settings-shown').textContent = data.tenant === null
      ? 'The platform-wide values (every site).'
      : `The values of the site ${data.tenant}.`;
    const body = document.querySelector('#settings tbody');
    body.replaceChildren();
    for (const s of data.settings) {
      const label = el('label', { for: `setting-${s.key}`, class: 'inline' }, s.key);
      body.append(row([['Setting', label], ['Value', settingControl(s, mayManage, save)],
        ['Set at', s.source], ['Default', s.default]]));
    }
  }
  async function save(key, value) {
    status.textContent = '';
    const body = { settings: { [key]: value } };
    if (tenant) body.tenant = tenant;
    const res = await request('PATCH', '/admin/settings', body);
    if (res.status !== 200) {
      showError('settings-error', res);
      await load();
      return;
    }
    showError('settings-error', null);
    draw(res.body.data);
    status.textContent = `Saved: ${key} is ${String(value)}.`;
  }
  async function load() {
    const res = await request('GET', `/admin/settings${query({ tenant })}`);
    if (res.status !== 200) {
      showErrors(scope, res);
      return;
    }
    clearErrors(scope);
    draw(res.body.data);
  }
  scope.addEventListener('submit', (ev) => {
    ev.preventDefault();
    tenant = formData(scope).tenant.trim();
    status.textContent = '';
    load();
  });
  load();
}
