/**
 * Issue 7: mutual TLS, agent identity, operator access. Every refusal is checked where a user
 * looks: the exit code and message of the CLI, the agent's log, and the reason in convoyd's
 * log. Certificates are made with shared/certs.ts (the code behind `convoy certs`) and openssl.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { certificateFileFingerprint, createCa, issueCertificate } from '../../shared/certs.js';
import { createFleet, useSandbox, waitFor, writeYaml, type Fleet, type ManagedProcess } from '../helpers/index.js';
import { cliTlsEnv, TEST_OPERATOR } from '../helpers/tls.js';
import { listRollouts, status } from './support.js';

/** The message of a JSON log line, '' for anything else. */
function messageOf(line: string): string {
  try {
    const message = (JSON.parse(line) as { message?: unknown }).message;
    return typeof message === 'string' ? message : '';
  } catch {
    return '';
  }
}

/** Resolves with the first logged message matching `re`, from output line `from` on. */
async function logged(proc: ManagedProcess | undefined, re: RegExp, from = 0): Promise<string> {
  if (!proc) throw new Error('the process is not running');
  return messageOf(await proc.waitForLine((l) => re.test(messageOf(l)), 30_000, { from }));
}

function tlsOf(fleet: Fleet): NonNullable<Fleet['tls']> {
  if (!fleet.tls) throw new Error('the fleet runs without TLS');
  return fleet.tls;
}

async function agentConnected(fleet: Fleet, id: string): Promise<boolean> {
  return (await fleet.agents()).some((a) => a.id === id && a.connected);
}

