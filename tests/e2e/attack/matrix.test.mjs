// Issue 16, the attack matrix: every authenticated route the server lists
// (`latchkey routes --json`, so a new route cannot be left out) tried with
// another tenant's credentials, a suspended user or member, a revoked
// token, an expired one, a token lacking the route's permission, and an
// admin token on a surface route or a surface token on an admin route.
// Each attack must be refused (400, 401, 403, 404 or 419: never a 2xx, and
// never a 422, which would mean the request got past authorization) and
// leave the database as it was. The matrix (routes x attacks, with each
// status) is printed; a route whose surface has no attacker kit, or a
// cell left empty without a reason, fails the test.
//
// One server holds every fixture: WedoCOD accounts A (the victim) and B,
// travel tenants, AutoCom teams, WNCMS sites and platform staff. Expired
// credentials are real ones past their lifetime: PATs made with
// --expires-in 1s, admin tokens and JWTs issued by a second instance on
// the same database with 1 s lifetimes. Dashboard sessions expire on the
// server's clock: their column runs last, after a restart with
// LATCHKEY_TEST_CLOCK_OFFSET three days ahead, with the victim's own
// session (which worked before the jump: the control column).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { adminLoginOk, createStaff } from '../lib/admin.mjs';
import { call as autocomCall, loginOk } from '../lib/autocom.mjs';
import { addMember as teamMember, makeTeam } from '../lib/team.mjs';
import {
  api, cliJson, parseToken, runCli, sleep, startServer, withServer,
} from '../lib/server.mjs';
import { PASSWORD as WEB_PASSWORD, createAccount, addMember as webMember, makeLead, makeOrder,
  token as patFor, webClient } from '../lib/wedocod.mjs';
import { createSite, PASSWORD as WNCMS_PASSWORD, setSetting, WNCMS_ENV } from '../lib/wncms.mjs';

const ATTACKS = ['other_tenant', 'suspended', 'revoked', 'lacking', 'cross_surface', 'expired'];
const REFUSED = new Set([400, 401, 403, 404, 419]);
const OFFSET = String(3 * 86400); // past a session's lifetime (1 day)
const STAFF_PASSWORD = 'staff-password-1';

// The tables an attack could change, without the columns a refused but
// authenticated request may touch (last_used_at). Sessions: only the
// victims' (a refused request may end the caller's own dead session, and
// expired ones are reaped), and not in the expired phase.
const SNAPSHOT = [
  'SELECT id, name, email, status, is_super_admin, password_hash FROM users ORDER BY id',
  'SELECT user_id, tenant_id, role_id, status FROM memberships ORDER BY user_id, tenant_id',
  'SELECT id, user_id, tenant_id, name, abilities, kind, expires_at, revoked_at FROM tokens ORDER BY id',
  'SELECT * FROM tenants ORDER BY id',
  'SELECT * FROM roles ORDER BY id',
  'SELECT * FROM access_rules ORDER BY id',
  'SELECT * FROM invitations ORDER BY id',
  'SELECT * FROM leads ORDER BY id',
  'SELECT * FROM orders ORDER BY id',
  'SELECT * FROM order_items ORDER BY id',
  'SELECT * FROM posts ORDER BY id',
  'SELECT * FROM settings ORDER BY 1, 2',
];
const VICTIM_SESSIONS = 'SELECT s.id_hash FROM sessions s JOIN users u ON u.id = s.user_id ' +
  "WHERE u.email IN ('owner@a.test', 'admin@site-a.test') ORDER BY 1";
