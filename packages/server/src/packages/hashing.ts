import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ServerError } from '../errors.js';

const HEAD_BYTES = 8;

/** A pass-through stream that hashes (SHA-256) and counts what flows through it, and refuses more than `maxBytes`. */
export class HashingCounter extends Transform {
  size = 0;
  readonly head: number[] = [];
  private readonly hash: Hash = createHash('sha256');

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      done(
        new ServerError(
          'SRV_ERR_PACKAGE_TOO_LARGE',
          413,
          `the upload is over ${this.maxBytes} bytes, the most a package of this update can be`,
        ),
      );
      return;
    }
    for (let i = 0; this.head.length < HEAD_BYTES && i < chunk.length; i++)
      this.head.push(chunk[i] as number);
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** The lower-case hex SHA-256 of everything that passed. */
  digest(): string {
    return this.hash.digest('hex');
  }
}
