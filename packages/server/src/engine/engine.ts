import { randomBytes } from 'node:crypto';
import {
  type AgentMessage,
  ENDED_ROLLOUT_STATES,
  findUpdate,
  type PlanSelection,
  PROTOCOL_VERSION,
  planRollout,
  type ServerMessage,
  type ServerState,
} from '@exrollout/core';
import type { Redis } from 'ioredis';
import type { Bus } from '../bus.js';
import { notFound, ServerError } from '../errors.js';
import type { CommandSink } from '../gateway/connection.js';
import type { Logger } from '../logger.js';
import type { RedisKeys } from '../redis-keys.js';
import type { InventoryStore } from '../stores/inventory-store.js';
import { applyAction, applyServerAction, type RolloutAction, type ServerAction } from './actions.js';
import { RolloutArchive } from './archive.js';
import { archiveRollout } from './archiver.js';
import { type BatchItem, RolloutBatcher } from './batcher.js';
import { rolloutOfCommand } from './commands.js';
import { dispatch } from './dispatcher.js';
import { type JobData, jobIdFor } from './jobs.js';
import { withLock } from './lock.js';
import type { OutstandingCommand, RolloutMeta, ServerRun } from './model.js';
import { parsePolicy } from './policy.js';
import { notePresence, type PresenceChange } from './presence.js';
import type { JobQueue } from './queue.js';
import { readAhead, runOf } from './reads.js';
import { applyResult, RESULT_REFUSED, watchCommand } from './results.js';
import { planRollback, type RollbackScope, scopeLabel } from './rollback.js';
import { resumeStep } from './steps.js';
import { type RolloutChanges, RolloutStore } from './store.js';
import { checkConfirming } from './verification.js';
import { type RolloutView, rolloutView } from './views.js';
import { type Delivery, Work } from './work.js';

/** What the engine needs. */
export interface EngineDeps {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly inventory: InventoryStore;
  readonly bus: Bus;
  readonly queue: JobQueue;
  readonly logger: Logger;
  /** Audit events kept per rollout; 0 keeps every one. @default 0 */
  readonly eventsMax?: number;
  /**
   * Sends a message to an agent connected to this instance; false when it is not here (then the bus carries it
   * to whichever instance holds it). Saves the Redis round trip on every step of a single-instance fleet.
   */
  readonly deliverLocally?: (agent: string, message: ServerMessage) => boolean;
}

/** What creating a rollout takes. */
export interface CreateRollout {
  readonly update?: string;
  readonly selection?: PlanSelection;
  readonly policy: unknown;
}

const TERMINAL = new Set<string>(ENDED_ROLLOUT_STATES);

const archived = (id: string) =>
  new ServerError('SRV_ERR_ROLLOUT_ARCHIVED', 409, `rollout ${id} is archived: it can be read, not changed`);

/** Runs rollouts: operator actions, the dispatcher, step results and command watches, all under a per-rollout lock. */
export class RolloutEngine implements CommandSink {
  readonly store: RolloutStore;
  /** Finished rollouts kept as one compressed record each. */
  readonly archive: RolloutArchive;
  private readonly batcher: RolloutBatcher<Work>;
  // The current wave's server states as this instance last committed them, with the rollout's version then: a
  // wave of 9,000 servers costs about 20 ms to read back from Redis, on every batch.
  private readonly waveStates = new Map<
    string,
    { version: number; wave: number; states: Map<string, ServerState> }
  >();

  constructor(private readonly deps: EngineDeps) {
    this.store = new RolloutStore(deps.redis, deps.keys, deps.eventsMax);
    this.archive = new RolloutArchive(deps.redis, deps.keys);
    this.batcher = new RolloutBatcher((id, items) => this.runLocked(id, items));
  }

  /** Starts processing this instance's share of the engine's jobs. */
  start(): void {
    this.deps.queue.start({
      tick: (data) => this.shared(data.rolloutId, async () => undefined),
      confirm: (data) =>
        this.shared(
          data.rolloutId,
          async (work) =>
            checkConfirming(
              work,
              await this.currentRun(work, data.server),
              data,
              this.deps.inventory,
              this.store,
            ),
          { server: data.server },
        ),
      result: (data) => this.applyResultData(data),
      resume: (data) =>
        this.shared(
          data.rolloutId,
          async (work) =>
            resumeStep(work, await this.currentRun(work, data.server), data, this.deps.inventory, this.store),
          { server: data.server },
        ),
      watch: async (data) => {
        // Most watches fire after their step is done: a read without the lock lets those go at once.
        if ((await this.store.run(data.rolloutId, data.server))?.commandId !== data.commandId) return;
        await this.shared(
          data.rolloutId,
          async (work) =>
            watchCommand(
              work,
              await this.currentRun(work, data.server),
              data,
              this.deps.inventory,
              this.store,
            ),
          { server: data.server },
        );
      },
    });
  }

