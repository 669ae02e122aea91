import { describe, expect, it } from 'vitest';
import { enrolUrl, gatewayUrl, normalizeServerUrl } from './url.js';

describe('server URLs', () => {
  it('derives the gateway (ws/wss) and enrolment URLs, keeping a path prefix', () => {
    expect(gatewayUrl('https://exr.contoso.com:8443')).toBe('wss://exr.contoso.com:8443/agent/v1');
    expect(gatewayUrl('http://127.0.0.1:3000/')).toBe('ws://127.0.0.1:3000/agent/v1');
    expect(gatewayUrl('https://proxy.contoso.com/exrollout/')).toBe(
      'wss://proxy.contoso.com/exrollout/agent/v1',
    );
    expect(enrolUrl('https://exr.contoso.com')).toBe('https://exr.contoso.com/agent/v1/enrol');
  });

  it('refuses what is not a plain http(s) URL', () => {
    expect(() => normalizeServerUrl('exr.contoso.com')).toThrow(/is not a URL/);
    expect(() => normalizeServerUrl('ws://exr.contoso.com')).toThrow(
      /must start with http:\/\/ or https:\/\//,
    );
    expect(() => normalizeServerUrl('https://exr.contoso.com/?x=1')).toThrow(/query or a fragment/);
    expect(() => normalizeServerUrl('https://u:p@exr.contoso.com')).toThrow(/credentials/);
  });
});