describe('e2e: mutual TLS, identities and roles', function () {
  this.timeout(120_000);
  const sandbox = useSandbox();

  it('refuses a CLI without a client certificate, and convoyd logs why', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const res = await fleet.cli(['agents'], { env: { CONVOY_CERT: undefined, CONVOY_KEY: undefined } });
    expect(res.code, res.stderr).to.equal(2);
    expect(res.stderr).to.match(/client certificate refused: no client certificate/);
    expect(await logged(fleet.coordinator, /refused TLS client .*no client certificate/)).to.match(/^refused TLS client 127\.0\.0\.1:\d+/);
  });

  it('refuses a certificate from another CA, naming its issuer', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const otherDir = path.join(sandbox.dir, 'other-ca');
    await createCa({ dir: otherDir, name: 'Rogue CA' });
    const rogue = await issueCertificate({ caDir: otherDir, kind: 'operator', names: [TEST_OPERATOR] });
    const res = await fleet.cli(['rollout', 'list'], { env: cliTlsEnv(tlsOf(fleet).ca, rogue) });
    expect(res.code, res.stderr).to.equal(2);
    expect(res.stderr).to.match(/not signed by this fleet's CA \(issuer O=Convoy,CN=Rogue CA/);
    expect(await logged(fleet.coordinator, /refused TLS client/)).to.contain(`CN=${TEST_OPERATOR} is not signed by this fleet's CA`);
  });

  it('refuses an expired certificate', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const tls = tlsOf(fleet);
    const expired = await issueCertificate({
      caDir: tls.caDir,
      outDir: path.join(sandbox.dir, 'expired'),
      kind: 'operator',
      names: [TEST_OPERATOR],
      days: -1,
    });
    const res = await fleet.cli(['agents'], { env: cliTlsEnv(tls.ca, expired) });
    expect(res.code, res.stderr).to.equal(2);
    expect(res.stderr).to.match(/has expired/);
    expect(await logged(fleet.coordinator, /refused TLS client/)).to.match(/CN=convoy-test has expired \(on /);
  });

  it('refuses an agent whose configured id differs from its certificate; the real agent stays connected', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const tls = tlsOf(fleet);
    await fleet.stopAgent('hoss-b');
    // hoss-b's agent.yaml keeps id: hoss-b but presents hoss-a's certificate.
    fleet.updateAgentConfig('hoss-b', { coordinator: { tls: { cert: tls.agents['hoss-a']!.cert, key: tls.agents['hoss-a']!.key } } });
    const agent = fleet.startAgent('hoss-b');
    expect(await logged(agent, /refused agent hoss-b/)).to.contain(
      'PERMISSION_DENIED: hello names agent "hoss-b" but the client certificate is for agent "hoss-a"',
    );
    expect(await logged(fleet.coordinator, /agent connection refused/)).to.contain('hello names agent "hoss-b"');
    expect(await agentConnected(fleet, 'hoss-a'), 'hoss-a keeps its session').to.equal(true);
    expect(await agentConnected(fleet, 'hoss-b')).to.equal(false);
  });

  it('keeps the services apart: an agent certificate cannot use the CLI, an operator certificate cannot open the agent stream', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const tls = tlsOf(fleet);
    const res = await fleet.cli(['agents'], { env: cliTlsEnv(tls.ca, tls.agents['hoss-a']!) });
    expect(res.code, res.stderr).to.equal(2);
    expect(res.stderr).to.contain('agent certificate "hoss-a" cannot use the CLI service');
    expect(await logged(fleet.coordinator, /refused listAgents/)).to.contain('agent certificate "hoss-a" cannot use the CLI service');

    await fleet.stopAgent('hoss-b');
    fleet.updateAgentConfig('hoss-b', { coordinator: { tls: { cert: tls.operator.cert, key: tls.operator.key } } });
    const agent = fleet.startAgent('hoss-b');
    expect(await logged(agent, /cannot reach coordinator|refused agent hoss-b/)).to.contain(
      `operator certificate "${TEST_OPERATOR}" cannot open the agent stream`,
    );
    expect(await logged(fleet.coordinator, /agent stream from .* refused/)).to.contain(`operator certificate "${TEST_OPERATOR}"`);
  });

  it('lets a viewer read but not start a rollout; the event log names the certificate, not what the CLI claims', async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      coordinatorOverrides: {
        operators: [
          { name: TEST_OPERATOR, role: 'operator' },
          { name: 'vic', role: 'viewer' },
        ],
      },
    });
    const tls = tlsOf(fleet);
    const vic = await issueCertificate({ caDir: tls.caDir, outDir: path.join(sandbox.dir, 'vic'), kind: 'operator', names: ['vic'] });
    const asVic = { env: cliTlsEnv(tls.ca, vic) };
    const read = await fleet.cli(['agents', '--json'], asVic);
    expect(read.code, read.stderr).to.equal(0);

    const start = await fleet.cli(['rollout', 'start', 'hoss', '--to', '0.2.0'], asVic);
    expect(start.code, start.stderr).to.equal(2);
    expect(start.stderr).to.contain('operator "vic" is a viewer; convoy rollout start needs the operator role');
    expect(await logged(fleet.coordinator, /refused startRollout/)).to.contain('operator "vic" is a viewer');
    expect(await listRollouts(fleet)).to.deep.equal([]);

    // The CLI also names its user@host in the call's metadata; under mTLS only the certificate counts.
    const started = await fleet.cli(['rollout', 'start', 'hoss', '--to', '0.2.0', '--json']);
    expect(started.code, started.stderr).to.equal(0);
    const id = (started.json as { id: string }).id;
    expect((await status(fleet, id)).initiator).to.equal(TEST_OPERATOR);
    const events = await fleet.cli(['events', '--rollout', id, '--json']);
    const actors = (events.json as { actor: string; kind: string }[]).filter((e) => e.kind === 'action').map((e) => e.actor);
    expect(actors).to.include(TEST_OPERATOR);
    await fleet.cli(['rollout', 'abort', id]);
  });

  it('revokes an agent on SIGHUP without a restart: its stream closes and it is refused until un-revoked', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const convoyd = fleet.coordinator!;
    const agentB = fleet.host('hoss-b').agent!;
    const fromB = agentB.lines.length;

    writeYaml(fleet.coordinatorConfigFile, { ...fleet.coordinatorConfig, denyAgents: ['hoss-b'] });
    convoyd.signal('SIGHUP');
    expect(await logged(convoyd, /SIGHUP: reloaded/)).to.contain('newly revoked: hoss-b');
    expect(await logged(convoyd, /closing the stream of agent hoss-b/)).to.contain('agent "hoss-b" is revoked (denyAgents in');
    expect(await logged(agentB, /revoked/, fromB)).to.match(/refused agent hoss-b: PERMISSION_DENIED: agent "hoss-b" is revoked/);
    await waitFor(async () => !(await agentConnected(fleet, 'hoss-b')), { what: 'hoss-b to be disconnected', timeoutMs: 30_000 });
    // Reconnecting is refused at the stream's start, on the certificate's identity.
    await logged(convoyd, /agent stream from .* refused: agent "hoss-b" is revoked/);
    const start = await fleet.cli(['rollout', 'start', 'hoss', '--to', '0.2.0']);
    expect(start.code).to.not.equal(0);
    expect(start.stderr).to.match(/hoss-b/);
    expect(convoyd.hasExited(), 'convoyd kept running').to.equal(false);

    // A broken file changes nothing; a fixed one lets hoss-b back in.
    const fromBroken = convoyd.lines.length;
    fs.writeFileSync(fleet.coordinatorConfigFile, 'listen: [oops\n');
    convoyd.signal('SIGHUP');
    expect(await logged(convoyd, /SIGHUP: .* is invalid; keeping the running configuration/, fromBroken)).to.contain('not valid YAML');
    writeYaml(fleet.coordinatorConfigFile, fleet.coordinatorConfig);
    convoyd.signal('SIGHUP');
    await waitFor(() => agentConnected(fleet, 'hoss-b'), { what: 'hoss-b to reconnect after un-revoking', timeoutMs: 30_000 });
  });

  it('revokes one certificate by fingerprint on SIGHUP: the old one is refused, a re-issued one for the same id connects', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const tls = tlsOf(fleet);
    const convoyd = fleet.coordinator!;
    const old = tls.agents['hoss-b']!;
    const fingerprint = certificateFileFingerprint(old.cert);
    const reissued = await issueCertificate({
      caDir: tls.caDir,
      outDir: path.join(sandbox.dir, 'reissued'),
      kind: 'agent',
      names: ['hoss-b'],
    });
    expect(certificateFileFingerprint(reissued.cert)).to.not.equal(fingerprint);

    // Denied as plain lower-case hex; convoyd closes the open stream of the old certificate.
    const from = convoyd.lines.length;
    writeYaml(fleet.coordinatorConfigFile, {
      ...fleet.coordinatorConfig,
      denyCertificates: [fingerprint.replaceAll(':', '').toLowerCase()],
    });
    convoyd.signal('SIGHUP');
    expect(await logged(convoyd, /SIGHUP: reloaded/, from)).to.contain(`newly revoked certificates: ${fingerprint.slice(0, 23)}:…`);
    const reason = `certificate ${fingerprint.slice(0, 23)}:… of agent "hoss-b" is revoked (denyCertificates in`;
    expect(await logged(convoyd, /closing the connection of TLS client/, from)).to.contain(reason);
    // Its reconnection is refused with the reason logged.
    expect(await logged(convoyd, /refused TLS client .*denyCertificates/, from)).to.contain(reason);
    await waitFor(async () => !(await agentConnected(fleet, 'hoss-b')), { what: 'hoss-b to be disconnected', timeoutMs: 15_000 });
    expect(await agentConnected(fleet, 'hoss-a'), 'other agents keep their session').to.equal(true);

    // The same agent id with its re-issued certificate connects.
    await fleet.stopAgent('hoss-b');
    fleet.updateAgentConfig('hoss-b', { coordinator: { tls: { cert: reissued.cert, key: reissued.key } } });
    fleet.startAgent('hoss-b');
    await waitFor(() => agentConnected(fleet, 'hoss-b'), { what: 'hoss-b to connect with its new certificate', timeoutMs: 15_000 });
  });

  it('refuses to start convoyd with a private key others can read, naming the fix', async () => {
    const fleet = await createFleet({ dir: sandbox.dir, start: false });
    const key = path.join(sandbox.dir, 'coordinator', 'loose.key');
    fs.copyFileSync(tlsOf(fleet).coordinator.key, key);
    fs.chmodSync(key, 0o644);
    writeYaml(fleet.coordinatorConfigFile, { ...fleet.coordinatorConfig, tls: { ...(fleet.coordinatorConfig.tls as object), key } });
    let failure = '';
    await fleet.startCoordinator().catch((err: Error) => (failure = err.message));
    expect(fleet.coordinator?.exitCode).to.equal(2);
    expect(failure).to.contain(`tls.key "${key}" is readable or writable by group or others (mode 0644)`);
    expect(failure).to.contain(`Run chmod 600 ${key}`);
  });

  it('warns at every start when running plaintext (insecure: true)', async () => {
    const fleet = await createFleet({ dir: sandbox.dir, tls: false, servers: [{ name: 'hoss-a', role: 'member' }] });
    expect(await logged(fleet.coordinator, /gRPC is plaintext \(insecure: true\)/)).to.contain('use it only for local tests');
    expect(await logged(fleet.host('hoss-a').agent, /plaintext gRPC to the coordinator/)).to.contain('coordinator.insecure: true');
    const res = await fleet.cli(['agents', '--json']);
    expect(res.code, res.stderr).to.equal(0);
  });
});