  /** Resolves once every change this instance was asked to make has been committed or has failed. */
  idle(): Promise<void> {
    return this.batcher.idle();
  }

  /** Plans and stores a rollout; nothing runs until it is started. */
  async create(input: CreateRollout, actor: string): Promise<RolloutView> {
    const update = findUpdate(input.update ?? 'KB959241');
    const policy = parsePolicy(input.policy);
    const { inventory, pins } = await this.deps.inventory.planInput();
    const plan = planRollout(inventory, update, input.selection ? { selection: input.selection } : {}, pins);
    await this.refuseOverlap(plan.waves.flatMap((wave) => wave.servers.map((server) => server.name)));
    const meta = newRolloutMeta({ update: update.id, state: 'created', policy, plan, createdBy: actor });
    const { id, createdAt: now } = meta;
    const runs: ServerRun[] = plan.waves.flatMap((wave, index) =>
      wave.servers.map((server) => ({
        name: server.name,
        wave: index,
        waveName: wave.name,
        ...(server.cluster ? { cluster: server.cluster } : {}),
        // Packages from the store are staged first: downloaded, verified, before anything touches the server.
        steps: policy.packageBytes ? ['stage' as const, ...server.steps] : server.steps,
        fromBuild: server.from,
        state: 'pending' as const,
        stepIndex: 0,
        attempt: 1,
      })),
    );
    const planned = runs.length;
    await this.store.create(meta, runs, {
      at: now,
      actor,
      type: 'rollout.created',
      message: `created for ${update.id}: ${planned} servers in ${plan.waves.length} waves, ${plan.skipped.length} skipped, ${plan.excluded.length} excluded`,
      data: { selection: input.selection ?? null },
    });
    this.deps.logger.info({ rollout: id, planned, actor }, 'rollout created');
    return this.view(id);
  }

  /** The rollout as the API shows it. */
  async view(id: string): Promise<RolloutView> {
    const meta = await this.store.meta(id);
    const plan = meta ? await this.store.plan(id) : undefined;
    if (!meta || !plan) {
      const archived = await this.archive.get(id);
      if (archived) return archived.view;
      throw notFound(`rollout ${id}`);
    }
    const runs = await this.store.runs(
      id,
      plan.waves.flatMap((wave) => wave.servers.map((server) => server.name)),
    );
    return rolloutView(meta, plan, runs);
  }

  /**
   * Archives every finished rollout whose state has not changed for `afterMs`: one compressed record replaces its
   * working keys, and `view` and the events routes read it from there. Returns what it archived, with sizes.
   */
  async archiveFinished(afterMs: number, now = new Date()): Promise<{ id: string; bytes: number }[]> {
    const done: { id: string; bytes: number }[] = [];
    for (const id of await this.store.ids(Number.MAX_SAFE_INTEGER)) {
      const meta = await this.store.meta(id);
      if (!meta || !TERMINAL.has(meta.state) || now.getTime() - Date.parse(meta.updatedAt) < afterMs)
        continue;
      const bytes = await withLock(this.deps.redis, this.deps.keys.rolloutLock(id), async (signal) => {
        const current = await this.store.meta(id);
        if (!current || !TERMINAL.has(current.state)) return undefined;
        const view = await this.view(id);
        signal.throwIfAborted();
        return archiveRollout({ ...this.deps, store: this.store, archive: this.archive }, view, now);
      });
      if (bytes !== undefined) done.push({ id, bytes });
    }
    return done;
  }

  /** The newest rollouts, without their servers. */
  async list(limit = 50): Promise<Omit<RolloutView, 'waves'>[]> {
    const ids = await this.store.ids(limit);
    // An archived rollout's summary is kept beside its record: a list need not unzip whole rollouts.
    return Promise.all(
      ids.map(async (id) => {
        const archived = (await this.store.meta(id)) ? undefined : await this.archive.summary(id);
        if (archived) return archived;
        const { waves: _waves, ...summary } = await this.view(id);
        return summary;
      }),
    );
  }

