/**
 * A Plan flood: several viewers each fire many `Plan` calls at once (every call would make each
 * member inspect its repository). The git processes on every agent host stay within the bound
 * docs/security.md states, extra calls get RESOURCE_EXHAUSTED with the reason, the agents never
 * have to refuse (convoyd stays below their limit), and everyone stays connected.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AGENT_INSPECTION_LIMITS } from '../../../agent/inspection-gate.js';
import { loadServices } from '../../../shared/proto.js';
import { tlsChannel } from '../../../shared/tls-client.js';
import { createFleet, type Sandbox } from '../../helpers/index.js';
import { FakeCoordinator } from '../fuzz/fake-coordinator.js';
import { TEST_OPERATOR, testCertificate } from '../../helpers/tls.js';
import { entries, pem } from './support.js';

const VIEWERS = ['vera', 'viktor', 'vanya', 'valeria', 'vince'];
/** Each viewer asks for its own target: answers for one target are shared, so these are separate inspections. */
const TARGETS = ['0.2.0', '0.1.0', '0.3.0', '0.2.1', '1.0.0'];
const CALLS_PER_VIEWER = 20;
/** git commands one inspection runs at once (the repository state reads four things in parallel). */
const GIT_PER_INSPECTION = 4;
/** Helpers a `git fetch` from the origin starts next to it (upload-pack, …). */
const FETCH_HELPERS = 2;

/** Live git processes (argv[0] git or git-*) working in `dirs`, per dir. */
function gitProcesses(dirs: string[]): number[] {
  const counts = dirs.map(() => 0);
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (!/^git(-|$)/.test(path.basename(argv0))) continue;
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      const i = dirs.findIndex((d) => cwd === d || cwd.startsWith(`${d}/`) || cwd.startsWith(`${d}.origin.git`));
      if (i >= 0) counts[i]! += 1;
    } catch {
      // the process ended while we looked
    }
  }
  return counts;
}

type PlanAnswer = { ok: true; problems: string[] } | { ok: false; code: grpc.status; details: string };

