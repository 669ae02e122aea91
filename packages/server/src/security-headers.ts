import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

type Directives = Record<string, string[]>;

/** A page may load only what this server serves, and no one may frame it. */
function directives(tls: boolean): Directives {
  return {
    defaultSrc: ["'self'"],
    baseUri: ["'none'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'"],
    // Over plain HTTP an upgrade would send the page's own requests to a port that speaks no TLS.
    ...(tls ? { upgradeInsecureRequests: [] } : {}),
  };
}

/**
 * The security headers every answer carries (helmet): a content security policy that lets a page load only what
 * this server serves and be framed by no one, X-Frame-Options DENY, Referrer-Policy no-referrer, nosniff, and
 * HSTS when the server speaks TLS. Register it before the routes.
 */
export async function securityHeaders(app: FastifyInstance, options: { tls: boolean }): Promise<void> {
  const strict = directives(options.tls);
  // Swagger UI (/docs) sets inline styles on its elements; the dashboard sets none.
  const docs = { ...strict, styleSrc: ["'self'", "'unsafe-inline'"] };
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs'))
      route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: docs } };
  });
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: strict },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: options.tls ? { maxAge: 31_536_000 } : false,
  });
}
