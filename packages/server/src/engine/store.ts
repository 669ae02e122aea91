import { type RolloutPlan, RolloutPolicy, type ServerState } from '@exrollout/core';
import type { ChainableCommander, Redis } from 'ioredis';
import Value from 'typebox/value';
import type { RedisKeys } from '../redis-keys.js';
import { AuditTrail, DEFAULT_EVENTS_MAX } from './audit-trail.js';
import type { OutstandingCommand, RolloutEvent, RolloutMeta, ServerRun } from './model.js';

/** Changes to one rollout that must land together, in one MULTI. */
export interface RolloutChanges {
  readonly meta?: Partial<Omit<RolloutMeta, 'id' | 'plan' | 'policy' | 'createdAt' | 'createdBy' | 'update'>>;
  readonly runs?: readonly ServerRun[];
  readonly events?: readonly Omit<RolloutEvent, 'id'>[];
  readonly doneCommands?: readonly string[];
  /** Set (or clear, with `command: null`) the command outstanding for an agent. */
  readonly agentCommands?: readonly {
    readonly server: string;
    readonly command: OutstandingCommand | null;
  }[];
}

/** The rollout hash's field that every commit increments, so that a cache can tell it is still current. */
const VERSION = 'version';
const META_FIELDS = [
  'id',
  'update',
  'state',
  'policy',
  'createdAt',
  'createdBy',
  'currentWave',
  'approvedWave',
  'previousWaveCompletedAt',
  'reason',
  'failed',
  'updatedAt',
  'kind',
  'parentId',
  'rollbackId',
  'stateBeforeRollback',
  'scope',
] as const;