  /** An operator action on the rollout (start, pause, resume, approve, abort). */
  async act(id: string, action: RolloutAction, actor: string, reason?: string): Promise<RolloutView> {
    const meta = await this.store.meta(id);
    // While a rollout is being rolled back, pause, resume and abort act on its rollback.
    if (meta?.state === 'rolling-back' && meta.rollbackId && ['pause', 'resume', 'abort'].includes(action)) {
      await this.act(meta.rollbackId, action, actor, reason);
      return this.view(id);
    }
    await this.exclusive(
      id,
      async (work) => applyAction(work, action, actor, reason),
      (work) => {
        // Resuming a rollout whose failure budget is still spent would only halt it again.
        if (action === 'resume' && work.meta.state === 'halted')
          throw new ServerError(
            'SRV_ERR_ROLLOUT_STATE',
            409,
            `cannot resume: ${work.meta.reason}; retry or skip the failed servers first`,
          );
      },
    );
    return this.view(id);
  }

  /** An operator action on one server (retry, skip). */
  async actOnServer(
    id: string,
    server: string,
    action: ServerAction,
    actor: string,
    reason?: string,
  ): Promise<RolloutView> {
    await this.exclusive(id, async (work) =>
      applyServerAction(work, await this.currentRun(work, server), action, actor, reason),
    );
    return this.view(id);
  }

  /** Rolls back the whole rollout, a wave or one server: a rollback (its own record) runs the undo steps. */
  async rollback(id: string, scope: RollbackScope, actor: string, reason: string): Promise<RolloutView> {
    if (!reason.trim())
      throw new ServerError(
        'SRV_ERR_VALIDATION',
        400,
        'a rollback needs a reason; it is kept in the audit trail',
      );
    let childId = '';
    await this.exclusive(id, async (work) => {
      childId = await this.createRollback(work, scope, actor, reason);
    });
    await this.exclusive(childId, async () => undefined);
    return this.view(id);
  }

  private async createRollback(
    work: Work,
    scope: RollbackScope,
    actor: string,
    reason: string,
  ): Promise<string> {
    const { meta } = work;
    if (meta.kind === 'rollback')
      throw new ServerError(
        'SRV_ERR_ROLLOUT_STATE',
        409,
        `${meta.id} is a rollback; roll back the rollout it undoes (${meta.parentId})`,
      );
    if (meta.state === 'rolling-back')
      throw new ServerError(
        'SRV_ERR_ROLLOUT_STATE',
        409,
        `a rollback is already running: ${meta.rollbackId}`,
      );
    const allowed =
      scope.kind === 'server'
        ? !['created', 'rolled-back'].includes(meta.state)
        : ['halted', 'completed', 'completed-with-failures', 'aborted', 'paused'].includes(meta.state);
    if (!allowed)
      throw new ServerError(
        'SRV_ERR_ROLLOUT_STATE',
        409,
        `cannot roll back ${scope.kind === 'server' ? 'a server of ' : ''}a rollout that is ${meta.state}${scope.kind === 'server' ? '' : '; pause it first'}`,
      );
    const names = work.plan.waves.flatMap((wave) => wave.servers.map((server) => server.name));
    const runs = (await this.store.runs(meta.id, names)).map((run) => work.changedRun(run.name) ?? run);
    if (
      scope.kind === 'server' &&
      runs.find((run) => run.name.toLowerCase() === scope.name.toLowerCase())?.state === 'running'
    )
      throw new ServerError(
        'SRV_ERR_ROLLOUT_STATE',
        409,
        `${scope.name} is still running; wait for it to finish`,
      );
    const undo = planRollback(work.plan, runs, scope);
    const now = work.now.toISOString();
    const label = scopeLabel(scope);
    // A rollback is urgent: no approval gates, no soak, no maintenance windows; the same speed, budget and choreography.
    const policy = {
      ...meta.policy,
      approvalRequired: false,
      soakSeconds: 0,
      maintenanceWindows: [],
      autoRollback: false,
    };
    const child = newRolloutMeta({
      update: meta.update,
      state: 'running',
      policy,
      plan: undo.plan,
      createdBy: actor,
      kind: 'rollback',
      parentId: meta.id,
      scope: label,
    });
    const childId = child.id;
    await this.store.create(child, undo.runs, {
      at: now,
      actor,
      type: 'rollback.created',
      message: `rollback of ${meta.id} (${label}), ${undo.runs.length} servers: ${reason}`,
      data: { reason, scope: label },
    });
    work.setMeta({
      state: 'rolling-back',
      stateBeforeRollback: meta.state,
      rollbackId: childId,
      reason: `rolling back (${label}): ${reason}`,
    });
    work.event(
      actor,
      'rollout.rolling-back',
      `rollback ${childId} of ${label} (${undo.runs.length} servers) started: ${reason}`,
      scope.kind === 'server' ? scope.name : undefined,
      { rollbackId: childId, reason },
    );
    return childId;
  }

