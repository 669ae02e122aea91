import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import Value from 'typebox/value';
import { ServerError } from '../errors.js';
import type { Logger } from '../logger.js';
import { BLOCKING } from '../redis.js';
import { JOBS, type JobData, type JobName, ROLLOUT_QUEUE } from './jobs.js';
import type { PendingJob } from './work.js';

/** What runs the jobs: one handler per job name. */
export type JobHandlers = { [Name in JobName]: (data: JobData<Name>) => Promise<void> };

/** Options of the engine's BullMQ queue and worker. */
export interface QueueOptions {
  readonly prefix: string;
  /** Jobs processed at once by this instance. */
  readonly concurrency: number;
  /** How long a job stays locked to a worker without renewal; a dead instance's jobs move on after it. */
  readonly lockDurationMs: number;
}

/** The engine's BullMQ queue and this instance's worker; payloads are checked against JOBS at both ends. */
export class JobQueue {
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private readonly connections: Redis[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly options: QueueOptions,
    private readonly logger: Logger,
  ) {
    this.queue = new Queue(ROLLOUT_QUEUE, { connection: this.connection(redis), prefix: options.prefix });
    this.queue.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  }

  /** Adds jobs in one round trip; a job id already waiting or delayed is not added twice. */
  async add(jobs: readonly PendingJob[]): Promise<void> {
    if (jobs.length === 0) return;
    for (const job of jobs)
      if (!Value.Check(JOBS[job.name], job.data))
        throw new Error(`invalid ${job.name} job payload: ${JSON.stringify(job.data)}`);
    await this.queue.addBulk(
      jobs.map((job) => ({
        name: job.name,
        data: job.data,
        opts: {
          jobId: job.jobId,
          ...(job.delayMs > 0 ? { delay: job.delayMs } : {}),
          // Long enough to ride out a Redis restart or failover (about eight minutes in all); every job is idempotent.
          attempts: 10,
          backoff: { type: 'exponential' as const, delay: 500 },
          removeOnComplete: { age: 3600, count: 10_000 },
          // Bounded in count too: a fault that fails thousands of jobs must not pile them up for a day.
          removeOnFail: { age: 24 * 3600, count: 5000 },
        },
      })),
    );
  }

  /** Starts processing jobs with the handlers. */
  start(handlers: JobHandlers): void {
    this.worker = new Worker(
      ROLLOUT_QUEUE,
      async (job) => {
        const name = job.name as JobName;
        const schema = JOBS[name];
        if (!schema || !Value.Check(schema, job.data))
          throw new UnrecoverableError(`invalid job ${job.name}: ${JSON.stringify(job.data)}`);
        try {
          await (handlers[name] as (data: unknown) => Promise<void>)(job.data);
        } catch (error) {
          // A job left over from a finished rollout (a delayed watch) has nothing to do once it is archived.
          if (error instanceof ServerError && error.code === 'SRV_ERR_ROLLOUT_ARCHIVED') return;
          throw error;
        }
      },
      {
        connection: this.connection(this.redis),
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        lockDuration: this.options.lockDurationMs,
        stalledInterval: Math.max(1000, Math.floor(this.options.lockDurationMs / 2)),
      },
    );
    this.worker.on('failed', (job, error) =>
      this.logger.warn(
        { err: error, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade },
        'job failed',
      ),
    );
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'job worker error'));
  }

  /** Stops the worker (jobs in flight finish) and closes the queue. */
  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.all(
      this.connections.map((connection) => connection.quit().catch(() => connection.disconnect())),
    );
  }

  private connection(redis: Redis): Redis {
    // BullMQ needs its own connections, and blocking ones must never give up retrying.
    const connection = redis.duplicate({ ...BLOCKING, maxRetriesPerRequest: null });
    this.connections.push(connection);
    return connection;
  }
}
