import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

// A self-signed certificate for 127.0.0.1, made for these tests only (openssl req -x509, 100 years).
const CERT = new URL('./fixtures/test-tls.crt', import.meta.url).pathname;
const KEY = new URL('./fixtures/test-tls.key', import.meta.url).pathname;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** GET over HTTPS, trusting the test certificate; the status and headers. */
function httpsHeaders(url: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: readFileSync(CERT) }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const directives = (csp: unknown) =>
  new Set(
    String(csp)
      .split(';')
      .map((part) => part.trim()),
  );

describe('security headers', () => {
  it('sends a strict CSP, X-Frame-Options, no-referrer and nosniff with the dashboard, its files and the API', async () => {
    server = await startTestServer();
    for (const path of ['/', '/app.js', '/api/v1/me']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(path === '/api/v1/me' ? 401 : 200);
      const csp = directives(response.headers.get('content-security-policy'));
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ])
        expect(csp, `${path}: ${directive}`).toContain(directive);
      // Over plain HTTP an upgrade would send the page's own requests to a port that speaks no TLS.
      expect(csp.has('upgrade-insecure-requests'), path).toBe(false);
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('lets Swagger UI at /docs use inline styles, and nothing else more', async () => {
    server = await startTestServer();
    const response = await fetch(`${server.url}/docs/static/index.html`);
    expect(response.status).toBe(200);
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('adds HSTS and upgrade-insecure-requests under TLS', async () => {
    server = await startTestServer({ tlsCertFile: CERT, tlsKeyFile: KEY });
    expect(server.url).toMatch(/^https:/);
    const { status, headers } = await httpsHeaders(`${server.url}/`);
    expect(status).toBe(200);
    expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(directives(headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    expect(headers['x-frame-options']).toBe('DENY');
  });
});
