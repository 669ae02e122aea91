import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The part of fetch that enrolment uses, so that tests can pass their own. */
export type EnrolFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ readonly status: number; json(): Promise<unknown> }>;

/**
 * A POST over node:http(s). The agent enrols once in its life; Node's global fetch would load undici for it,
 * which stays in memory for good (about 12 MiB of the agent's resident set).
 */
export const httpPost: EnrolFetch = (url, init) =>
  new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method: init.method, headers: init.headers, signal: init.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          json: async () => JSON.parse(text) as unknown,
        });
      });
    });
    req.on('error', (error) => reject(init.signal.aborted ? init.signal.reason : error));
    req.end(init.body);
  });