  // A rollback reports each server it rolled back, and its own end, to the rollout it undoes, in the same MULTI as
  // its own changes, so that a crash between two writes cannot leave them disagreeing (lock order: child, then parent).
  private async commitWithParent(child: Work, signal: AbortSignal): Promise<number> {
    const parentId = child.meta.parentId;
    const rolledBack = [...child.runs.values()].filter((run) => run.state === 'rolled-back');
    const ended = ['completed', 'completed-with-failures', 'aborted'].includes(child.meta.state);
    if (child.meta.kind !== 'rollback' || !parentId || (rolledBack.length === 0 && !ended))
      return this.store.commit(child.meta.id, child.changes());
    return withLock(this.deps.redis, this.deps.keys.rolloutLock(parentId), async (parentSignal) => {
      const parent = await this.store.meta(parentId);
      const linked = parent
        ? [{ id: parentId, changes: await this.parentChanges(parent, child, rolledBack, ended) }]
        : [];
      signal.throwIfAborted();
      parentSignal.throwIfAborted();
      return this.store.commit(child.meta.id, child.changes(), linked);
    });
  }

  private async parentChanges(
    parent: Omit<RolloutMeta, 'plan'>,
    child: Work,
    rolledBack: readonly ServerRun[],
    ended: boolean,
  ): Promise<RolloutChanges> {
    const runs = await this.store.runs(
      parent.id,
      rolledBack.map((run) => run.name),
    );
    const at = child.now.toISOString();
    const changes = {
      runs: runs.map((run) => {
        const { error: _e, ...rest } = run;
        const done = rolledBack.find((r) => r.name === run.name);
        return {
          ...rest,
          state: 'rolled-back' as const,
          finishedAt: at,
          ...(done?.toBuild ? { toBuild: done.toBuild } : {}),
        };
      }),
      events: rolledBack.map((run) => ({
        at,
        actor: 'exrollout',
        type: 'server.rolled-back',
        message: `${run.name} is back on ${run.toBuild ?? run.targetBuild} (rollback ${child.meta.id})`,
        server: run.name,
      })),
      ...(ended && parent.state === 'rolling-back' && parent.rollbackId === child.meta.id
        ? { meta: this.parentAfterRollback(parent, child) }
        : {}),
    };
    if (changes.meta)
      changes.events.push({
        at,
        actor: 'exrollout',
        type: 'rollout.rollback-ended',
        message: String(changes.meta.reason),
        server: '',
      });
    return changes;
  }

  private parentAfterRollback(parent: Omit<RolloutMeta, 'plan'>, child: Work) {
    const whole = child.meta.scope === 'all' && child.meta.state === 'completed';
    const failed = child.meta.failed;
    const state = whole && failed === 0 ? ('rolled-back' as const) : (parent.stateBeforeRollback ?? 'halted');
    const ended = child.meta.state === 'completed-with-failures' ? 'completed' : child.meta.state;
    return {
      state,
      reason: `rollback ${child.meta.id} (${child.meta.scope}) ${ended}${failed > 0 ? ` with ${failed} failed` : ''}`,
    };
  }

