import { type AgentMessageType, computerNameProblem, MAX_FRAME_CHARS } from '@exrollout/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRollout, SHA } from '../fleet-helpers.js';
import { api, enrolAgent, eventually, RawAgent, startTestServer, type TestServer } from '../helpers.js';
import {
  FUZZ_NAME,
  FUZZ_SERVER,
  MESSAGE_SCHEMAS,
  OTHER_NAME,
  ROUTE_CASES,
  type Targets,
  VALID_MESSAGES,
  WRONG_MESSAGES,
} from './bad-input-cases.js';
import {
  deepJson,
  FUZZ_SEED,
  FuzzTally,
  type Json,
  mutation,
  NASTY_STRINGS,
  POLLUTING_KEYS,
  passes,
} from './fuzz.js';
import { snapshotChanges, snapshotRedis } from './redis-snapshot.js';
import { bodyRoutes, bodySchema, documentedBodySchema, rawRequest } from './rest-routes.js';

// Property-based fuzzing of every agent message and every REST body, for issue 8 ("Bad input"). Each refused input
// must get a clear error (a documented ERROR code, or a 4xx with a stable code), write nothing to Redis, and leave
// the server answering. Run counts are fixed and the seed too (EXR_FUZZ_SEED, EXR_FUZZ_RUNS override them).

const RUNS = Number(process.env.EXR_FUZZ_RUNS ?? 200);
const WRONG_RUNS = Math.ceil(RUNS / 2);
const PROTOCOL_CODES = [
  'PROTOCOL_TOO_LARGE',
  'PROTOCOL_INVALID_JSON',
  'PROTOCOL_VERSION_UNSUPPORTED',
  'PROTOCOL_UNKNOWN_TYPE',
  'PROTOCOL_INVALID_MESSAGE',
];
const MESSAGE_TYPES = Object.keys(VALID_MESSAGES) as AgentMessageType[];
// Keys a refusal may change: enrolment with a wrong token counts a failed authentication against 127.0.0.1, an
// INVENTORY counts against its agent's limit even when refused, and BullMQ's worker renews its stalled-job check
// key on its own timer, whatever the requests.
const mayChange = (key: string) =>
  key.startsWith('authfail') || key.startsWith('invlimit:') || key === 'bull:rollouts:stalled-check';

// Names that are NetBIOS-shaped but that Windows refuses as computer names (issue 13, item 18).
const WINDOWS_REFUSES = ['2007', '0', 'CON', 'nul', 'Com1', 'LPT9', 'EX01-', 'SERVER', 'gw'];
const tally = new FuzzTally();

/** True when a frame is a message docs/protocol.schema.json accepts: the fuzzer's oracle, not the decoder. */
function documentedMessage(frame: string): boolean {
  if (frame.length > MAX_FRAME_CHARS) return false;
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return false;
  }
  const type = (value as { type?: unknown } | null)?.type;
  const schema =
    typeof type === 'string' && Object.hasOwn(MESSAGE_SCHEMAS, type)
      ? MESSAGE_SCHEMAS[type as AgentMessageType]
      : undefined;
  return schema !== undefined && passes(schema, value);
}
let server: TestServer;
let agent: RawAgent;
let otherCredential: string;
let targets: Targets;

beforeAll(async () => {
  server = await startTestServer({
    // No sweep, no liveness change while a test compares snapshots; refusals must not disconnect the fuzzer.
    heartbeatIntervalMs: 15_000,
    offlineAfterMs: 3_600_000,
    maxInvalidMessages: 10_000,
    authFailureLimit: 1_000_000,
    // The fuzzer sends thousands of INVENTORY messages from one agent, which the limiter would refuse.
    inventoryLimit: 1_000_000,
  });
  agent = await RawAgent.connect(server.wsUrl, await enrolAgent(server, FUZZ_NAME));
  await agent.hello(FUZZ_NAME);
  agent.send({
    version: 1,
    type: 'INVENTORY',
    payload: { server: FUZZ_SERVER, host: { architecture: 'x64' }, collectedAt: new Date().toISOString() },
  });
  await eventually(
    async () => (await server.inventory.get(FUZZ_NAME)) !== undefined,
    5000,
    'fuzzer reported',
  );
  otherCredential = await enrolAgent(server, OTHER_NAME);
  targets = { rolloutId: await createRollout(server, {}, { names: [FUZZ_NAME] }), server: FUZZ_NAME };
});