// All of SNAPSHOT in one process (psql or python3's sqlite3), as text.
function snapshot(db, queries = [...SNAPSHOT, VICTIM_SESSIONS]) {
  if (/^postgres(ql)?:/.test(db)) {
    const r = spawnSync('psql', [db, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'],
      { input: queries.map((q) => `${q};`).join('\n'), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  }
  const script = 'import sqlite3, sys, json\n' +
    'c = sqlite3.connect(sys.argv[1])\n' +
    'print(json.dumps([c.execute(q).fetchall() for q in json.loads(sys.argv[2])]))\n';
  const r = spawnSync('python3', ['-c', script, db.replace(/^sqlite:/, ''), JSON.stringify(queries)],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// A request as a bearer of token (plus headers).
const bearer = (token, headers = {}) => (ctx, method, path, body) =>
  api(ctx.server, method, path, { token, body, headers });
// A request through a dashboard session (a webClient, logged in).
const session = (web) => (ctx, method, path, body) => {
  web.server = ctx.server;
  return web.request(method, path, { body });
};
// WNCMS "simple" mode: the API token in the JSON body, the site in X-Tenant.
// (the query on a GET, which has no body).
const apiToken = (token, site) => (ctx, method, path, body) => {
  const headers = site ? { 'X-Tenant': site } : {};
  if (method === 'GET') {
    const sep = path.includes('?') ? '&' : '?';
    return api(ctx.server, method, `${path}${sep}api_token=${encodeURIComponent(token)}`, { headers });
  }
  return api(ctx.server, method, path, { body: { ...(body || {}), api_token: token }, headers });
};
const na = (why) => ({ na: why });

// Builds every fixture; returns the kits by surface name. Each kit: legit
// (the victim's sender, all permissions), params (route param values),
// and per attack a sender or na(reason) (a function of the route).
async function buildKits(server, env) {
  const cli = (...a) => cliJson(server.cli, ...a);
  // Platform staff: the Owner (cross-surface admin token), Marketing
  // (lacks most permissions), a suspended and a logged-out one.
  for (const [email, role] of [['owner@staff.test', 'owner'], ['mkt@staff.test', 'marketing'],
    ['susp@staff.test', 'support'], ['gone@staff.test', 'support']]) {
    createStaff(server, email, role, { password: STAFF_PASSWORD });
  }
  const staff = {};
  for (const who of ['owner', 'mkt', 'susp', 'gone']) {
    staff[who] = (await adminLoginOk(server, `${who}@staff.test`, STAFF_PASSWORD)).token;
  }
  assert.equal((await api(server, 'POST', '/admin/auth/logout', { token: staff.gone })).status, 200);
  cli('user', 'set-status', '--email', 'susp@staff.test', '--status', 'suspended');
  // A forward-auth rule the attacks on /admin/rules/{id} aim at.
  const victimRule = cli('rule', 'add', '--pattern', '/victim/*');

  // WedoCOD: accounts A and B; A's owner, a suspended member; PATs with
  // every scope, one revoked, one with none that counts.
  const acctA = createAccount(server, 'acct-a', 'owner@a.test');
  const victim = cli('user', 'create', '--email', 'victim@plain.test', '--name', 'Victim',
    '--password', 'secret-password-1');
  createAccount(server, 'acct-b', 'owner@b.test');
  webMember(server, 'acct-a', 'susp@a.test', 'admin');
  const wTok = {
    a: patFor(server, 'owner@a.test', 'acct-a'),
    b: patFor(server, 'owner@b.test', 'acct-b'),
    susp: patFor(server, 'susp@a.test', 'acct-a'),
    gone: patFor(server, 'owner@a.test', 'acct-a'),
    none: patFor(server, 'owner@a.test', 'acct-a', ['NOTHING AT ALL']),
  };
  const expiring = cli('token', 'create', '--user', 'owner@a.test', '--tenant', 'acct-a',
    '--name', 'exp', '--expires-in', '1s').token;
  cli('token', 'revoke', parseToken(wTok.gone, process.env.LATCHKEY_TOKEN_PREFIX || '').id);
  const lead = await makeLead(server, wTok.a);
  const order = await makeOrder(server, wTok.a);
  const webA = webClient(server);
  await webA.login('owner@a.test', WEB_PASSWORD);
  const webB = webClient(server);
  await webB.login('owner@b.test', WEB_PASSWORD);
  const webSusp = webClient(server);
  await webSusp.login('susp@a.test', WEB_PASSWORD);
  const webGone = webClient(server);
  await webGone.login('owner@a.test', WEB_PASSWORD);
  assert.ok([200, 204].includes((await webGone.request('POST', '/logout')).status));
  cli('member', 'set-status', '--user', 'susp@a.test', '--tenant', 'acct-a', '--status', 'suspended');
  const keyId = parseToken(wTok.a, process.env.LATCHKEY_TOKEN_PREFIX || '').id;

  // Travel: a tenant with a user; a suspended user; a revoked token.
  cli('tenant', 'create', '--slug', 'trip-a', '--name', 'Trip A');
  for (const e of ['t@trip.test', 'ts@trip.test']) {
    cli('user', 'create', '--email', e, '--name', 'T', '--password', 'secret-password-1',
      '--tenant', 'trip-a', '--role', 'user');
  }
  const tTok = { a: patFor(server, 't@trip.test', 'trip-a'),
    susp: patFor(server, 'ts@trip.test', 'trip-a'), gone: patFor(server, 't@trip.test', 'trip-a') };
  const tExpiring = cli('token', 'create', '--user', 't@trip.test', '--tenant', 'trip-a',
    '--name', 'exp', '--expires-in', '1s').token;
  cli('token', 'revoke', parseToken(tTok.gone, process.env.LATCHKEY_TOKEN_PREFIX || '').id);
  cli('user', 'set-status', '--email', 'ts@trip.test', '--status', 'suspended');

  // AutoCom: teams A and B; an agent (lacks team.*), a suspended member, a
  // member who logged out; an invitation of A.
  const teamA = await makeTeam(server, 'team-a', 'owner@team-a.test');
  const teamB = await makeTeam(server, 'team-b', 'owner@team-b.test');
  const agent = await teamMember(server, teamA, 'agent@team-a.test', 'agent');
  const tsusp = await teamMember(server, teamA, 'susp@team-a.test', 'admin');
  const tgone = await teamMember(server, teamA, 'gone@team-a.test', 'admin');
  const tsuspUser = await teamMember(server, teamA, 'blocked@team-a.test', 'admin');
  cli('user', 'set-status', '--email', 'blocked@team-a.test', '--status', 'suspended');
  assert.equal((await autocomCall(server, 'POST', '/api/v1/auth/logout', tgone.token)).status, 200);
  cli('member', 'set-status', '--user', 'susp@team-a.test', '--tenant', 'team-a', '--status', 'suspended');
  const inv = await autocomCall(server, 'POST', '/api/v1/team/invite', teamA.owner.token,
    { tenant: 'team-a', body: { email: 'new@team-a.test', role_id: teamA.roles.agent } });
  assert.equal(inv.status, 201, inv.text);
  // Tokens that expire a second after they are issued, from a second
  // instance on the same database (the key ring and the rows are shared).
  const short = await startServer({ ...env, LATCHKEY_ADMIN_TOKEN_TTL: '1', LATCHKEY_JWT_TTL: '1' },
    { dir: server.dir });
  const staffExpired = (await adminLoginOk(short, 'owner@staff.test', STAFF_PASSWORD)).token;
  const jwtExpired = (await loginOk(short, 'team-a', 'owner@team-a.test')).token;
  await short.stop({ keep: true });
  await sleep(2100);
  const agentScopes = JSON.parse(Buffer.from(agent.token.split('.')[1], 'base64url')).scopes || [];

  // WNCMS: sites A and B (admin and editor each), a suspended admin, a
  // rotated (revoked) token; every route in simple mode, store/update/delete
  // requiring admin (the default).
  const siteA = createSite(server, 'site-a');
  const siteB = createSite(server, 'site-b');
  cli('user', 'create', '--email', 'susp@site-a.test', '--name', 'S', '--password', WNCMS_PASSWORD,
    '--tenant', 'site-a', '--role', 'admin');
  const wsusp = cli('user', 'api-token', 'susp@site-a.test', '--tenant', 'site-a').api_token;
  cli('user', 'set-status', '--email', 'susp@site-a.test', '--status', 'suspended');
  const wgone = siteA.editor.token;
  const editorNow = cli('user', 'api-token', siteA.editor.email, '--tenant', 'site-a').api_token;
  for (const k of ['index', 'show', 'store', 'update', 'delete']) setSetting(server, `wncms_api_posts_${k}_auth`, 'simple');
  const post = await api(server, 'POST', '/api/v1/posts/store',
    { body: { api_token: siteA.admin.token, title: 'Victim post', slug: 'victim-post' },
      headers: { 'X-Tenant': 'site-a' } });
  assert.equal(post.status, 200, post.text);
  const wdash = { a: webClient(server), b: webClient(server) };
  await wdash.a.login(siteA.admin.email, WNCMS_PASSWORD);
  await wdash.b.login(siteB.admin.email, WNCMS_PASSWORD);

  const adminCross = bearer(staff.owner);
  const noPerm = na('the route checks no permission');
  const wedocodApi = {
    legit: bearer(wTok.a), expired: bearer(expiring),
    params: { id: (r) => (r.path.includes('/orders') ? order.id : lead.id) },
    other_tenant: (r) => (r.path.includes('{') ? bearer(wTok.b)
      : na('no {id}: another account\'s token works on its own account')),
    suspended: () => bearer(wTok.susp),
    revoked: () => bearer(wTok.gone), lacking: () => bearer(wTok.none), cross_surface: () => adminCross,
  };
  const lackingStaff = (r) => (['users:list', 'tenants:list'].includes(r.permission)
    ? na('every staff role holds it') : bearer(staff.mkt));
  const adminKit = {
    legit: bearer(staff.owner), expired: bearer(staffExpired),
    params: { id: (r) => (r.path.startsWith('/admin/tenants') ? acctA.id : victim.id) },
    other_tenant: () => na('platform routes: no tenant to cross'),
    suspended: () => bearer(staff.susp), revoked: () => bearer(staff.gone),
    lacking: (r) => (r.permission ? lackingStaff(r) : noPerm),
    cross_surface: () => bearer(wTok.a),
  };
  return {
    wedocod_api: wedocodApi,
    travel: {
      legit: bearer(tTok.a), expired: bearer(tExpiring), params: {},
      other_tenant: () => na('no {id}, no tenant selector: a token reads its own profile'),
      suspended: () => bearer(tTok.susp), revoked: () => bearer(tTok.gone), lacking: () => noPerm,
      cross_surface: () => adminCross,
    },
    admin: adminKit,
    admin_rules: { ...adminKit, params: { id: () => victimRule.id } },
    autocom: autocomKit(teamA, teamB, tsuspUser, tgone, agentScopes, adminCross, false, jwtExpired),
    autocom_team: autocomKit(teamA, teamB, tsusp, tgone, agentScopes, adminCross, true, jwtExpired,
      { inv: inv.body.invitation.id, member: agent.id, role: teamA.roles.agent }, agent),
    wedocod_web: {
      legit: session(webA), expired: 'offset', params: { token: () => keyId },
      other_tenant: (r) => (r.path.includes('{') ? session(webB)
        : na('no {id}: another account\'s session works on its own account')), suspended: () => session(webSusp),
      revoked: () => session(webGone), lacking: () => noPerm, cross_surface: () => adminCross,
    },
    profile: {
      legit: session(webA), expired: 'offset', params: {},
      other_tenant: () => na('no {id}: the routes act on the caller\'s own account'),
      suspended: () => session(webSusp), revoked: () => session(webGone), lacking: () => noPerm,
      cross_surface: () => adminCross,
    },
    wncms: {
      legit: apiToken(siteA.admin.token, 'site-a'),
      expired: na('WNCMS API tokens do not expire (seed 003)'),
      params: { slug: () => 'victim-post' },
      other_tenant: () => apiToken(siteB.admin.token, 'site-a'),
      suspended: () => apiToken(wsusp, 'site-a'), revoked: () => apiToken(wgone, 'site-a'),
      lacking: (r) => (/store|update|delete/.test(r.permission)
        ? apiToken(editorNow, 'site-a') : na('index and show require no role by default')),
      cross_surface: () => (ctx, m, p, b) => adminCross(ctx, m, p, b),
    },
    wncms_dashboard: {
      legit: session(wdash.a), expired: 'offset', params: {},
      other_tenant: () => na('no {id}: the token made is the caller\'s own'),
      suspended: () => na('covered by wedocod_web: the same session guard'),
      revoked: () => na('covered by wedocod_web: the same session guard'),
      lacking: () => noPerm, cross_surface: () => adminCross,
    },
  };
}

function autocomKit(teamA, teamB, tsusp, tgone, agentScopes, adminCross, tenantScoped, expired,
  ids, agent) {
  const jwt = (token) => bearer(token, { 'X-Tenant': 'team-a' });
  return {
    legit: jwt(teamA.owner.token), expired: jwt(expired),
    params: { id: (r) => (r.path.includes('invitations') ? ids.inv
      : r.path.includes('roles') ? ids.role : ids.member) },
    other_tenant: () => (tenantScoped ? jwt(teamB.owner.token)
      : na('no {id}, no tenant selector: a token reads its own account')),
    // Tenant routes: a suspended membership; account routes: a suspended user.
    suspended: () => jwt(tsusp.token),
    revoked: () => jwt(tgone.token),
    lacking: (r) => (!r.permission ? na('the route checks no permission')
      : agentScopes.includes(r.permission) ? na(`the Agent role holds ${r.permission}`) : jwt(agent.token)),
    cross_surface: () => adminCross,
  };
}

// A body for the routes that need one to do harm: were authorization
// skipped, the attack would change data (and the snapshot would show it).
const BODIES = {
  'POST /api/web/1.0/leads': { customer_name: 'X', phone: '+2126', address: 'a', city: 'c',
    product: 'p', quantity: 1, price: 1 },
  'PATCH /api/web/1.0/leads/{id}': { notes: 'pwned' },
  'PUT /api/web/1.0/leads/{id}': { notes: 'pwned' },
  'PATCH /api/web/1.0/orders/{id}': { notes: 'pwned' },
  'PUT /api/web/1.0/orders/{id}': { notes: 'pwned' },
  'POST /api/v1/team/invite': { email: 'evil@x.test', role_id: 1 },
  'PATCH /api/v1/team/members/{id}/role': { role_id: 1 },
  'POST /admin/users': { name: 'Evil', email: 'evil@admin.test', password: 'evil-password-1' },
  'PATCH /admin/users/{id}': { status: 'suspended', name: 'Pwned' },
  'PATCH /admin/tenants/{id}': { status: 'suspended' },
  'PATCH /admin/settings': { wncms_api_enabled: false },
  'POST /admin/rules': { pattern: '/evil/*', auth: 'none' },
  'PATCH /admin/rules/{id}': { auth: 'none' },
  'POST /settings/api-keys/generate': { name: 'evil', abilities: ['VIEW LEADS'] },
  'POST /api/v1/auth/change-password': { current_password: 'x', password: 'evil-password-1',
    password_confirmation: 'evil-password-1' },
  'PATCH /profile': { name: 'Pwned' },
  'PUT /password': { current_password: WEB_PASSWORD, password: 'evil-password-1',
    password_confirmation: 'evil-password-1' },
  'DELETE /user/other-browser-sessions': { password: WEB_PASSWORD },
  'POST /api/v1/posts/store': { title: 'Evil', slug: 'evil' },
  'POST /api/v1/posts/update/{slug}': { title: 'Pwned' },
};

const fill = (route, kit) => route.path.replace(/\{(\w+)\}/g, (m, name) => {
  const f = kit.params[name];
  assert.ok(f, `${route.method} ${route.path}: the ${route.surface} kit has no value for {${name}}`);
  return encodeURIComponent(String(f(route)));
});

// Sends one attack; returns the matrix cell ("403", "-", ...) and records
// a failure when the request was not refused.
async function attack(ctx, route, kit, name, failures) {
  const s = name !== 'expired' ? kit[name](route) : kit.expired === 'offset' ? kit.legit : kit.expired;
  if (!s || s.na) {
    assert.ok(s && s.na, `${route.method} ${route.path}: no ${name} attacker and no reason`);
    ctx.reasons.add(`${route.surface} ${name}: ${s.na}`);
    return '-';
  }
  const res = await s(ctx, route.method, fill(route, kit), BODIES[`${route.method} ${route.path}`]);
  if (!REFUSED.has(res.status)) {
    failures.push(`${name} on ${route.method} ${route.path}: ${res.status} ${(res.text || '').slice(0, 200)}`);
  }
  return String(res.status);
}

const pad = (s, n) => String(s).padEnd(n);

test('attack matrix: every authenticated route refuses every attack, data unchanged', {
  timeout: 600000,
}, async () => {
  const listed = runCli({}, 'routes', '--json');
  assert.equal(listed.status, 0, listed.stderr);
  const routes = listed.json;
  assert.ok(routes.length > 50, `latchkey routes lists ${routes.length} routes`);
  // The admin bucket (60/min per IP without a valid token) would answer the
  // invalid-credential attacks 429 before authorization is judged.
  const env = { ...WNCMS_ENV, LATCHKEY_ADMIN_EMAIL: 'first@owner.test', LATCHKEY_RATE_ADMIN: '100000/60' };
  const failures = [];
  const cells = new Map(); // route key -> {control, attack: status}
  const skipped = [];
  const ctx = { reasons: new Set() };
  await withServer(env, async (server) => {
    ctx.server = server;
    const kits = await buildKits(server, env);
    const targets = [];
    for (const r of routes) {
      const key = `${r.surface} ${r.method} ${r.path}`;
      if (r.auth === 'public' || r.auth === 'public_session') {
        cells.set(key, { public: true });
        continue;
      }
      const kit = kits[r.surface];
      if (!kit) {
        skipped.push(`${key} (${r.surface}, ${r.auth})`);
        continue;
      }
      targets.push([r, kit, key]);
    }
    for (const [r, kit, key] of targets) {
      const row = {};
      // Control: the victim's own credential reads the route (GET only:
      // nothing changes), so a refusal below is the attack's, not a
      // broken fixture's.
      if (r.method === 'GET') {
        const res = await kit.legit(ctx, 'GET', fill(r, kit));
        assert.ok(res.status >= 200 && res.status < 300,
          `control ${key} with the victim's credential: ${res.status} ${res.text}`);
        row.control = String(res.status);
      } else {
        row.control = 'n/a';
      }
      const before = snapshot(server.db);
      for (const a of ATTACKS) {
        if (a !== 'expired' || kit.expired !== 'offset') row[a] = await attack(ctx, r, kit, a, failures);
      }
      if (snapshot(server.db) !== before) failures.push(`${key}: the database changed under the attacks`);
      cells.set(key, row);
    }
    // The expired column: the same data, three days later.
    await server.stop({ keep: true });
    await withServer({ ...env, LATCHKEY_TEST_CLOCK_OFFSET: OFFSET }, { dir: server.dir },
      async (later) => {
        ctx.server = later;
        const before = snapshot(later.db, SNAPSHOT);
        for (const [r, kit, key] of targets) {
          if (kit.expired === 'offset') cells.get(key).expired = await attack(ctx, r, kit, 'expired', failures);
        }
        if (snapshot(later.db, SNAPSHOT) !== before) failures.push('the database changed under the expired sessions');
      });
  });
  // The matrix.
  const lines = [`${pad('route', 48)} ${pad('control', 8)}${ATTACKS.map((a) => pad(a, 14)).join('')}`];
  let tried = 0;
  let publicRoutes = 0;
  for (const r of routes) {
    const row = cells.get(`${r.surface} ${r.method} ${r.path}`);
    if (!row) continue;
    if (row.public) {
      publicRoutes++;
      continue;
    }
    tried += ATTACKS.filter((a) => row[a] !== '-').length;
    lines.push(`${pad(`${r.method} ${r.path}`, 48)} ${pad(row.control, 8)}${ATTACKS.map((a) => pad(row[a] ?? '?', 14)).join('')}`);
  }
  lines.push(`${cells.size - publicRoutes} routes x ${ATTACKS.length} attacks: ${tried} tried, ` +
    `${publicRoutes} public routes (no credential to attack)`);
  lines.push('not applicable:', ...[...ctx.reasons].sort().map((x) => `  ${x}`));
  console.log(lines.join('\n'));
  assert.deepEqual(skipped, [], `routes left out of the matrix (no kit for their surface): ${skipped.join(', ')}`);
  for (const r of routes) {
    assert.ok(cells.has(`${r.surface} ${r.method} ${r.path}`), `${r.method} ${r.path} not in the matrix`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});
