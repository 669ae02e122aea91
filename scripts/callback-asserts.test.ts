import { describe, expect, it } from 'vitest';
import { findCallbackAssertions } from './callback-asserts.js';

const lines = (source: string) => findCallbackAssertions('sample.test.ts', source).map((entry) => entry.line);

describe('the check for assertions in callbacks a test does not await (npm run lint)', () => {
  it('flags assertions in listeners, timers, unawaited promise chains and async calls left running', () => {
    const source = [
      "socket.on('message', (data) => expect(data).toBe('x'));",
      "emitter.once('close', function (code) { expect(code).toBe(1000); });",
      'setTimeout(() => { expect(done).toBe(true); }, 10);',
      'run().then((value) => expect(value).toBe(1));',
      '(async () => { expect(await run()).toBe(1); })();',
      "new Promise((resolve) => socket.on('x', (v) => { assert.equal(v, 1); resolve(v); }));",
      "client.on('x', (v) => { [v].forEach((w) => expect(w).toBe(1)); });",
    ].join('\n');
    expect(lines(source)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('lets through assertions the test awaits, runs at once, or only matchers', () => {
    const source = [
      'await run().then((value) => expect(value).toBe(1));',
      'return run().then((value) => expect(value).toBe(1));',
      'const settled = run().then((value) => expect(value).toBe(1));',
      'await expect(run().then((v) => v)).resolves.toBe(1);',
      '[1, 2].forEach((n) => expect(n).toBeGreaterThan(0));',
      "await eventually(async () => { expect(await read()).toBe('x'); });",
      "socket.on('message', (data) => seen.push(expect.objectContaining({ data })));",
      "it('x', async () => { expect(1).toBe(1); });",
    ].join('\n');
    expect(lines(source)).toEqual([]);
  });
});
