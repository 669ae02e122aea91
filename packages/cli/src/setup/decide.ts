/** A program the demo or the tests need, and how each kind of system gets it. */
export interface Needed {
  /** The Debian/Ubuntu package that brings it. */
  readonly debianPackage: string;
  /** The one command that installs it on macOS. */
  readonly macos: string;
  /** The one command (or step) that gets it on Windows. */
  readonly windows: string;
}

/** What decides whether exrollout may install a missing package itself. */
export interface HostFacts {
  /** `process.platform`. */
  readonly platform: string;
  /** Running as root. */
  readonly root: boolean;
  /** `apt-get` is on the PATH. */
  readonly aptGet: boolean;
  /** `sudo -n true` works: sudo without a password. */
  readonly sudo: boolean;
  /** The user turned installing off (EXR_DEMO_NO_INSTALL=1, EXR_TEST_NO_INSTALL=1). */
  readonly installDisabled: boolean;
}

/** Install with apt-get (through `sudo -n` when not root), or tell the user the one command to run. */
export type InstallDecision =
  | { readonly kind: 'apt-get'; readonly sudo: boolean }
  | { readonly kind: 'advise'; readonly command: string };

/** Decides how a missing package gets installed: by exrollout only with apt-get and the rights to run it. */
export function decideInstall(needed: Needed, facts: HostFacts): InstallDecision {
  if (facts.platform === 'darwin') return { kind: 'advise', command: needed.macos };
  if (facts.platform === 'win32') return { kind: 'advise', command: needed.windows };
  const apt = `apt-get install ${needed.debianPackage}`;
  if (!facts.aptGet)
    return { kind: 'advise', command: `install the ${needed.debianPackage} package (Debian/Ubuntu: ${apt})` };
  if (!facts.installDisabled && facts.root) return { kind: 'apt-get', sudo: false };
  if (!facts.installDisabled && facts.sudo) return { kind: 'apt-get', sudo: true };
  return { kind: 'advise', command: facts.root ? apt : `sudo ${apt}` };
}

/** redis-server: the demo's Redis and the tests' private ones. */
export const REDIS_SERVER: Needed = {
  debianPackage: 'redis-server',
  macos: 'brew install redis',
  windows:
    'run it in WSL (Ubuntu), where it installs redis-server itself, or set REDIS_URL to a Redis you have',
};

/** Debian's Chromium at /usr/bin/chromium: the dashboard's browser test. */
export const CHROMIUM: Needed = {
  debianPackage: 'chromium',
  macos: 'run the tests on Debian or Ubuntu (the browser test drives /usr/bin/chromium)',
  windows: 'run the tests in WSL (Debian or Ubuntu)',
};
