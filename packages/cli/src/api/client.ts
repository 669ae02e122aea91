import type { CliContext } from '../context.js';
import { ApiFailedError, ApiRefusedError, ServerUnreachableError, ServerUrlError } from '../errors.js';
import { uploadFile } from './upload.js';

/** Where the server is and who is asking: `--server`/EXROLLOUT_SERVER and `--token`/EXROLLOUT_TOKEN. */
export interface ConnectionOptions {
  readonly server?: string;
  readonly token?: string;
}

/** The server's address when neither `--server` nor EXROLLOUT_SERVER is given. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** A small client of the exrollout REST API (`/api/v1`) over the global fetch. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  /** GET a path; `query` entries that are undefined are left out. */
  get(path: string, query: Record<string, string | undefined> = {}): Promise<unknown> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
    const search = params.size > 0 ? `?${params}` : '';
    return this.request('GET', `${path}${search}`);
  }

  /** POST a JSON body. */
  post(path: string, body: unknown = {}): Promise<unknown> {
    return this.request('POST', path, body);
  }

  /** PUT a JSON body: sets a resource. */
  put(path: string, body: unknown): Promise<unknown> {
    return this.request('PUT', path, body);
  }

  /** DELETE a resource. */
  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path);
  }

  /** POSTs a file as is (application/octet-stream), streamed from disk; `onProgress` hears the bytes sent. */
  upload(
    path: string,
    file: string,
    size: number,
    onProgress?: (sent: number) => void,
  ): Promise<{ status: number; body: unknown }> {
    return uploadFile({
      baseUrl: this.baseUrl,
      token: this.token,
      path,
      file,
      size,
      ...(onProgress ? { onProgress } : {}),
    });
  }

  /** Sends one request and returns the parsed JSON body, or throws the CLI error that fits. */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new ServerUnreachableError(this.baseUrl, error);
    }
    const parsed = parseBody(await response.text());
    if (response.ok) {
      if (parsed === undefined)
        throw new ApiFailedError(this.baseUrl, `${method} ${path}: no JSON in the answer`);
      return parsed;
    }
    const { code, message } = apiError(parsed, response.status);
    if (response.status >= 400 && response.status < 500)
      throw new ApiRefusedError(response.status, code, message);
    throw new ApiFailedError(this.baseUrl, `${code}: ${message}`);
  }
}

/** Builds a client from the flags, falling back to the environment and the default address. */
export function clientFor(options: ConnectionOptions, context: Pick<CliContext, 'env'>): ApiClient {
  const server = options.server ?? context.env.EXROLLOUT_SERVER ?? DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ServerUrlError(server);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ServerUrlError(server);
  const token = options.token ?? context.env.EXROLLOUT_TOKEN;
  return new ApiClient(url.href.replace(/\/+$/, ''), token || undefined);
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function apiError(body: unknown, status: number): { code: string; message: string } {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    code: typeof fields.code === 'string' ? fields.code : `HTTP_${status}`,
    message: typeof fields.message === 'string' ? fields.message : 'the server gave no reason',
  };
}