afterAll(async () => {
  console.log(tally.summary('bad-input'));
  console.log(`bad-input refusals by code: ${tally.codeSummary()}`);
  agent?.close();
  await server?.close();
});

async function quietSince(before: Awaited<ReturnType<typeof snapshotRedis>>): Promise<void> {
  expect(snapshotChanges(before, await snapshotRedis(server.redis, server.prefix), mayChange)).toEqual([]);
}

/** The server answers REST, still holds the fuzzer's report, and the fuzzer's connection is open. */
async function stillUp(): Promise<void> {
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  const detail = await api(server, 'GET', `/api/v1/servers/${FUZZ_NAME}`, server.admin);
  expect(detail.status).toBe(200);
  expect(detail.body).toMatchObject({ name: FUZZ_NAME, build: FUZZ_SERVER.build, online: true });
  expect(agent.socket.readyState).toBe(agent.socket.OPEN);
}

/** Sends a frame and returns the ERROR it was answered with. */
async function refusal(peer: RawAgent, frame: string): Promise<{ code: string; message: string }> {
  peer.send(frame);
  return (await peer.next('ERROR', 5000)).payload;
}

function judged(ok: boolean, code: string): boolean {
  if (ok) tally.refused(code);
  else tally.wronglyAccepted();
  return ok;
}

