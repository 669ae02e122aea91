import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRootLogger, loggableUrl, scrubSecrets } from './logger.js';

const operator = `exo_${'A1b2-_'.repeat(7)}x`;
const credential = `exa_${'Zz9'.repeat(14)}x`;

describe('scrubSecrets', () => {
  it('replaces the server secrets, bearer values and URL passwords, and nothing else', () => {
    expect(scrubSecrets(`got "${operator}" and ${credential}`)).toBe(
      'got "exo_[redacted]" and exa_[redacted]',
    );
    expect(scrubSecrets('Authorization: Bearer abc.def-ghi')).toBe('Authorization: Bearer [redacted]');
    expect(scrubSecrets('redis://:s3cret@10.0.0.5:6379/0 and rediss://app:pw@r:6380')).toBe(
      'redis://:[redacted]@10.0.0.5:6379/0 and rediss://app:[redacted]@r:6380',
    );
    const plain = 'GET /api/v1/servers/SEA-CAS01 https://exr.contoso.com:8443/docs complex_a exe';
    expect(scrubSecrets(plain)).toBe(plain);
  });
});

describe('loggableUrl', () => {
  it('withholds the query string and scrubs secrets from the path', () => {
    expect(loggableUrl(`/api/v1/servers?token=${operator}&role=Edge`)).toBe('/api/v1/servers?[redacted]');
    expect(loggableUrl(`/agent/v1?credential=${credential}`)).toBe('/agent/v1?[redacted]');
    expect(loggableUrl(`/api/v1/${operator}`)).toBe('/api/v1/exo_[redacted]');
    expect(loggableUrl('/api/v1/rollouts/r-0123456789')).toBe('/api/v1/rollouts/r-0123456789');
  });
});

describe('createRootLogger', () => {
  it('writes no secret, whether in a redacted field, a message or any other field', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createRootLogger('info', sink);
    logger.info({ token: operator, req: { headers: { authorization: `Bearer ${credential}` } } }, 'issued');
    logger.info({ agent: { credential } }, `refused "${operator}"`);
    logger.warn({ error: `HELLO payload.name: bad (got "${credential}")` }, 'refused an agent message');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain(operator);
      expect(line).not.toContain(credential);
      expect(() => JSON.parse(line)).not.toThrow();
    }
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ token: '[redacted]', msg: 'issued' });
  });
});