export function inspectionLimits(sandbox: Sandbox): void {
  it('a Plan flood from several viewers leaves every agent host under its git process bound, with RESOURCE_EXHAUSTED beyond the rate', async () => {
    const fleet = await createFleet({
      dir: sandbox.dir,
      coordinatorOverrides: {
        operators: [{ name: TEST_OPERATOR, role: 'operator' }, ...VIEWERS.map((name) => ({ name, role: 'viewer' }))],
      },
    });
    const tls = fleet.tls!;
    const { ControlService } = loadServices();
    const clients = await Promise.all(
      VIEWERS.map(async (name) => {
        const cert = await testCertificate('operator', [name]);
        const { credentials, options } = tlsChannel(fleet.coordinatorAddress, {
          ca: pem(tls.ca),
          cert: pem(cert.cert),
          key: pem(cert.key),
        });
        return new ControlService(fleet.coordinatorAddress, credentials, options);
      }),
    );
    const plan = (client: grpc.Client, targetVersion: string): Promise<PlanAnswer> =>
      new Promise((resolve) => {
        const call = (client as unknown as Record<string, (...a: unknown[]) => void>).Plan!.bind(client);
        call(
          { cluster: 'hoss', host: '', targetVersion },
          new grpc.Metadata(),
          { deadline: Date.now() + 90_000 },
          (err: grpc.ServiceError | null, res: { problems: string[] }) =>
            resolve(err ? { ok: false, code: err.code, details: err.details } : { ok: true, problems: res.problems }),
        );
      });

    const roots = fleet.hosts.map((h) => h.server.root);
    const peak = roots.map(() => 0);
    let flooding = true;
    const sampler = (async () => {
      while (flooding) {
        gitProcesses(roots).forEach((n, i) => (peak[i] = Math.max(peak[i]!, n)));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    let answers: PlanAnswer[];
    try {
      answers = await Promise.all(clients.flatMap((c, i) => Array.from({ length: CALLS_PER_VIEWER }, () => plan(c, TARGETS[i]!))));
    } finally {
      flooding = false;
      await sampler;
      for (const c of clients) c.close();
    }

    const bound = AGENT_INSPECTION_LIMITS.concurrent * GIT_PER_INSPECTION + FETCH_HELPERS;
    console.log(`      peak git processes per host: ${fleet.hosts.map((h, i) => `${h.name} ${peak[i]}`).join(', ')} (bound ${bound})`);
    expect(Math.max(...peak), 'git processes at once on one host').to.be.at.most(bound);
    expect(Math.max(...peak), 'the sampler saw the inspections run').to.be.above(0);

    const limited = answers.filter((a): a is Extract<PlanAnswer, { ok: false }> => !a.ok);
    expect(limited.length, "calls beyond each viewer's rate").to.be.at.least(VIEWERS.length * (CALLS_PER_VIEWER - 5));
    expect(new Set(limited.map((a) => a.code))).to.deep.equal(new Set([grpc.status.RESOURCE_EXHAUSTED]));
    expect(limited[0]?.details).to.match(/^too many plans from "v\w+": at most 5 at once and 10 a minute; run convoy plan again in \d+s$/);
    const answered = answers.filter((a): a is Extract<PlanAnswer, { ok: true }> => a.ok);
    expect(answered.length, 'the calls within the rate are answered').to.equal(VIEWERS.length * 5);

    for (const h of fleet.hosts) expect(entries(h.agent, /^refused inspection/), `${h.name} never had to refuse`).to.deep.equal([]);
    const listing = await fleet.agents();
    expect(listing.every((a) => a.connected)).to.equal(true);
    // The operator still gets a plan; a host whose agent spent its burst of plan inspections says why and when to retry.
    const res = await fleet.cli(['plan', 'hoss', '--to', '0.2.0', '--json']);
    const problems = (res.json as { problems: string[] }).problems;
    for (const problem of problems) {
      expect(problem).to.match(
        /^hoss-[a-z]+: agent hoss-[a-z]+ was asked to inspect its repository too often \(at most 20 a minute\); run convoy plan again in \d+s$/,
      );
    }
  });

  it('the agent itself runs at most its limit of inspections however many a (hostile) coordinator sends, and refuses the rest with the reason', async () => {
    const fleet = await createFleet({ dir: sandbox.dir, servers: [{ name: 'hoss-a', role: 'member' }], cluster: false });
    const tls = fleet.tls!;
    const fake = new FakeCoordinator({ ca: tls.ca, ...tls.coordinator });
    try {
      const address = await fake.start();
      await fleet.stopAgent('hoss-a');
      fleet.updateAgentConfig('hoss-a', { coordinator: { address } });
      fleet.startAgent('hoss-a');
      const sent = 60;
      const ids = Array.from({ length: sent }, (_, i) => `plan-${i}.hoss-a`);
      for (const requestId of ids)
        await fake.send({ family: 'inspection', body: { inspect: { requestId, targetVersion: '0.2.0' } }, expect: 'inspected' });
      const root = fleet.host('hoss-a').server.root;
      let peak = 0;
      await fake.until(
        () => {
          peak = Math.max(peak, gitProcesses([root])[0]!);
          return ids.every((id) => fake.inspections.has(id));
        },
        `answers to all ${sent} inspections`,
        120_000,
      );
      const { concurrent, queued } = AGENT_INSPECTION_LIMITS;
      const refused = [...fake.inspections.values()].filter((r) => r.error.includes('the agent is busy'));
      console.log(
        `      ${sent} inspections sent at once: ${sent - refused.length} run, ${refused.length} refused; peak git processes ${peak}`,
      );
      expect(peak).to.be.at.most(concurrent * GIT_PER_INSPECTION + FETCH_HELPERS);
      expect(refused.length, 'beyond the running and waiting ones, refused at once').to.be.at.least(sent - 2 * (concurrent + queued));
      expect(refused[0]?.error).to.match(
        /^inspection failed: the agent is busy: \d+ inspections running and \d+ waiting \(its limit: 2 at once, 8 waiting, 30 a minute\); try again later$/,
      );
      expect(fake.inspections.get(ids[0]!)?.targetExists, 'the first ones ran').to.equal(true);
    } finally {
      fake.stop();
    }
  });
}
