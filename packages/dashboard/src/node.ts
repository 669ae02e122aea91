import { fileURLToPath } from 'node:url';

/** The absolute path of the built dashboard (index.html, app.js, app.css), for the server to serve at `/`. */
export const DASHBOARD_DIST: string = fileURLToPath(new URL('../dist/', import.meta.url));

/** The absolute path of the built dashboard's folder. */
export function dashboardDist(): string {
  return DASHBOARD_DIST;
}
