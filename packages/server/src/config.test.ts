import { describe, expect, it } from 'vitest';
import { loadConfig, sentinelAddresses } from './config.js';

describe('loadConfig', () => {
  it('uses safe defaults and freezes the result', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: 'exr:',
      heartbeatIntervalMs: 15000,
      offlineAfterMs: 45000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the environment', () => {
    const config = loadConfig({
      EXR_PORT: '9443',
      REDIS_URL: 'redis://redis:6379',
      EXR_HEARTBEAT_INTERVAL_MS: '5000',
      EXR_OFFLINE_AFTER_MS: '20000',
    });
    expect(config).toMatchObject({
      port: 9443,
      redisUrl: 'redis://redis:6379',
      heartbeatIntervalMs: 5000,
      offlineAfterMs: 20000,
    });
  });

  it('names every bad variable at once', () => {
    expect(() =>
      loadConfig({
        EXR_PORT: 'eighty',
        REDIS_URL: 'http://x',
        EXR_TLS_CERT: '/etc/cert.pem',
        EXR_HEARTBEAT_INTERVAL_MS: '60000',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'SRV_ERR_CONFIG_INVALID',
        problems: [
          'EXR_PORT="eighty": must be a whole number',
          'REDIS_URL: has the wrong format (got "http://x")',
          'EXR_TLS_CERT and EXR_TLS_KEY: set both for TLS, or neither',
          'EXR_OFFLINE_AFTER_MS (45000) must be greater than EXR_HEARTBEAT_INTERVAL_MS (60000)',
        ],
      }),
    );
  });

  it('takes Sentinels with a master name, and refuses one without the other or an address without a port', () => {
    const config = loadConfig({
      EXR_REDIS_SENTINELS: '10.0.0.1:26379, sentinel-b:26379,[::1]:26380',
      EXR_REDIS_MASTER_NAME: 'exr-primary',
    });
    expect(sentinelAddresses(config)).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: 'sentinel-b', port: 26379 },
      { host: '::1', port: 26380 },
    ]);
    expect(sentinelAddresses(loadConfig({}))).toEqual([]);
    expect(() => loadConfig({ EXR_REDIS_SENTINELS: '10.0.0.1:26379' })).toThrow(
      expect.objectContaining({
        problems: ['EXR_REDIS_SENTINELS and EXR_REDIS_MASTER_NAME: set both for Sentinel, or neither'],
      }),
    );
    expect(() =>
      loadConfig({ EXR_REDIS_SENTINELS: '10.0.0.1', EXR_REDIS_MASTER_NAME: 'exr-primary' }),
    ).toThrow(expect.objectContaining({ problems: ['EXR_REDIS_SENTINELS: "10.0.0.1" is not host:port'] }));
  });

  it('takes the balancers that send the PROXY protocol as addresses or CIDRs, and refuses anything else', () => {
    expect(loadConfig({ EXR_PROXY_PROTOCOL_FROM: '10.0.0.7, 10.1.0.0/16,fd00::/8' }).proxyProtocolFrom).toBe(
      '10.0.0.7, 10.1.0.0/16,fd00::/8',
    );
    expect(() => loadConfig({ EXR_PROXY_PROTOCOL_FROM: '10.0.0.0/33,10.0.0' })).toThrow(
      expect.objectContaining({
        problems: [
          'EXR_PROXY_PROTOCOL_FROM: "10.0.0.0/33" is not an address or CIDR',
          'EXR_PROXY_PROTOCOL_FROM: "10.0.0" is not an address or CIDR',
        ],
      }),
    );
  });

  it('limits failed authentications by default, and refuses limits that make no sense', () => {
    expect(loadConfig({})).toMatchObject({
      authFailureLimit: 20,
      authFailureWindowSeconds: 300,
      authBlockSeconds: 900,
    });
    expect(loadConfig({ EXR_TRUST_PROXY: '10.0.0.1, 10.1.0.0/16' }).trustProxy).toBe('10.0.0.1, 10.1.0.0/16');
    expect(() =>
      loadConfig({
        EXR_AUTH_FAILURE_LIMIT: '0',
        EXR_AUTH_FAILURE_WINDOW_SECONDS: 'a minute',
        EXR_AUTH_BLOCK_SECONDS: '100000',
        EXR_TRUST_PROXY: 'everyone',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          'EXR_AUTH_FAILURE_WINDOW_SECONDS="a minute": must be a whole number',
          expect.stringMatching(/^EXR_AUTH_FAILURE_LIMIT: /),
          expect.stringMatching(/^EXR_AUTH_BLOCK_SECONDS: /),
          expect.stringMatching(/^EXR_TRUST_PROXY: /),
        ],
      }),
    );
  });
});

describe('package store settings', () => {
  it('reads EXR_PACKAGE_DIR and EXR_PACKAGE_MBPS', () => {
    const config = loadConfig({ EXR_PACKAGE_DIR: '/var/lib/exrollout/packages', EXR_PACKAGE_MBPS: '50' });
    expect(config).toMatchObject({ packageDir: '/var/lib/exrollout/packages', packageMbps: 50 });
    expect(loadConfig({}).packageMbps).toBe(0);
  });

  it('refuses a relative package folder and a fractional rate, naming both', () => {
    expect(() => loadConfig({ EXR_PACKAGE_DIR: 'data/packages', EXR_PACKAGE_MBPS: '1.5' })).toThrow(
      /EXR_PACKAGE_MBPS="1.5": must be a whole number[\s\S]*EXR_PACKAGE_DIR/,
    );
  });
});
