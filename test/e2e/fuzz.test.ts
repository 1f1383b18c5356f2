/**
 * Issue 7: hostile input. Well over a thousand malformed or hostile messages on each side of
 * the protocol, over real mutual TLS: on convoyd's two services from raw gRPC clients holding
 * real certificates, and on the agent from a fake coordinator it connects to. Both stay up,
 * answer INVALID_ARGUMENT (or another honest refusal) or close the stream, run no command
 * (the sample servers' own event logs and the agent's step logs say so), and a normal rollout
 * succeeds right after. The counts are printed; CONVOY_FUZZ_SEED replays a run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { tlsChannel } from '../../shared/tls-client.js';
import { createFleet, useSandbox, type Fleet } from '../helpers/index.js';
import { testCertificate } from '../helpers/tls.js';
import { agentCases, FUZZ_AGENT, runAgentServiceFuzz } from './fuzz/agent-service-fuzz.js';
import { controlCases, rawClient, runControlFuzz } from './fuzz/control-fuzz.js';
import { FakeCoordinator, hostileMessages } from './fuzz/fake-coordinator.js';
import { Rng, Tally, seedFromEnv } from './fuzz/random.js';

const CONTROL_MESSAGES = 700;
const AGENT_SERVICE_MESSAGES = 500;
const AGENT_MESSAGES = 1100;

function eventCounts(fleet: Fleet): Record<string, number> {
  return Object.fromEntries(fleet.hosts.map((h) => [h.name, h.server.readEvents().length]));
}

async function served(fleet: Fleet): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const h of fleet.hosts) out[h.name] = await h.server.servedVersion();
  return out;
}

async function rollOutNormally(fleet: Fleet): Promise<void> {
  const res = await fleet.cli(['rollout', 'start', 'hoss', '--to', '0.2.0', '--watch'], { timeoutMs: 100_000 });
  expect(res.code, res.stderr).to.equal(0);
  expect(await served(fleet)).to.deep.equal({ 'hoss-auth': '0.2.0', 'hoss-a': '0.2.0', 'hoss-b': '0.2.0' });
}

function print(...tallies: [string, Tally][]): void {
  for (const [title, tally] of tallies)
    console.log(
      tally
        .lines(title)
        .map((l) => `      ${l}`)
        .join('\n'),
    );
}

describe('e2e: hostile input', function () {
  this.timeout(300_000);
  const sandbox = useSandbox();

  it('convoyd answers 1,200 hostile calls and agent messages with refusals, runs nothing, then rolls out normally', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const tls = fleet.tls!;
    const rng = new Rng(seedFromEnv());
    console.log(`      seed ${rng.seed} (CONVOY_FUZZ_SEED=${rng.seed} replays it)`);
    const before = eventCounts(fleet);
    const address = fleet.coordinatorAddress;
    const read = (f: string): Buffer => fs.readFileSync(f);

    const asOperator = tlsChannel(address, { ca: read(tls.ca), cert: read(tls.operator.cert), key: read(tls.operator.key) });
    const control = rawClient(address, asOperator.credentials, asOperator.options);
    const fuzzCert = await testCertificate('agent', [FUZZ_AGENT]);
    const asAgent = tlsChannel(address, { ca: read(tls.ca), cert: read(fuzzCert.cert), key: read(fuzzCert.key) });
    const agentClient = rawClient(address, asAgent.credentials, asAgent.options);
    try {
      const ctl = await runControlFuzz(control, controlCases(rng, CONTROL_MESSAGES));
      const ags = await runAgentServiceFuzz(agentClient, agentCases(rng, AGENT_SERVICE_MESSAGES));
      print(['ControlService', ctl.tally], ['AgentService', ags.tally]);
      expect(ctl.wrong, 'ControlService answers').to.deep.equal([]);
      expect(ags.wrong, 'AgentService answers').to.deep.equal([]);
      expect(ctl.tally.total + ags.tally.total).to.be.at.least(1000);
    } finally {
      control.close();
      agentClient.close();
    }

    expect(fleet.coordinator?.hasExited(), 'convoyd is still running').to.equal(false);
    expect(eventCounts(fleet), 'no sample server saw a backup, build, stop or start').to.deep.equal(before);
    expect((await fleet.cli(['rollout', 'list', '--json'])).json, 'no rollout was started').to.deep.equal([]);
    await fleet.waitAgentsConnected(['hoss-auth', 'hoss-a', 'hoss-b']);
    await rollOutNormally(fleet);
  });

  it('the agent refuses 1,100 hostile coordinator messages, runs no command, then rolls out with the real coordinator', async () => {
    const fleet = await createFleet({ dir: sandbox.dir });
    const tls = fleet.tls!;
    const rng = new Rng(seedFromEnv());
    console.log(`      seed ${rng.seed} (CONVOY_FUZZ_SEED=${rng.seed} replays it)`);
    const fake = new FakeCoordinator({ ca: tls.ca, ...tls.coordinator });
    try {
      const fakeAddress = await fake.start();
      const host = fleet.host('hoss-b');
      const realAddress = (host.agentConfig.coordinator as { address: string }).address;
      await fleet.stopAgent('hoss-b');
      fleet.updateAgentConfig('hoss-b', { coordinator: { address: fakeAddress } });
      const agent = fleet.startAgent('hoss-b');
      const eventsBefore = host.server.readEvents().length;

      const messages = hostileMessages(rng, AGENT_MESSAGES, 'hoss-b');
      const families = new Tally();
      const inspections: string[] = [];
      const allInspected = (): boolean => inspections.every((id) => fake.inspected.has(id));
      for (const m of messages) {
        families.add(m.family + (m.closeAfter ? ' (then the stream is closed)' : ''));
        // Inspection answers are not journalled: let them arrive before a stream is closed on purpose.
        if (m.closeAfter) await fake.until(allInspected, 'the answers to the inspections sent so far');
        if (m.expect === 'inspected') inspections.push(m.requestId!);
        await fake.send(m);
      }
      const refusable = messages.filter((m) => m.expect === 'refused').map((m) => m.requestId!);
      await fake.until(() => refusable.every((id) => fake.results.has(id)), 'an answer to every step request', 180_000);
      await fake.until(allInspected, 'an answer to every inspection', 60_000);
      fake.answers.add('inspection answered (read-only)', inspections.length);
      fake.answers.add(
        'no answer due (cancel, ack, welcome, refusal, empty, or an id it cannot echo: ignored and logged)',
        messages.filter((m) => m.expect === 'nothing').length,
      );
      print(['Sent to the agent', families], ['Agent answers', fake.answers]);
      console.log(`      the agent reconnected ${fake.sessions - 1} times after closed streams`);

      const outcomes = new Set([...fake.results.values()].map((r) => r.outcome));
      expect([...outcomes], 'every step request was refused').to.deep.equal(['REFUSED']);
      expect(fake.results.size, 'no answer to a request it should have ignored').to.equal(refusable.length);
      expect(agent.hasExited(), 'the agent is still running').to.equal(false);
      expect(host.server.readEvents().length, 'the sample server saw no command').to.equal(eventsBefore);
      expect(fs.existsSync(path.join(host.stateDir, 'logs')), 'no step log was opened').to.equal(false);
      expect(await host.server.servedVersion()).to.equal('0.1.0');

      expect(await fleet.stopAgent('hoss-b'), 'the agent stops cleanly').to.equal(0);
      fleet.updateAgentConfig('hoss-b', { coordinator: { address: realAddress } });
      fleet.startAgent('hoss-b');
      await fleet.waitAgentsConnected(['hoss-b']);
    } finally {
      fake.stop();
    }
    await rollOutNormally(fleet);
  });
});