/** Rollouts in Redis: the record, each server's run, wave state indexes, outstanding commands and the audit stream. */
export class RolloutStore {
  private readonly plans = new Map<string, RolloutPlan>();
  /** The rollouts' audit trails. */
  readonly trail: AuditTrail;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    eventsMax = DEFAULT_EVENTS_MAX,
  ) {
    this.trail = new AuditTrail(redis, keys, eventsMax);
  }

  /** Stores a new rollout with every server pending. */
  async create(
    meta: RolloutMeta,
    runs: readonly ServerRun[],
    event: Omit<RolloutEvent, 'id'>,
  ): Promise<void> {
    const multi = this.redis
      .multi()
      .hset(this.keys.rollout(meta.id), serialiseMeta(meta))
      .zadd(this.keys.rollouts, Date.parse(meta.createdAt), meta.id);
    for (const run of runs) this.writeRun(multi, meta.id, run);
    this.trail.append(multi, meta.id, [event]);
    await multi.exec();
    this.plans.set(meta.id, meta.plan);
  }

  /** The rollout's record without its plan, or undefined. */
  async meta(id: string): Promise<Omit<RolloutMeta, 'plan'> | undefined> {
    return (await this.metaWithVersion(id))?.meta;
  }

  /** The rollout's record and its version, which every commit increments; undefined if there is none. */
  async metaWithVersion(
    id: string,
  ): Promise<{ meta: Omit<RolloutMeta, 'plan'>; version: number } | undefined> {
    const values = await this.redis.hmget(this.keys.rollout(id), ...META_FIELDS, VERSION);
    if (values[0] === null) return undefined;
    return { meta: this.parseMeta(id, values), version: Number(values[META_FIELDS.length] ?? 0) };
  }

  private parseMeta(id: string, values: (string | null)[]): Omit<RolloutMeta, 'plan'> {
    const field = (name: (typeof META_FIELDS)[number]) => values[META_FIELDS.indexOf(name)] ?? undefined;
    return {
      id,
      update: field('update') ?? '',
      state: field('state') as RolloutMeta['state'],
      // A rollout stored by an older version lacks the policy fields added since: they take their defaults.
      policy: Value.Default(RolloutPolicy, JSON.parse(field('policy') ?? '{}')) as RolloutPolicy,
      createdAt: field('createdAt') ?? '',
      createdBy: field('createdBy') ?? '',
      currentWave: Number(field('currentWave') ?? 0),
      approvedWave: Number(field('approvedWave') ?? 0),
      ...(field('previousWaveCompletedAt')
        ? { previousWaveCompletedAt: field('previousWaveCompletedAt') }
        : {}),
      ...(field('reason') ? { reason: field('reason') } : {}),
      failed: Number(field('failed') ?? 0),
      updatedAt: field('updatedAt') ?? '',
      ...(field('kind') === 'rollback' ? { kind: 'rollback' as const } : {}),
      ...(field('parentId') ? { parentId: field('parentId') } : {}),
      ...(field('rollbackId') ? { rollbackId: field('rollbackId') } : {}),
      ...(field('stateBeforeRollback')
        ? { stateBeforeRollback: field('stateBeforeRollback') as RolloutMeta['state'] }
        : {}),
      ...(field('scope') ? { scope: field('scope') } : {}),
    };
  }

  /** The plan a rollout keeps (immutable, so cached). */
  async plan(id: string): Promise<RolloutPlan | undefined> {
    const cached = this.plans.get(id);
    if (cached) return cached;
    const text = await this.redis.hget(this.keys.rollout(id), 'plan');
    if (text === null) return undefined;
    const plan = JSON.parse(text) as RolloutPlan;
    this.plans.set(id, plan);
    return plan;
  }

  /** Rollout ids, newest first. */
  async ids(limit = 100): Promise<string[]> {
    return this.redis.zrevrange(this.keys.rollouts, 0, limit - 1);
  }

  /** One server's run. */
  async run(id: string, name: string): Promise<ServerRun | undefined> {
    const text = await this.redis.get(this.keys.run(id, name));
    return text === null ? undefined : (JSON.parse(text) as ServerRun);
  }

  /** Several servers' runs, in the order asked. */
  async runs(id: string, names: readonly string[]): Promise<ServerRun[]> {
    if (names.length === 0) return [];
    const texts = await this.redis.mget(...names.map((name) => this.keys.run(id, name)));
    return texts.filter((text): text is string => text !== null).map((text) => JSON.parse(text) as ServerRun);
  }

  /** Several servers' runs by lower-cased name; a name without a run maps to undefined. */
  async runsByName(id: string, names: readonly string[]): Promise<Map<string, ServerRun | undefined>> {
    if (names.length === 0) return new Map();
    const texts = await this.redis.mget(...names.map((name) => this.keys.run(id, name)));
    return new Map(
      names.map((name, index) => {
        const text = texts[index];
        return [name.toLowerCase(), typeof text === 'string' ? (JSON.parse(text) as ServerRun) : undefined];
      }),
    );
  }

  /** Server name (lower-cased) → state, for one wave. */
  async waveStates(id: string, wave: number): Promise<Map<string, ServerState>> {
    const states = await this.redis.hgetall(this.keys.waveStates(id, wave));
    return new Map(Object.entries(states) as [string, ServerState][]);
  }

  /** The command outstanding for an agent, if any. */
  async agentCommand(server: string): Promise<OutstandingCommand | undefined> {
    const text = await this.redis.get(this.keys.agentCommand(server));
    return text === null ? undefined : (JSON.parse(text) as OutstandingCommand);
  }

  /** True once the result of a command was applied. */
  async isDone(id: string, commandId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.doneCommands(id), commandId)) === 1;
  }

  /** Applies a set of changes atomically; returns the rollout's new version. */
  async commit(id: string, changes: RolloutChanges): Promise<number> {
    const multi = this.redis.multi().hincrby(this.keys.rollout(id), VERSION, 1);
    if (changes.meta)
      multi.hset(
        this.keys.rollout(id),
        serialiseMeta({ ...changes.meta, updatedAt: new Date().toISOString() }),
      );
    for (const run of changes.runs ?? []) this.writeRun(multi, id, run);
    this.trail.append(multi, id, changes.events ?? []);
    if (changes.doneCommands?.length) multi.sadd(this.keys.doneCommands(id), ...changes.doneCommands);
    for (const { server, command } of changes.agentCommands ?? []) {
      if (command) multi.set(this.keys.agentCommand(server), JSON.stringify(command));
      else multi.del(this.keys.agentCommand(server));
    }
    const results = await multi.exec();
    return Number(results?.[0]?.[1] ?? 0);
  }

  private writeRun(multi: ChainableCommander, id: string, run: ServerRun): void {
    multi.set(this.keys.run(id, run.name), JSON.stringify(run));
    multi.hset(this.keys.waveStates(id, run.wave), run.name.toLowerCase(), run.state);
  }
}

function serialiseMeta(meta: Partial<RolloutMeta>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (value === undefined) continue;
    fields[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return fields;
}
