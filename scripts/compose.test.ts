import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const REPO = join(import.meta.dirname, '..');

interface Service {
  readonly image?: string;
  readonly build?: unknown;
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly depends_on?: Readonly<Record<string, unknown>>;
  readonly networks?: unknown;
  readonly command?: readonly string[];
}

// Compose resolves YAML merge keys (`<<: *server`), as YAML 1.1 does.
const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  networks: Record<string, { ipam: { config: { subnet: string }[] } }>;
};
const services = compose.services;
const servers = Object.entries(services).filter(([name]) => name.startsWith('server-'));
const lb = services.lb ?? {};
const lbAddress = (lb.networks as Record<string, { ipv4_address: string }> | undefined)?.exrollout
  ?.ipv4_address;
const mount = lb.volumes?.find((volume) => volume.includes('haproxy.cfg'))?.split(':')[0] ?? '';
const haproxy = existsSync(join(REPO, mount)) ? readFileSync(join(REPO, mount), 'utf8') : '';

// `docker compose config` needs the compose plugin, which this machine's Docker client lacks: the file is read here.
describe('docker-compose.yml', () => {
  it('runs at least two server instances of one image, reached only through the load balancer', () => {
    expect(servers.length).toBeGreaterThanOrEqual(2);
    for (const [name, service] of servers) {
      expect(service.image, name).toBe('exrollout:latest');
      expect(service.ports, `${name} publishes no port of its own`).toBeUndefined();
      expect(service.environment?.EXR_INSTANCE_ID).toBe(name);
    }
    expect(lb.ports).toEqual(['8080:8080']);
    expect(Object.keys(lb.depends_on ?? {}).sort()).toEqual(servers.map(([name]) => name).sort());
  });

  it('balances every instance, WebSockets included, and gives them the client address', () => {
    expect(haproxy).toMatch(/^\s*mode http$/m);
    expect(haproxy).toMatch(/^\s*timeout tunnel \S+$/m);
    expect(haproxy).toMatch(/^\s*option forwardfor$/m);
    expect(haproxy).toMatch(/^\s*option httpchk GET \/readyz$/m);
    expect(haproxy).toMatch(/^\s*bind :8080$/m);
    const backends = [...haproxy.matchAll(/^\s*server (\S+) (\S+)/gm)].map(
      (match) => `${match[1]} ${match[2]}`,
    );
    expect(backends).toEqual(servers.map(([name, s]) => `${name} ${name}:${s.environment?.EXR_PORT}`));
    expect(lbAddress).toMatch(/^172\.28\.0\.\d+$/);
    expect(compose.networks.exrollout?.ipam.config[0]?.subnet).toBe('172.28.0.0/24');
    for (const [name, service] of servers) expect(service.environment?.EXR_TRUST_PROXY, name).toBe(lbAddress);
  });

  it('gives every instance the same package store: one named volume, mounted where EXR_PACKAGE_DIR points', () => {
    const declared = Object.keys((compose as { volumes?: Record<string, unknown> }).volumes ?? {});
    for (const [name, service] of servers) {
      const dir = service.environment?.EXR_PACKAGE_DIR;
      expect(dir, name).toMatch(/^\//);
      const mounted = service.volumes?.find((volume) => volume.endsWith(`:${dir}`))?.split(':')[0];
      expect(mounted, `${name} mounts a named volume at ${dir}`).toBe('packages');
    }
    expect(declared).toContain('packages');
  });

  it('points the fleet simulator at the load balancer', () => {
    const command = services['fleet-sim']?.command?.join(' ') ?? '';
    expect(command).toContain('--server http://lb:8080');
    expect(command).toContain("fetch('http://lb:8080/api/v1/enrolment-tokens'");
    expect(command).not.toMatch(/server-[ab]:/);
  });
});