  /** CommandSink: acknowledgements, progress and results from agents. */
  async handle(
    agent: string,
    message: AgentMessage<'COMMAND_ACK' | 'STEP_PROGRESS' | 'STEP_RESULT'>,
  ): Promise<string | undefined> {
    const { commandId } = message.payload;
    const outstanding = await this.store.agentCommand(agent);
    if (outstanding?.commandId !== commandId)
      return (await this.store.isDone(rolloutOfCommand(commandId), commandId))
        ? undefined
        : 'COMMAND_UNKNOWN';
    if (message.type === 'STEP_RESULT') {
      const { outcome, error, details } = message.payload;
      const data: JobData<'result'> = {
        rolloutId: outstanding.rolloutId,
        server: outstanding.server,
        commandId,
        outcome,
        ...(error ? { error } : {}),
        details,
        finishedAt: message.payload.finishedAt,
      };
      await this.applyResultNow(data);
      return undefined;
    }
    // An ACK or progress changes no server's state: the dispatcher has nothing new to decide.
    await this.shared(
      outstanding.rolloutId,
      async (work) => {
        const run = await this.currentRun(work, outstanding.server);
        if (run?.commandId !== commandId || run.state !== 'running') return;
        if (message.type === 'COMMAND_ACK') {
          if (run.acked) return;
          work.setRun({ ...run, acked: true });
          work.event(
            `agent:${run.name}`,
            'server.step-started',
            `${run.name}: ${outstanding.step} started`,
            run.name,
            { step: outstanding.step },
          );
        } else
          work.setRun({
            ...run,
            progress: {
              message: message.payload.message,
              ...(message.payload.percent !== undefined ? { percent: message.payload.percent } : {}),
            },
          });
      },
      { dispatches: false, server: outstanding.server },
    );
    return undefined;
  }

  /** CommandSink: a STEP_RESULT the gateway refused fails its step at once, if it is the agent's current command. */
  async refused(agent: string, commandId: string, reason: string): Promise<void> {
    const outstanding = await this.store.agentCommand(agent);
    if (outstanding?.commandId !== commandId) return;
    await this.applyResultNow({
      rolloutId: outstanding.rolloutId,
      server: outstanding.server,
      commandId,
      outcome: 'failed',
      error: { code: RESULT_REFUSED, message: `the server refused the agent's result: ${reason}` },
      details: {},
    });
  }

  /** The command an agent should (still) be running, to send it again as it (re)connects; the trail notes it. */
  async agentConnected(agent: string): Promise<ServerMessage | undefined> {
    const command = await this.store.agentCommand(agent);
    if (!command) return undefined;
    // Not awaited: the command goes out at once, the note follows under the rollout's lock.
    void this.notePresence(command, { kind: 'connected' });
    return commandMessage(command);
  }

  /** An agent went offline: the trail of the rollout it runs a step for notes it. */
  async agentDisconnected(agent: string, closeCode: number): Promise<void> {
    const command = await this.store.agentCommand(agent);
    if (command) await this.notePresence(command, { kind: 'disconnected', closeCode });
  }

  private async notePresence(command: OutstandingCommand, change: PresenceChange): Promise<void> {
    try {
      await this.shared(
        command.rolloutId,
        async (work) => notePresence(work, await this.currentRun(work, command.server), command, change),
        { dispatches: false, server: command.server },
      );
    } catch (error) {
      this.deps.logger.warn(
        { err: error, agent: command.server },
        'noting an agent connection change failed',
      );
    }
  }

