import { describe, expect, it } from 'vitest';
import { decideInstall, type HostFacts, REDIS_SERVER } from './decide.js';

const linux: HostFacts = {
  platform: 'linux',
  root: false,
  aptGet: true,
  sudo: false,
  installDisabled: false,
};

describe('decideInstall', () => {
  it('installs with apt-get as root, and through sudo -n with passwordless sudo', () => {
    expect(decideInstall(REDIS_SERVER, { ...linux, root: true })).toEqual({ kind: 'apt-get', sudo: false });
    expect(decideInstall(REDIS_SERVER, { ...linux, sudo: true })).toEqual({ kind: 'apt-get', sudo: true });
  });

  it('without the rights, or with installing turned off, gives the one command to run', () => {
    expect(decideInstall(REDIS_SERVER, linux)).toEqual({
      kind: 'advise',
      command: 'sudo apt-get install redis-server',
    });
    expect(decideInstall(REDIS_SERVER, { ...linux, root: true, installDisabled: true })).toEqual({
      kind: 'advise',
      command: 'apt-get install redis-server',
    });
    expect(decideInstall(REDIS_SERVER, { ...linux, sudo: true, installDisabled: true })).toMatchObject({
      kind: 'advise',
    });
  });

  it('never installs on macOS, Windows or a Linux without apt-get, even as root', () => {
    const root = { ...linux, root: true };
    expect(decideInstall(REDIS_SERVER, { ...root, platform: 'darwin' })).toEqual({
      kind: 'advise',
      command: 'brew install redis',
    });
    expect(decideInstall(REDIS_SERVER, { ...root, platform: 'win32' })).toMatchObject({ kind: 'advise' });
    expect(decideInstall(REDIS_SERVER, { ...root, aptGet: false })).toEqual({
      kind: 'advise',
      command: 'install the redis-server package (Debian/Ubuntu: apt-get install redis-server)',
    });
  });
});
