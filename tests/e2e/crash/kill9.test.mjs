// Issue 16, crash safety: the server killed with SIGKILL in the middle of
// a write load loses no acknowledged write. Eight clients create WedoCOD
// leads and orders (an order and its items are one transaction) as fast as
// they can; the process is killed without warning; a new one started on
// the same data must show every lead and order that was answered 201,
// each order with all its items, and take new writes. make check runs it
// on SQLite and on PostgreSQL.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { api, sleep, waitFor, withServer } from '../lib/server.mjs';
import { createAccount, LEAD, ORDER, token as patFor } from '../lib/wedocod.mjs';

const WRITERS = 8;
const MIN_ACKED = 60; // writes acknowledged before the kill, at least

test('kill -9 during writes: every acknowledged write survives the restart', { timeout: 180000 },
  async () => {
    await withServer({}, async (server) => {
      createAccount(server, 'crash', 'owner@crash.test');
      const tok = patFor(server, 'owner@crash.test', 'crash');
      const leads = [];
      const orders = [];
      const bad = [];
      let running = true;
      // A writer: leads and orders in turn until the server is gone. A
      // request cut by the kill throws (not acknowledged: not counted).
      const writer = async (w) => {
        for (let i = 0; running; i++) {
          const isOrder = i % 2 === 1;
          const notes = `w${w}-${i}`;
          let res;
          try {
            res = await api(server, 'POST', `/api/web/1.0/${isOrder ? 'orders' : 'leads'}`,
              { token: tok, body: { ...(isOrder ? ORDER : LEAD), notes } });
          } catch {
            return;
          }
          if (res.status === 201) (isOrder ? orders : leads).push({ id: res.body.id, notes });
          else bad.push(`${res.status} ${res.text}`);
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      assert.ok(await waitFor(() => leads.length + orders.length >= MIN_ACKED,
        { timeoutMs: 60000, everyMs: 10 }), `only ${leads.length + orders.length} writes acknowledged`);
      server.kill('SIGKILL');
      assert.ok(await waitFor(() => server.exitStatus() !== null, { timeoutMs: 10000 }));
      running = false;
      await Promise.all(writers);
      assert.equal(server.exitStatus().signal, 'SIGKILL');
      await server.stop({ keep: true }).catch((err) => assert.match(err.message, /SIGKILL/));
      assert.deepEqual(bad, [], 'every write before the kill succeeded');

      await sleep(100);
      await withServer({}, { dir: server.dir }, async (again) => {
        const missing = [];
        for (const l of leads) {
          const r = await api(again, 'GET', `/api/web/1.0/leads/${l.id}`, { token: tok });
          if (r.status !== 200 || r.body.notes !== l.notes) missing.push(`lead ${l.id}: ${r.status}`);
        }
        for (const o of orders) {
          const r = await api(again, 'GET', `/api/web/1.0/orders/${o.id}`, { token: tok });
          if (r.status !== 200 || r.body.notes !== o.notes || r.body.items.length !== ORDER.items.length) {
            missing.push(`order ${o.id}: ${r.status} ${r.text}`);
          }
        }
        assert.deepEqual(missing, [],
          `${leads.length} leads and ${orders.length} orders were acknowledged before the kill`);
        // Orders are all or nothing: no item without its order, none short.
        for (let page = 1; ; page++) {
          const list = await api(again, 'GET', `/api/web/1.0/orders?per_page=100&page=${page}`,
            { token: tok });
          assert.equal(list.status, 200, list.text);
          for (const o of list.body.data) assert.equal(o.items.length, ORDER.items.length, `order ${o.id}`);
          if (page >= list.body.last_page) break;
        }
        const after = await api(again, 'POST', '/api/web/1.0/leads', { token: tok, body: LEAD });
        assert.equal(after.status, 201, after.text);
        console.log(`kill -9: ${leads.length} leads and ${orders.length} orders acknowledged, all present`);
      });
    });
  });