  // Applied at once, with whatever else waits for the rollout; if that fails (Redis went away), a result job
  // retries it for minutes, and if even that cannot be added, the command's watch asks the agent again.
  private async applyResultNow(data: JobData<'result'>): Promise<void> {
    try {
      await this.applyResultData(data);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, commandId: data.commandId },
        'applying a step result failed; queued to retry',
      );
      await this.deps.queue.add([
        {
          name: 'result',
          data,
          jobId: jobIdFor('result', data.commandId, randomBytes(4).toString('hex')),
          delayMs: 0,
        },
      ]);
    }
  }

  private async applyResultData(data: JobData<'result'>): Promise<void> {
    await this.shared(
      data.rolloutId,
      async (work) => {
        const applied = await applyResult(
          work,
          await this.currentRun(work, data.server),
          data,
          this.deps.inventory,
          this.store,
        );
        if (!applied)
          this.deps.logger.debug(
            { commandId: data.commandId },
            'ignored a result for a command that is not current',
          );
      },
      { server: data.server },
    );
  }

  private currentRun(work: Work, server: string): Promise<ServerRun | undefined> {
    return runOf(work, this.store, server);
  }

  // An agent's message or a job: applied together with the others that queued up for the same rollout.
  private shared(
    id: string,
    change: (work: Work) => Promise<void>,
    options: { dispatches?: boolean; server?: string } = {},
  ): Promise<void> {
    return this.batcher.submit(id, {
      change,
      exclusive: false,
      dispatches: options.dispatches ?? true,
      ...(options.server ? { servers: [options.server] } : {}),
    });
  }

  // An operator's action: applied alone, so that its refusal cannot undo anyone else's change.
  private exclusive(
    id: string,
    change: (work: Work) => Promise<void>,
    verify?: (work: Work) => void,
  ): Promise<void> {
    return this.batcher.submit(id, {
      change,
      exclusive: true,
      dispatches: true,
      ...(verify ? { verify } : {}),
    });
  }

  private async runLocked(id: string, items: readonly BatchItem<Work>[]): Promise<void> {
    const cached = this.waveStates.get(id);
    // Work may change the cached states in place: until its commit succeeds they are no one's.
    this.waveStates.delete(id);
    const work = await withLock(this.deps.redis, this.deps.keys.rolloutLock(id), async (signal) => {
      const loaded = await this.store.metaWithVersion(id);
      const plan = await this.store.plan(id);
      if (!loaded || !plan) throw (await this.archive.get(id)) ? archived(id) : notFound(`rollout ${id}`);
      const { meta, version } = loaded;
      // Still current only if no one (another instance, a rollback's report) committed since.
      const known = new Map(cached?.version === version ? [[cached.wave, cached.states]] : []);
      const current = new Work(meta, plan, findUpdate(meta.update), new Date(), known);
      await readAhead(
        current,
        this.store,
        this.deps.inventory,
        items.flatMap((item) => item.servers ?? []),
      );
      for (const item of items) await item.change(current);
      if (current.meta.state === 'running' && items.some((item) => item.dispatches))
        await dispatch(current, this.store, this.deps.inventory);
      for (const item of items) item.verify?.(current);
      // Jobs first: if the commit then fails they find nothing to do; the other way round, a commit whose jobs
      // were lost (Redis went away in between) would leave a command nobody watches or redelivers.
      // Work that ran out of time writes nothing: the lock may be someone else's by now.
      signal.throwIfAborted();
      await this.deps.queue.add(current.jobs);
      signal.throwIfAborted();
      const committed = await this.commitWithParent(current, signal);
      const wave = current.meta.currentWave;
      const states = current.waveStates(wave);
      if (states && !TERMINAL.has(current.meta.state))
        this.waveStates.set(id, { version: committed, wave, states });
      return current;
    });
    await this.afterCommit(work);
  }

  private async afterCommit(work: Work): Promise<void> {
    await Promise.all(work.deliveries.map((delivery) => this.deliver(delivery)));
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const message: ServerMessage =
      delivery.kind === 'command'
        ? commandMessage(delivery.command)
        : {
            version: PROTOCOL_VERSION,
            type: 'CANCEL',
            payload: { commandId: delivery.commandId, reason: delivery.reason },
          };
    const name = delivery.kind === 'command' ? delivery.command.server : delivery.server;
    if (this.deps.deliverLocally?.(name, message)) return;
    // One connection sends in order, so a CANCEL still goes before the COMMAND that follows it.
    await this.deps.bus.publish({ type: 'agent-message', name, message });
  }

  private async refuseOverlap(names: readonly string[]): Promise<void> {
    const wanted = new Set(names.map((name) => name.toLowerCase()));
    for (const id of await this.store.ids(200)) {
      const meta = await this.store.meta(id);
      const plan = await this.store.plan(id);
      if (!meta || !plan || TERMINAL.has(meta.state)) continue;
      const overlap = plan.waves
        .flatMap((wave) => wave.servers.map((server) => server.name))
        .filter((name) => wanted.has(name.toLowerCase()));
      if (overlap.length > 0)
        throw new ServerError(
          'SRV_ERR_ROLLOUT_OVERLAP',
          409,
          `rollout ${id} (${meta.state}) already covers ${overlap.slice(0, 10).join(', ')}${overlap.length > 10 ? ', ...' : ''}; finish or abort it first`,
        );
    }
  }
}

function commandMessage(command: OutstandingCommand): ServerMessage {
  return {
    version: PROTOCOL_VERSION,
    type: 'COMMAND',
    payload: {
      commandId: command.commandId,
      rolloutId: command.rolloutId,
      step: command.step,
      args: command.args,
    },
  };
}

/** A new rollout (or rollback) record with a fresh id, at its first wave, nothing failed yet. */
function newRolloutMeta(
  fields: Pick<RolloutMeta, 'update' | 'state' | 'policy' | 'plan' | 'createdBy'> & Partial<RolloutMeta>,
): RolloutMeta {
  const now = new Date().toISOString();
  return {
    id: `r-${randomBytes(5).toString('hex')}`,
    createdAt: now,
    updatedAt: now,
    currentWave: 0,
    approvedWave: 0,
    failed: 0,
    ...fields,
  };
}
