import { createReadStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiFailedError, ApiRefusedError, ServerUnreachableError } from '../errors.js';

/** What an upload needs: the server, the token, the target path with its query, and the file. */
export interface UploadRequest {
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly path: string;
  readonly file: string;
  readonly size: number;
  /** Called as bytes leave, with the count sent so far. */
  readonly onProgress?: (sent: number) => void;
}

/** Streams a file as the body of a POST (application/octet-stream); returns the status and the parsed JSON answer. */
export async function uploadFile(upload: UploadRequest): Promise<{ status: number; body: unknown }> {
  const url = new URL(`${upload.baseUrl}${upload.path}`);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const request = send(url, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/octet-stream',
      'content-length': String(upload.size),
      // The server says "continue" once it accepts the token and the name: a refusal comes before any byte is sent.
      expect: '100-continue',
      ...(upload.token ? { authorization: `Bearer ${upload.token}` } : {}),
    },
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      upload.onProgress?.(sent);
      done(null, chunk);
    },
  });
  let sending: Promise<unknown> = Promise.resolve();
  request.once('continue', () => {
    // An answer while the file is still being sent (the upload refused halfway) counts, not the broken pipe.
    sending = pipeline(createReadStream(upload.file), counter, request).catch(() => undefined);
  });
  request.flushHeaders();
  let response: IncomingMessage;
  try {
    response = await answered;
  } catch (error) {
    throw new ServerUnreachableError(upload.baseUrl, error);
  }
  const text = await readAll(response);
  await sending;
  return answerOf(upload, response.statusCode ?? 0, text);
}

async function readAll(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return text;
}

function answerOf(upload: UploadRequest, status: number, text: string): { status: number; body: unknown } {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  if (status >= 200 && status < 300 && parsed) return { status, body: parsed };
  const code = typeof parsed?.code === 'string' ? parsed.code : `HTTP_${status}`;
  const message = typeof parsed?.message === 'string' ? parsed.message : 'the server gave no reason';
  if (status >= 400 && status < 500) throw new ApiRefusedError(status, code, message);
  throw new ApiFailedError(upload.baseUrl, `${code}: ${message}`);
}
