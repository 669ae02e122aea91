import { Api, describeError } from './api.js';
import type { ViewContext } from './context.js';
import { h } from './dom.js';
import type { Me } from './types.js';
import { fleetView } from './views/fleet.js';
import { loginView } from './views/login.js';
import { newRolloutView } from './views/new-rollout.js';
import { rolloutView } from './views/rollout.js';
import { rolloutsView } from './views/rollouts.js';
import { serverView } from './views/server.js';

const TOKEN_KEY = 'exrollout.token';
// The navigation being shown; a view still loading when another navigation starts is dropped (see route).
let current = 0;
let leaveCurrent: () => void = () => undefined;

type Route = (context: ViewContext, param: string) => Promise<void>;
const ROUTES: [RegExp, Route][] = [
  [/^\/servers\/([^/]+)$/, serverView],
  [/^\/rollouts\/new$/, newRolloutView],
  [/^\/rollouts\/([^/]+)$/, rolloutView],
  [/^\/rollouts$/, rolloutsView],
  [/^\/?(fleet)?$/, fleetView],
];

async function signIn(token: string): Promise<{ api: Api; me: Me }> {
  const api = new Api(token);
  return { api, me: await api.get<Me>('/api/v1/me') };
}

function header(me: Me): HTMLElement {
  const signOut = () => {
    current++;
    leaveCurrent();
    sessionStorage.removeItem(TOKEN_KEY);
    location.hash = '#/';
    void boot();
  };
  return h(
    'header',
    {},
    h('h1', {}, 'exrollout'),
    h(
      'nav',
      { 'aria-label': 'Main' },
      h('a', { href: '#/fleet' }, 'Fleet'),
      h('a', { href: '#/rollouts' }, 'Rollouts'),
      h('a', { href: '#/rollouts/new' }, 'New rollout'),
    ),
    h('span', { class: 'who' }, `${me.name} (${me.role})`),
    h('button', { type: 'button', onclick: signOut }, 'Sign out'),
  );
}

/**
 * Shows the page of the current hash. Each navigation renders into its own element, put on screen only if no
 * other navigation started while it loaded: with a slow API the last click wins, and an older page neither
 * lands in the newer one nor keeps polling.
 */
async function route(api: Api, me: Me, main: HTMLElement): Promise<void> {
  const navigation = ++current;
  leaveCurrent();
  const cleanups: (() => void)[] = [];
  const leave = () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
  leaveCurrent = leave;
  const view = h('div', { class: 'view' });
  main.replaceChildren(h('p', { class: 'loading', 'aria-busy': 'true' }, 'Loading…'));
  const context: ViewContext = {
    api,
    me,
    main: view,
    onLeave: (cleanup) => cleanups.push(cleanup),
    navigate: (hash) => {
      location.hash = hash;
    },
  };
  await render(context, decodeURIComponent(location.hash.replace(/^#/, '')));
  if (navigation !== current) leave();
  else main.replaceChildren(view);
}

async function render(context: ViewContext, path: string): Promise<void> {
  const found = ROUTES.map(([pattern, view]) => [pattern.exec(path), view] as const).find(([m]) => m);
  if (!found) {
    context.main.append(h('p', {}, `No page at ${path}.`));
    return;
  }
  try {
    await found[1](context, found[0]?.[1] ?? '');
  } catch (error) {
    context.main.append(h('p', { role: 'alert', class: 'error' }, describeError(error)));
  }
}

async function boot(refused?: string): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    const signInWith = async (entered: string) => {
      await signIn(entered);
      sessionStorage.setItem(TOKEN_KEY, entered);
      await boot();
    };
    root.replaceChildren(loginView(signInWith, refused));
    return;
  }
  let session: { api: Api; me: Me };
  try {
    session = await signIn(token);
  } catch (error) {
    // A token revoked since it was entered: say so on the sign-in page rather than just showing it again.
    sessionStorage.removeItem(TOKEN_KEY);
    await boot(describeError(error));
    return;
  }
  const main = h('main', { id: 'main' });
  root.replaceChildren(header(session.me), main);
  window.onhashchange = () => void route(session.api, session.me, main);
  await route(session.api, session.me, main);
}

void boot();
