import { setTimeout as sleep } from 'node:timers/promises';
import { StepFailedError } from '../errors.js';
import { type DownloadResult, downloadPackage } from './download.js';

/** What a staging driver asks for: a package into a folder, with progress. */
export interface PackageDownload {
  readonly file: string;
  readonly sha256: string;
  readonly directory: string;
  readonly onProgress?: (bytes: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** Where packages come from: the exrollout server's store, with the agent's credential. */
export interface PackageSource {
  download(request: PackageDownload): Promise<DownloadResult>;
}

/** How often a cut download is resumed within one stage step, and how long to wait between tries. */
export interface RetryOptions {
  readonly attempts: number;
  readonly waitMs: number;
}

const DEFAULT_RETRY: RetryOptions = { attempts: 4, waitMs: 2000 };

/**
 * The server's package store as a PackageSource: a broken download is resumed (up to `attempts` tries in all),
 * and two requests for the same package into the same folder share one download.
 */
export function serverPackageSource(
  serverUrl: string,
  credential: string,
  retry: RetryOptions = DEFAULT_RETRY,
): PackageSource {
  const inFlight = new Map<string, Promise<DownloadResult>>();
  return {
    download(request) {
      const key = `${request.directory}|${request.sha256}`;
      const running = inFlight.get(key);
      if (running) return running;
      const started = withRetries(retry, () =>
        downloadPackage({ serverUrl, credential, ...request }),
      ).finally(() => inFlight.delete(key));
      inFlight.set(key, started);
      return started;
    },
  };
}

async function withRetries(
  retry: RetryOptions,
  work: () => Promise<DownloadResult>,
): Promise<DownloadResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const resumable = error instanceof StepFailedError && error.code === 'STAGE_SERVER_UNREACHABLE';
      if (!resumable || attempt >= retry.attempts) throw error;
      await sleep(retry.waitMs * attempt);
    }
  }
}
