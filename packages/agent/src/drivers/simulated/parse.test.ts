import type { InventoryServer } from '@exrollout/core';
import { describe, expect, it } from 'vitest';
import { DriverError } from '../../errors.js';
import { SimulatedDriver } from './driver.js';
import { parseSimulatedHost, SimulatedHostError } from './parse.js';
import { casOnRu4 } from './test-fixtures.js';

/** The lines a description is rejected with; fails the test if it is accepted or throws anything else. */
function rejection(value: unknown, source?: string): string[] {
  try {
    parseSimulatedHost(value, source);
  } catch (error) {
    expect(error).toBeInstanceOf(SimulatedHostError);
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ code: 'AGENT_ERR_DRIVER_SIMULATED_HOST_INVALID' });
    return (error as SimulatedHostError).message.split('\n');
  }
  throw new Error('parseSimulatedHost accepted an invalid description');
}

const server: InventoryServer = { name: 'SEA-HUB01', build: '8.1.311.3', roles: ['HubTransport'] };

describe('parseSimulatedHost', () => {
  it('accepts a good description and returns it unchanged', () => {
    const failStep = { step: 'verify', code: 'BUILD_MISMATCH', message: 'ExSetup.exe is 8.1.336.1' } as const;
    const host = casOnRu4({ installSeconds: 90, failStep });
    expect(parseSimulatedHost(JSON.parse(JSON.stringify(host)))).toEqual(host);
  });

  it('names every problem with its path, in words a person can act on', () => {
    const value = {
      server: { name: 'SEA CAS01', build: '8.1.340', roles: ['ClientAccess'] },
      behaviour: { installSecond: 5, stepSeconds: -1, installFails: true },
    };
    expect(rejection(value, 'scenario.json hosts[2]')).toEqual([
      'invalid scenario.json hosts[2] (5 problems):',
      '  server.name: must be a Windows computer name: 1-15 letters, digits or hyphens (got "SEA CAS01")',
      '  server.build: must be a four-part build such as 8.1.340.1 or 08.01.0340.001 (the ExSetup.exe file version) (got "8.1.340")',
      '  behaviour.installSecond: is not a known field (did you mean "installSeconds"?)',
      '  behaviour.stepSeconds: must be >= 0',
      '  behaviour.installFails: must be one of msi-return-value-3, services-did-not-stop (got true)',
    ]);
  });

  it('catches the American spelling of behaviour and a misspelt failure code', () => {
    expect(rejection({ server, behavior: {} })).toEqual([
      'invalid simulated host (1 problem):',
      '  behavior: is not a known field (did you mean "behaviour"?)',
    ]);
    const failStep = { step: 'install', code: 'INSTAL_FAILED', message: 'x' };
    const [, line] = rejection({ server, behaviour: { failStep } });
    expect(line).toMatch(
      /^ {2}behaviour\.failStep\.code: must be one of PRECHECK_NOT_SP1, .* \(got "INSTAL_FAILED"\)$/,
    );
  });

  it('explains a bad packages entry: the key is a .msp file name, the value its SHA-256', () => {
    const packages = { 'setup.exe': 'a'.repeat(64), 'Exchange2007-KB959241-x64-EN.msp': 'ABC' };
    expect(rejection({ server, behaviour: { packages } }).slice(1)).toEqual([
      '  behaviour.packages.setup.exe: is not an .msp file name such as Exchange2007-KB959241-x64-EN.msp',
      '  behaviour.packages.Exchange2007-KB959241-x64-EN.msp: must be the SHA-256 of the file: 64 lower-case hex digits',
    ]);
  });

  it('rejects what the schema cannot see: contradictions, a build past 16 bits, an active node without CMS', () => {
    const value = {
      server: {
        ...server,
        build: '8.1.99999.1',
        roles: ['Mailbox'],
        cluster: { type: 'CCR', name: 'C', role: 'active' },
      },
      host: { pendingReboot: false, systemDriveFreeMb: 4096 },
      behaviour: { pendingReboot: true, freeDiskMb: 4096 },
    };
    expect(rejection(value).slice(1)).toEqual([
      '  server.build: must be a four-part build such as 8.1.340.1 or 08.01.0340.001 (the ExSetup.exe file version) (got "8.1.99999.1")',
      '  server.cluster.cms: the active node must name the clustered mailbox server it hosts',
      '  behaviour.pendingReboot: contradicts host.pendingReboot (false); give one of them',
    ]);
  });

  it('rejects anything but an object, and a missing server', () => {
    expect(rejection('SEA-HUB01').slice(1)).toEqual(['  (root): must be an object (got a string)']);
    expect(rejection({}).slice(1)).toEqual(['  server: is required']);
  });

  it('is what the driver runs on construction', () => {
    expect(() => new SimulatedDriver({ server: { ...server, name: '-bad' } })).toThrow(SimulatedHostError);
  });
});
