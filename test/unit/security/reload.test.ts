import { expect } from 'chai';
import type { CoordinatorConfig } from '../../../coordinator/config.js';
import { AccessPolicy } from '../../../coordinator/rpc/access.js';
import { reloadAccessConfig } from '../../../coordinator/rpc/reload.js';
import { ConfigError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';

function config(over: Partial<CoordinatorConfig> = {}): CoordinatorConfig {
  return {
    file: '/etc/convoy/coordinator.yaml',
    listen: '127.0.0.1:7400',
    stateFile: '/var/lib/convoyd/state.db',
    insecure: false,
    tls: { ca: '/tls/ca.crt', cert: '/tls/c.crt', key: '/tls/c.key' },
    heartbeatTimeoutMs: 20_000,
    heartbeatIntervalMs: 5000,
    stepGraceMs: 30_000,
    clusters: [],
    operators: [{ name: 'alice', role: 'operator' }],
    denyAgents: [],
    webhooks: [],
    schedules: [],
    ...over,
  };
}

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { logger: { info: log('info'), warn: log('warn'), error: log('error') } as unknown as Logger, lines };
}

describe('SIGHUP reload (coordinator/rpc/reload.ts)', () => {
  it('applies a new deny list and operators in place, re-reads the certificates, then closes revoked streams', () => {
    const running = config();
    const access = new AccessPolicy({ mtls: true, ...running });
    const { logger, lines } = capture();
    const reloaded: unknown[] = [];
    let published = 0;
    access.onChange(() => published++);
    const next = config({
      denyAgents: ['hoss-b'],
      operators: [{ name: 'vic', role: 'viewer' }],
      tls: { ca: '/new/ca.crt', cert: '/new/c.crt', key: '/new/c.key' },
    });
    const ok = reloadAccessConfig({
      config: running,
      access,
      logger,
      load: () => next,
      listener: { port: 1, reload: (f) => reloaded.push(f), close: () => undefined },
    });
    expect(ok).to.equal(true);
    expect(running.denyAgents).to.deep.equal(['hoss-b']);
    expect(running.operators).to.deep.equal([{ name: 'vic', role: 'viewer' }]);
    expect(reloaded).to.deep.equal([next.tls]);
    expect(access.isRevoked('hoss-b')).to.equal(true);
    expect(published).to.equal(1);
    expect(lines).to.deep.equal([
      'info SIGHUP: reloaded /etc/convoy/coordinator.yaml: 1 operator(s), denyAgents [hoss-b]; newly revoked: hoss-b; TLS certificate, key and CA re-read',
    ]);
  });

  it('keeps the running configuration when the file is invalid, and says why', () => {
    const running = config({ denyAgents: ['hoss-old'] });
    const access = new AccessPolicy({ mtls: true, ...running });
    const { logger, lines } = capture();
    const ok = reloadAccessConfig({
      config: running,
      access,
      logger,
      load: () => {
        throw new ConfigError(['coordinator.yaml: denyAgents[0] "Hoss B" is not a valid name'], 'Edit it.');
      },
    });
    expect(ok).to.equal(false);
    expect(running.denyAgents).to.deep.equal(['hoss-old']);
    expect(access.isRevoked('hoss-old')).to.equal(true);
    expect(lines).to.deep.equal([
      'error SIGHUP: /etc/convoy/coordinator.yaml is invalid; keeping the running configuration: coordinator.yaml: denyAgents[0] "Hoss B" is not a valid name',
    ]);
  });

  it('keeps everything when the new certificate cannot be loaded', () => {
    const running = config();
    const access = new AccessPolicy({ mtls: true, ...running });
    const { logger, lines } = capture();
    const listener = {
      port: 1,
      close: () => undefined,
      reload: () => {
        throw new Error('ENOENT: /new/c.key');
      },
    };
    const ok = reloadAccessConfig({ config: running, access, logger, listener, load: () => config({ denyAgents: ['hoss-b'] }) });
    expect(ok).to.equal(false);
    expect(access.isRevoked('hoss-b')).to.equal(false);
    expect(lines).to.deep.equal(['error SIGHUP: cannot load the TLS files; keeping the running configuration: ENOENT: /new/c.key']);
  });

  it('applies a new certificate deny list, then closes the connections that present a denied certificate', () => {
    const fp = 'AB:'.repeat(31) + 'CD';
    const running = config();
    const access = new AccessPolicy({ mtls: true, ...running });
    const { logger, lines } = capture();
    const order: string[] = [];
    access.onChange(() => order.push('publish'));
    const ok = reloadAccessConfig({
      config: running,
      access,
      logger,
      load: () => config({ denyCertificates: [fp] }),
      listener: { port: 1, reload: () => undefined, close: () => undefined, recheck: () => (order.push('recheck'), []) },
    });
    expect(ok).to.equal(true);
    expect(running.denyCertificates).to.deep.equal([fp]);
    expect(access.certificateProblem({ fingerprint256: fp })).to.match(/is revoked \(denyCertificates in/);
    expect(order).to.deep.equal(['publish', 'recheck']);
    expect(lines).to.deep.equal([
      'info SIGHUP: reloaded /etc/convoy/coordinator.yaml: 1 operator(s), denyAgents []; denyCertificates: 1; newly revoked certificates: AB:AB:AB:AB:AB:AB:AB:AB:…; TLS certificate, key and CA re-read',
    ]);
  });

  it('names the changes that need a restart', () => {
    const running = config();
    const { logger, lines } = capture();
    reloadAccessConfig({
      config: running,
      access: new AccessPolicy({ mtls: true, ...running }),
      logger,
      load: () => config({ listen: '127.0.0.1:7401', stepGraceMs: 1 }),
    });
    expect(lines[1]).to.equal('warn SIGHUP: changes to listen, stepGraceMs take effect only after a restart of convoyd');
  });
});
