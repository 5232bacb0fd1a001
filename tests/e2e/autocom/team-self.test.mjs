// Issue 16, item 5: nobody suspends themself through the team API (an admin
// used to lock themself out); the last owner still meets the last-owner
// rule first, and leaving the team (remove) stays possible.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../lib/server.mjs';
import { addMember, findMember, makeTeam, teamCall } from '../lib/team.mjs';

const SELF = { message: 'The given data was invalid',
  errors: { member: ['You cannot suspend yourself.'] } };

describe('autocom team: suspending oneself', () => {
  let server;
  let team;

  before(async () => {
    server = await startServer();
    team = await makeTeam(server, 'self-store', 'owner@self.test');
  }, { timeout: 60000 });

  after(async () => {
    if (server) await server.stop();
  }, { timeout: 30000 });

  test('an admin cannot suspend themself; an owner can suspend them', async () => {
    const me = await addMember(server, team, 'admin@self.test', 'admin');
    const path = `/api/v1/team/members/${me.id}/suspend`;
    const res = await teamCall(server, 'POST', path, me, team);
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, SELF);
    assert.equal((await findMember(server, team, team.owner, me.id)).status, 'active');
    assert.equal((await teamCall(server, 'GET', '/api/v1/team', me, team)).status, 200);
    const ok = await teamCall(server, 'POST', path, team.owner, team);
    assert.equal(ok.status, 200, ok.text);
  });

  test('a second owner cannot suspend themself either, but may leave', async () => {
    const me = await addMember(server, team, 'owner2@self.test', 'owner');
    const path = `/api/v1/team/members/${me.id}`;
    const res = await teamCall(server, 'POST', `${path}/suspend`, me, team);
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body, SELF);
    const left = await teamCall(server, 'DELETE', path, me, team);
    assert.equal(left.status, 200, left.text);
  });
});