describe('agent messages', () => {
  it.each(MESSAGE_TYPES)(
    'refuses malformed %s messages with a protocol ERROR and writes nothing',
    async (type) => {
      const before = await snapshotRedis(server.redis, server.prefix);
      const malformed = fc.oneof(
        { weight: 3, arbitrary: mutation(MESSAGE_SCHEMAS[type], VALID_MESSAGES[type]) },
        { weight: 1, arbitrary: fc.jsonValue().map((payload) => ({ version: 1, type, payload }) as Json) },
      );
      await fc.assert(
        fc.asyncProperty(malformed, async (message) => {
          const frame = JSON.stringify(message);
          if (documentedMessage(frame)) return void tally.validByChance++;
          const error = await refusal(agent, frame);
          return judged(PROTOCOL_CODES.includes(error.code) && error.message.length > 0, error.code);
        }),
        { seed: FUZZ_SEED, numRuns: RUNS },
      );
      await quietSince(before);
      await stillUp();
    },
  );

  it.each(MESSAGE_TYPES.filter((type) => WRONG_MESSAGES[type]))(
    'refuses well-formed %s messages that are wrong for this agent, and writes nothing',
    async (type) => {
      const wrong = WRONG_MESSAGES[type];
      if (!wrong) throw new Error(`no wrong ${type}`);
      const before = await snapshotRedis(server.redis, server.prefix);
      await fc.assert(
        fc.asyncProperty(wrong, async ({ message, code }) => {
          const frame = JSON.stringify(message);
          expect(documentedMessage(frame)).toBe(true);
          const error = await refusal(agent, frame);
          return judged(error.code === code, error.code);
        }),
        { seed: FUZZ_SEED, numRuns: WRONG_RUNS },
      );
      await quietSince(before);
      await stillUp();
    },
  );

  it('refuses arbitrary frames (any JSON, any text) with a protocol ERROR', async () => {
    const before = await snapshotRedis(server.redis, server.prefix);
    const frames = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(frames, async (frame) => {
        if (documentedMessage(frame)) return void tally.validByChance++;
        const error = await refusal(agent, frame);
        return judged(PROTOCOL_CODES.includes(error.code), error.code);
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    await quietSince(before);
    await stillUp();
  });

  it('refuses every message but HELLO before HELLO, and writes nothing', async () => {
    const peer = await RawAgent.connect(server.wsUrl, otherCredential);
    const before = await snapshotRedis(server.redis, server.prefix);
    const early = fc.oneof(
      fc.constantFrom(
        ...MESSAGE_TYPES.filter((type) => type !== 'HELLO').map((type) => VALID_MESSAGES[type]),
      ),
      ...Object.entries(WRONG_MESSAGES)
        .filter(([type]) => type !== 'HELLO')
        .map(([, wrong]) => (wrong as NonNullable<typeof wrong>).map(({ message }) => message)),
    );
    await fc.assert(
      fc.asyncProperty(early, async (message) => {
        const error = await refusal(peer, JSON.stringify(message));
        return judged(error.code === 'PROTOCOL_HELLO_REQUIRED', error.code);
      }),
      { seed: FUZZ_SEED, numRuns: WRONG_RUNS },
    );
    peer.close();
    expect((await peer.closed).code).toBe(1000);
    await quietSince(before);
    await stillUp();
  });
});

// The HTTP method of a route as Fastify names it: `PUT /api/v1/servers/:name/internet-facing`.
const methodOf = (route: string) => route.split(' ')[0] ?? 'POST';

describe('REST bodies', () => {
  it('has a fuzz case, and a body schema, for every route that takes a body', () => {
    const routes = bodyRoutes(server.app);
    expect(routes.length).toBeGreaterThanOrEqual(9);
    expect(routes).toEqual(Object.keys(ROUTE_CASES).sort());
    for (const route of routes) expect(bodySchema(server.app, route), route).toBeDefined();
    for (const route of routes) expect(documentedBodySchema(route), route).toBeDefined();
  });

  it.each(Object.keys(ROUTE_CASES))(
    'refuses malformed bodies on %s with a 400 and writes nothing',
    async (route) => {
      const routeCase = ROUTE_CASES[route];
      const judge = documentedBodySchema(route);
      if (!routeCase || !judge) throw new Error(`no case or documented schema for ${route}`);
      expect(passes(judge, routeCase.valid), `the valid example of ${route}`).toBe(true);
      const path = routeCase.path(targets);
      const before = await snapshotRedis(server.redis, server.prefix);
      const bodies = fc.oneof(
        { weight: 4, arbitrary: mutation(judge, routeCase.valid) },
        { weight: 1, arbitrary: fc.jsonValue() as fc.Arbitrary<Json> },
      );
      await fc.assert(
        fc.asyncProperty(bodies, async (body) => {
          if (passes(judge, body)) return void tally.validByChance++;
          const response = await api(server, methodOf(route), path, server.admin, body);
          const code = String(response.body?.code);
          return judged(response.status === 400 && /^(SRV_ERR|CORE_ERR|FST_ERR)_[A-Z_]+$/.test(code), code);
        }),
        { seed: FUZZ_SEED, numRuns: RUNS },
      );
      await quietSince(before);
      await stillUp();
    },
  );

  it.each(Object.keys(ROUTE_CASES))(
    'refuses well-formed bodies that are wrong for the state on %s, and writes nothing',
    async (route) => {
      const routeCase = ROUTE_CASES[route];
      if (!routeCase) throw new Error(`no case for ${route}`);
      if (!routeCase.wrong) return void expect(routeCase.noWrong).toBeTruthy();
      const before = await snapshotRedis(server.redis, server.prefix);
      await fc.assert(
        fc.asyncProperty(routeCase.wrong(targets), async ({ path, body }) => {
          const response = await api(server, methodOf(route), path, server.admin, body);
          const code = String(response.body?.code);
          return judged(
            response.status >= 400 && response.status < 500 && (routeCase.wrongCodes ?? []).includes(code),
            code,
          );
        }),
        { seed: FUZZ_SEED, numRuns: WRONG_RUNS },
      );
      await quietSince(before);
      await stillUp();
    },
  );
});

describe('hand-picked nasties', () => {
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  const unpolluted = () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  };
  const refusedFrame = async (peer: RawAgent, frame: string | Buffer, codes: readonly string[]) => {
    if (typeof frame === 'string') peer.send(frame);
    else peer.socket.send(frame, { binary: true });
    const error = (await peer.next('ERROR', 10_000)).payload;
    expect(judged(codes.includes(error.code), error.code), `${error.code}: ${error.message}`).toBe(true);
  };

  it('closes a connection whose frame is over the socket limit (1009), writes nothing, and takes it back', async () => {
    const peer = await RawAgent.connect(server.wsUrl, otherCredential);
    const before = await snapshotRedis(server.redis, server.prefix);
    peer.send(
      JSON.stringify({ version: 1, type: 'HEARTBEAT', payload: { sentAt: 'x'.repeat(MAX_FRAME_CHARS * 2) } }),
    );
    expect(judged((await peer.closed).code === 1009, 'close 1009')).toBe(true);
    await quietSince(before);
    await stillUp();
    const again = await RawAgent.connect(server.wsUrl, otherCredential);
    expect((await again.hello(OTHER_NAME)).payload.name).toBe(OTHER_NAME);
    again.close();
  });

  it('refuses frames that are too large, too deep, binary or not JSON with an ERROR, and writes nothing', async () => {
    const before = await snapshotRedis(server.redis, server.prefix);
    const heartbeat = (sentAt: string) =>
      JSON.stringify({ version: 1, type: 'HEARTBEAT', payload: { sentAt } });
    await refusedFrame(agent, heartbeat('x'.repeat(MAX_FRAME_CHARS)), ['PROTOCOL_TOO_LARGE']);
    for (const depth of [1_000, 100_000]) {
      await refusedFrame(agent, deepJson(depth), ['PROTOCOL_VERSION_UNSUPPORTED']);
      const deep = `{"version":1,"type":"INVENTORY","payload":{"server":${deepJson(depth)},"host":{},"collectedAt":"x"}}`;
      await refusedFrame(agent, deep, ['PROTOCOL_INVALID_MESSAGE']);
      const nested = `{"version":1,"type":"STEP_RESULT","payload":{"details":{"removed":${deepJson(depth)}}}}`;
      await refusedFrame(agent, nested, ['PROTOCOL_INVALID_MESSAGE']);
    }
    await refusedFrame(agent, Buffer.from(heartbeat(new Date().toISOString())), ['PROTOCOL_INVALID_JSON']);
    for (const text of ['', '{', 'null', '[]', '"HELLO"', '{"version":1}', '\u0000', '\uFEFF{}'])
      await refusedFrame(agent, text, PROTOCOL_CODES);
    await quietSince(before);
    await stillUp();
  });

  it('refuses names with NUL, control, bidi, look-alike or non-ASCII characters, or that Windows refuses, in HELLO and INVENTORY', async () => {
    const peer = await RawAgent.connect(server.wsUrl, otherCredential);
    const before = await snapshotRedis(server.redis, server.prefix);
    for (const name of [...NASTY_STRINGS, ...WINDOWS_REFUSES].filter(
      (s) => computerNameProblem(s) !== undefined,
    )) {
      const hello = { version: 1, type: 'HELLO', payload: { name, agentVersion: 't', driver: 'simulated' } };
      await refusedFrame(peer, JSON.stringify(hello), ['PROTOCOL_INVALID_MESSAGE']);
      const inventory = {
        version: 1,
        type: 'INVENTORY',
        payload: { server: { ...FUZZ_SERVER, name }, host: {}, collectedAt: new Date().toISOString() },
      };
      await refusedFrame(agent, JSON.stringify(inventory), ['PROTOCOL_INVALID_MESSAGE']);
    }
    peer.send({
      version: 1,
      type: 'HELLO',
      payload: { name: '2007', agentVersion: 't', driver: 'simulated' },
    });
    expect((await peer.next('ERROR')).payload.message).toBe(
      'HELLO payload.name: must be a Windows computer name: 1-15 letters, digits or hyphens, not all digits: Windows refuses a numeric computer name (got "2007")',
    );
    peer.close();
    await peer.closed;
    await quietSince(before);
    await stillUp();
  });

  it('refuses __proto__, constructor and prototype keys at every level of a frame, and pollutes nothing', async () => {
    const before = await snapshotRedis(server.redis, server.prefix);
    const sentAt = JSON.stringify(new Date().toISOString());
    for (const key of POLLUTING_KEYS) {
      const poison = `"${key}":{"polluted":1,"prototype":{"polluted":1}}`;
      await refusedFrame(agent, `{"version":1,"type":"HEARTBEAT","payload":{"sentAt":${sentAt}},${poison}}`, [
        'PROTOCOL_INVALID_MESSAGE',
      ]);
      await refusedFrame(agent, `{"version":1,"type":"HEARTBEAT","payload":{"sentAt":${sentAt},${poison}}}`, [
        'PROTOCOL_INVALID_MESSAGE',
      ]);
      const server = `{"name":"${FUZZ_NAME}","build":"8.1.311.3","roles":["HubTransport"],${poison}}`;
      await refusedFrame(
        agent,
        `{"version":1,"type":"INVENTORY","payload":{"server":${server},"host":{},"collectedAt":${sentAt}}}`,
        ['PROTOCOL_INVALID_MESSAGE'],
      );
    }
    unpolluted();
    await quietSince(before);
    await stillUp();
  });

  it('keeps one server per name, compared case-insensitively: enrolment and reports under another case are refused', async () => {
    const token = await api(server, 'POST', '/api/v1/enrolment-tokens', server.admin, { uses: 2 });
    const peer = await RawAgent.connect(server.wsUrl, otherCredential);
    await peer.hello(OTHER_NAME);
    const before = await snapshotRedis(server.redis, server.prefix);
    for (const name of [FUZZ_NAME.toLowerCase(), 'Fuzz01', 'fUZZ01']) {
      const enrolled = await api(server, 'POST', '/agent/v1/enrol', undefined, {
        token: token.body.token,
        name,
      });
      expect(judged(enrolled.status === 409, String(enrolled.body.code))).toBe(true);
      expect(enrolled.body.code).toBe('SRV_ERR_ENROL_NAME_TAKEN');
    }
    await quietSince(before);
    peer.send({
      version: 1,
      type: 'INVENTORY',
      payload: {
        server: { ...FUZZ_SERVER, name: FUZZ_NAME.toLowerCase(), build: '8.1.340.1' },
        host: {},
        collectedAt: new Date().toISOString(),
      },
    });
    const error = await peer.next('ERROR');
    expect(judged(error.payload.code === 'AUTH_NAME_MISMATCH', error.payload.code)).toBe(true);
    expect((await peer.closed).code).toBe(4003);
    // Closing marks the impostor's own server offline; nothing else may change.
    const liveness = (key: string, field?: string) =>
      mayChange(key) ||
      key === 'lastseen' ||
      (key === `server:${OTHER_NAME.toLowerCase()}` && field === 'online');
    expect(snapshotChanges(before, await snapshotRedis(server.redis, server.prefix), liveness)).toEqual([]);
    const listed = await api(server, 'GET', '/api/v1/servers', server.admin);
    expect(listed.body).toMatchObject({ total: 1, servers: [{ name: FUZZ_NAME, build: FUZZ_SERVER.build }] });
    await stillUp();
  });

  it('refuses REST bodies that are huge, deep, not JSON or of another media type with a 4xx and a code', async () => {
    const before = await snapshotRedis(server.redis, server.prefix);
    for (const route of Object.keys(ROUTE_CASES)) {
      const url = `${server.url}${ROUTE_CASES[route]?.path(targets)}`;
      const send = async (
        body: string,
        status: number,
        codes: readonly string[],
        contentType = 'application/json',
      ) => {
        const response = await rawRequest(url, {
          method: methodOf(route),
          token: server.admin,
          body,
          contentType,
        });
        const code = String(response.body?.code);
        expect(
          judged(response.status === status && codes.includes(code), code),
          `${route} ${body.slice(0, 40)}: ${response.status} ${code}`,
        ).toBe(true);
      };
      await send(`{"reason":"${'x'.repeat(1_100_000)}"}`, 413, ['FST_ERR_CTP_BODY_TOO_LARGE']);
      await send(deepJson(200_000), 400, ['SRV_ERR_VALIDATION']);
      await send(`{"reason":${deepJson(200_000)},"token":${deepJson(10)}}`, 400, ['SRV_ERR_VALIDATION']);
      for (const text of ['{', '{"a":1,}', "{'a':1}", 'undefined', '\u0000{}', '{"a":1}{"b":2}'])
        await send(text, 400, ['FST_ERR_CTP_INVALID_JSON_BODY']);
      await send('', 400, ['FST_ERR_CTP_EMPTY_JSON_BODY']);
      await send('reason=x', 415, ['FST_ERR_CTP_INVALID_MEDIA_TYPE'], 'application/x-www-form-urlencoded');
      // Fastify reads text/plain as a string, which no body schema takes.
      await send('{}', 400, ['SRV_ERR_VALIDATION'], 'text/plain');
    }
    const deepPolicy = `{"policy":{"packageSha256":{"x64":"${'a'.repeat(64)}"},"extra":${deepJson(200_000)}}}`;
    const response = await rawRequest(`${server.url}/api/v1/rollouts`, {
      method: 'POST',
      token: server.admin,
      body: deepPolicy,
      contentType: 'application/json',
    });
    expect(judged(response.status === 400, String(response.body?.code)), JSON.stringify(response.body)).toBe(
      true,
    );
    await quietSince(before);
    await stillUp();
  });

  it('refuses __proto__, constructor and prototype keys in REST bodies, and pollutes nothing', async () => {
    const before = await snapshotRedis(server.redis, server.prefix);
    for (const route of Object.keys(ROUTE_CASES)) {
      const url = `${server.url}${ROUTE_CASES[route]?.path(targets)}`;
      const valid = JSON.stringify(ROUTE_CASES[route]?.valid).slice(1, -1);
      for (const key of POLLUTING_KEYS)
        for (const body of [
          `{${valid},"${key}":{"polluted":1,"role":"admin"}}`,
          `{${valid},"${key}":{"prototype":{"polluted":1}}}`,
          `{"${key}":{"polluted":1},${valid}}`,
        ]) {
          const response = await rawRequest(url, {
            method: methodOf(route),
            token: server.admin,
            body,
            contentType: 'application/json',
          });
          const code = String(response.body?.code);
          expect(
            judged(
              response.status === 400 &&
                ['SRV_ERR_VALIDATION', 'FST_ERR_CTP_INVALID_JSON_BODY'].includes(code),
              code,
            ),
            `${route} ${body.slice(-60)}: ${response.status} ${code}`,
          ).toBe(true);
        }
    }
    unpolluted();
    await quietSince(before);
    await stillUp();
  });

  it('refuses a REST body or a frame that repeats a key at any level, rather than letting the last one win', async () => {
    const before = await snapshotRedis(server.redis, server.prefix);
    for (const route of Object.keys(ROUTE_CASES)) {
      const url = `${server.url}${ROUTE_CASES[route]?.path(targets)}`;
      const valid = JSON.stringify(ROUTE_CASES[route]?.valid).slice(1, -1);
      for (const body of [
        `{${valid},${valid}}`,
        `{${valid},"x":{"a":1,"a":2}}`,
        '{"a":[{"\\u0061":1,"a":2}]}',
      ]) {
        const response = await rawRequest(url, {
          method: 'POST',
          token: server.admin,
          body,
          contentType: 'application/json',
        });
        const code = String(response.body?.code);
        expect(
          judged(response.status === 400 && code === 'SRV_ERR_VALIDATION', code),
          `${route} ${body.slice(0, 60)}: ${response.status} ${code}`,
        ).toBe(true);
        expect(String(response.body?.message)).toContain('twice');
      }
    }
    const escalate = await rawRequest(`${server.url}/api/v1/tokens`, {
      method: 'POST',
      token: server.admin,
      body: '{"name":"noc","role":"viewer","role":"admin"}',
      contentType: 'application/json',
    });
    expect(judged(escalate.status === 400, String(escalate.body?.code))).toBe(true);
    const sentAt = JSON.stringify(new Date().toISOString());
    await refusedFrame(
      agent,
      `{"version":1,"type":"HEARTBEAT","payload":{"sentAt":${sentAt},"sentAt":${sentAt}}}`,
      ['PROTOCOL_INVALID_JSON'],
    );
    const twice = `{"name":"${FUZZ_NAME}","build":"8.1.340.1","build":"8.1.311.3","roles":["HubTransport"]}`;
    await refusedFrame(
      agent,
      `{"version":1,"type":"INVENTORY","payload":{"server":${twice},"host":{},"collectedAt":${sentAt}}}`,
      ['PROTOCOL_INVALID_JSON'],
    );
    await quietSince(before);
    await stillUp();
  });

  it('refuses wrong types, and unicode, control and bidi characters in names, naming the field', async () => {
    const before = await snapshotRedis(server.redis, server.prefix);
    const cases: [string, Json, string][] = [
      ['/api/v1/enrolment-tokens', { uses: '5' }, 'body/uses'],
      ['/api/v1/enrolment-tokens', { ttlSeconds: 600.5 }, 'body/ttlSeconds'],
      ['/api/v1/enrolment-tokens', { reenrol: 'true' }, 'body/reenrol'],
      ['/api/v1/enrolment-tokens', { reenrol: 1 }, 'body/reenrol'],
      ['/api/v1/enrolment-tokens', { uses: 1, scope: 'all' }, '"scope"'],
      ['/api/v1/tokens', { name: 123, role: 'viewer' }, 'body/name'],
      ['/api/v1/tokens', { name: 'noc', role: ['admin'] }, 'body/role'],
      ['/api/v1/tokens', { name: 'noc', role: 'Admin' }, 'body/role'],
      ['/api/v1/plans', { selection: { names: 'FUZZ01' } }, 'body/selection/names'],
      ['/api/v1/rollouts', { policy: [] }, 'body/policy'],
      [
        '/api/v1/rollouts',
        { policy: { packageSha256: { x64: SHA }, concurrency: '2' } },
        'policy.concurrency',
      ],
    ];
    for (const name of [...NASTY_STRINGS, ...WINDOWS_REFUSES].filter(
      (s) => s !== '' && computerNameProblem(s) !== undefined,
    )) {
      cases.push(['/agent/v1/enrol', { token: 'exe_x', name }, 'body/name']);
      cases.push(['/api/v1/plans', { selection: { names: [name] } }, 'body/selection/names/0']);
    }
    for (const name of [
      'noc\u0000',
      'noc\r\nrole: admin',
      '\u202Eadmin',
      'ad\u200Fmin',
      '\u2066x\u2069',
      '\u0085',
    ])
      cases.push(['/api/v1/tokens', { name, role: 'viewer' }, 'body/name']);
    for (const [path, body, field] of cases) {
      const response = await api(server, 'POST', path, server.admin, body);
      const code = String(response.body.code);
      expect(
        judged(response.status === 400 && code === 'SRV_ERR_VALIDATION', code),
        JSON.stringify(body),
      ).toBe(true);
      expect(String(response.body.message)).toContain(field);
    }
    await quietSince(before);
    await stillUp();
  });
});
