// WedoCOD (seed 000): each route checks tokenCan() for its scope. The
// matrix: a token with exactly one of the eight scopes is allowed on the
// routes of that scope and refused 403 "This action is unauthorized." on
// every other one; "*" and an all-scope token pass everywhere; a member
// whose role lacks a scope is refused even with a "*" token.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../lib/server.mjs';
import {
  SCOPES, UNAUTHORIZED, call, createAccount, createMember, makeLead, makeOrder, routes, token,
} from '../lib/wedocod.mjs';

describe('wedocod: the 8 scopes x 10 routes', () => {
  let server;
  let owner;

  before(async () => {
    server = await startServer();
    createAccount(server, 'acme');
    createMember(server, 'owner@acme.test', 'acme');
    createMember(server, 'viewer@acme.test', 'acme', 'viewer');
    createMember(server, 'agent@acme.test', 'acme', 'agent');
    owner = token(server, 'owner@acme.test', 'acme');
  }, { timeout: 60000 });

  after(async () => { if (server) await server.stop(); }, { timeout: 30000 });

  // Fresh rows per probe, so a DELETE or PATCH that is allowed finds its row.
  async function probe(tok, i) {
    const lead = await makeLead(server, owner);
    const order = await makeOrder(server, owner);
    const rt = routes(lead.id, order.id)[i];
    return { rt, r: await call(server, rt.method, rt.path, tok, rt.body) };
  }

  const OK = { GET: 200, POST: 201, PATCH: 200, DELETE: 204 };

  test('a token with one scope: allowed exactly on its routes', async () => {
    const tokens = Object.fromEntries(SCOPES.map((s) => [s, token(server, 'owner@acme.test', 'acme', [s])]));
    let allowed = 0;
    for (const scope of SCOPES) {
      for (let i = 0; i < 10; i++) {
        const { rt, r } = await probe(tokens[scope], i);
        if (rt.scope === scope) {
          allowed++;
          assert.equal(r.status, OK[rt.method], `${scope}: ${rt.method} ${rt.path}: ${r.text}`);
        } else {
          assert.equal(r.status, 403, `${scope}: ${rt.method} ${rt.path}: ${r.text}`);
          assert.deepEqual(r.body, UNAUTHORIZED);
        }
      }
    }
    assert.equal(allowed, 10, 'every route belongs to exactly one scope');
  });

  test('PUT needs UPDATE like PATCH', async () => {
    const lead = await makeLead(server, owner);
    const view = token(server, 'owner@acme.test', 'acme', ['VIEW LEADS']);
    const upd = token(server, 'owner@acme.test', 'acme', ['UPDATE LEADS']);
    assert.equal((await call(server, 'PUT', `/leads/${lead.id}`, view, { notes: 'n' })).status, 403);
    assert.equal((await call(server, 'PUT', `/leads/${lead.id}`, upd, { notes: 'n' })).status, 200);
  });

  test('"*" and a token with all eight scopes pass every route', async () => {
    for (const tok of [owner, token(server, 'owner@acme.test', 'acme', SCOPES)]) {
      for (let i = 0; i < 10; i++) {
        const { rt, r } = await probe(tok, i);
        assert.equal(r.status, OK[rt.method], `${rt.method} ${rt.path}: ${r.text}`);
      }
    }
  });

  test('the role bounds the token: a viewer\'s "*" token only views; an agent cannot delete', async () => {
    const viewer = token(server, 'viewer@acme.test', 'acme');
    const agent = token(server, 'agent@acme.test', 'acme');
    for (let i = 0; i < 10; i++) {
      const { rt, r } = await probe(viewer, i);
      assert.equal(r.status, rt.scope.startsWith('VIEW') ? 200 : 403, `viewer ${rt.method} ${rt.path}`);
      const a = await probe(agent, i);
      assert.equal(a.r.status, a.rt.scope.startsWith('DELETE') ? 403 : OK[a.rt.method],
        `agent ${a.rt.method} ${a.rt.path}: ${a.r.text}`);
    }
  });

  test('a lowercase or unknown ability grants nothing', async () => {
    const tok = token(server, 'owner@acme.test', 'acme', ['view leads', 'VIEW_LEADS', 'VIEW  LEADS']);
    const r = await call(server, 'GET', '/leads', tok);
    assert.equal(r.status, 403);
  });
});
