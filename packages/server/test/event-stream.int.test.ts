import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { createRollout } from './fleet-helpers.js';
import { api, enrolAgent, eventually, RawAgent, startTestServer, type TestServer } from './helpers.js';

/** A live `?follow=true` stream: the text received so far, and whether the server ended it. */
interface FollowedStream {
  readonly text: () => string;
  readonly ended: Promise<void>;
  waitFor(fragment: string): Promise<void>;
  cancel(): Promise<void>;
}

async function follow(server: TestServer, id: string, token: string): Promise<FollowedStream> {
  const response = await fetch(`${server.url}/api/v1/rollouts/${id}/events?follow=true`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let wake: () => void = () => {};
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
      wake();
    }
  })();
  const waitFor = async (fragment: string) => {
    while (!text.includes(fragment)) await new Promise<void>((resolve) => (wake = resolve));
  };
  return { text: () => text, ended, waitFor, cancel: () => reader.cancel() };
}

/** Has an agent report HUB01 through the gateway, so that a rollout can be created for it. */
async function reportHub(server: TestServer): Promise<void> {
  const agent = await RawAgent.connect(server.wsUrl, await enrolAgent(server, 'HUB01'));
  await agent.hello('HUB01');
  agent.send({
    version: 1,
    type: 'INVENTORY',
    payload: {
      server: { name: 'HUB01', site: 'HQ', build: '8.1.311.3', roles: ['HubTransport'] },
      host: { architecture: 'x64' },
      collectedAt: new Date().toISOString(),
    },
  });
  await eventually(async () => (await server.inventory.get('HUB01')) !== undefined);
  agent.close();
}

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0).reverse()) await server.close();
});

it('ends the event streams a token opened when it is revoked, on every instance, and no other stream', async () => {
  const prefix = `test-${randomUUID()}:`;
  const a = await startTestServer({}, prefix);
  const b = await startTestServer({}, prefix);
  servers.push(a, b);
  await reportHub(a);
  const id = await createRollout(a, {}, { names: ['HUB01'] });
  const revoked = await api(a, 'POST', '/api/v1/tokens', a.admin, { name: 'noc', role: 'viewer' });
  const kept = await api(a, 'POST', '/api/v1/tokens', a.admin, { name: 'cab', role: 'viewer' });
  const onA = await follow(a, id, String(revoked.body.token));
  const onB = await follow(b, id, String(revoked.body.token));
  const other = await follow(b, id, String(kept.body.token));
  for (const stream of [onA, onB, other]) await stream.waitFor('rollout.created');

  expect((await api(a, 'DELETE', `/api/v1/tokens/${String(revoked.body.id)}`, a.admin)).status).toBe(200);
  await Promise.all([onA.ended, onB.ended]);
  for (const stream of [onA, onB])
    expect(stream.text()).toContain(
      'event: closed\ndata: {"code":"SRV_ERR_AUTH_REQUIRED","message":"the token that opened this stream was revoked"}',
    );

  expect(
    (await api(a, 'POST', `/api/v1/rollouts/${id}/abort`, a.admin, { reason: 'still there?' })).status,
  ).toBe(200);
  await other.waitFor('rollout.aborted');
  expect(other.text()).not.toContain('event: closed');
  await other.cancel();
});

it('ends a stream whose token was revoked without a word on the bus, before it sends another event', async () => {
  const server = await startTestServer();
  servers.push(server);
  await reportHub(server);
  const id = await createRollout(server, {}, { names: ['HUB01'] });
  const viewer = await server.tokens.createOperatorToken('noc', 'viewer');
  const stream = await follow(server, id, viewer.token);
  await stream.waitFor('rollout.created');
  await server.tokens.revokeOperatorToken(viewer.id);
  await api(server, 'POST', `/api/v1/rollouts/${id}/abort`, server.admin, { reason: 'wake the stream' });
  await stream.ended;
  expect(stream.text()).toContain('event: closed');
  expect(stream.text()).not.toContain('rollout.aborted');
});
