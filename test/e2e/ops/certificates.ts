/**
 * Certificate expiry: an agent connecting with a certificate that expires in 10 days (issued
 * with openssl by the code behind `convoy certs issue`) shows in convoyd's
 * convoy_certificate_expiry_timestamp_seconds, in `convoy agents --json` and `convoy certs
 * list`, and a real Prometheus loading the shipped rules fires ConvoyCertificateExpiringSoon
 * for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readCertificateFile } from '../../../shared/cert-info.js';
import { shortFingerprint } from '../../../shared/cert-identity.js';
import { caFiles, issueCertificate } from '../../../shared/certs.js';
import { createFleet, repoRoot, type Sandbox } from '../../helpers/index.js';
import { startPrometheus } from '../../helpers/prometheus.js';
import { testCaDir, TEST_OPERATOR } from '../../helpers/tls.js';

const DAY_S = 86_400;

/** Every series of one family in a /metrics text: labels -> value. */
function seriesOf(text: string, family: string): { labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${family}{`))
    .map((l) => {
      const labels = Object.fromEntries([...l.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { labels, value: Number(l.slice(l.lastIndexOf(' ') + 1)) };
    });
}

export function certificateChecks(sandbox: Sandbox): void {
  it('exports the expiry of an agent certificate that expires in 10 days, and the shipped alert rule fires for it in a real Prometheus', async () => {
    const short = path.join(sandbox.dir, 'short-lived');
    const files = await issueCertificate({ caDir: await testCaDir(), outDir: short, kind: 'agent', names: ['hoss-a'], days: 10 });
    const issued = readCertificateFile(files.cert)[0]!;
    const fleet = await createFleet({
      dir: sandbox.dir,
      servers: [{ name: 'hoss-a', role: 'member', agent: { coordinator: { tls: { cert: files.cert, key: files.key } } } }],
      cluster: false,
    });
    const listed = (await fleet.agents()).find((a) => a.id === 'hoss-a') as unknown as { certificate: Record<string, unknown> };
    expect(listed.certificate).to.deep.equal({ subject: 'hoss-a', fingerprint: issued.fingerprint, notAfterMs: issued.notAfterMs });

    const series = seriesOf(await (await fetch(fleet.metricsUrl)).text(), 'convoy_certificate_expiry_timestamp_seconds');
    const agent = series.find((s) => s.labels.role === 'agent' && s.labels.subject === 'hoss-a');
    expect(agent?.labels.fingerprint).to.equal(issued.fingerprint);
    expect(agent?.value).to.equal(issued.notAfterMs / 1000);
    expect(agent!.value - Date.now() / 1000).to.be.within(10 * DAY_S - 600, 10 * DAY_S);
    const own = readCertificateFile(fleet.tls!.coordinator.cert)[0]!;
    expect(series.find((s) => s.labels.role === 'coordinator')).to.deep.equal({
      labels: { role: 'coordinator', subject: own.subject, fingerprint: own.fingerprint },
      value: own.notAfterMs / 1000,
    });
    expect(series.some((s) => s.labels.role === 'ca')).to.equal(true);
    expect(series.some((s) => s.labels.role === 'operator' && s.labels.subject === TEST_OPERATOR)).to.equal(true);

    const prom = await startPrometheus({
      dir: sandbox.dir,
      targets: [{ job: 'convoyd', url: fleet.metricsUrl }],
      ruleFiles: [path.join(repoRoot(), 'deploy', 'prometheus', 'convoy-rules.yml')],
    });
    await prom.waitForTargetsUp();
    const [alert] = await prom.waitForAlert('ConvoyCertificateExpiringSoon', 'firing', { labels: { role: 'agent', subject: 'hoss-a' } });
    expect(alert?.labels.fingerprint).to.equal(issued.fingerprint);
    expect(Number(alert?.value)).to.be.within(10 * DAY_S - 600, 10 * DAY_S);
    expect(alert?.annotations.summary).to.match(/^The agent certificate of hoss-a expires in 9d 23h \d+m \d+s$/);
    expect((await prom.alerts()).filter((a) => a.labels.alertname === 'ConvoydDown')).to.deep.equal([]);

    // the operator's view of the same file
    fs.copyFileSync(caFiles(await testCaDir()).cert, path.join(short, 'ca.crt'));
    const list = await fleet.cli(['certs', 'list', '--dir', short]);
    expect(list.code, list.stderr).to.equal(0);
    const line = list.stdout.split('\n').find((l) => l.startsWith('agent-hoss-a.crt'));
    expect(line).to.contain(shortFingerprint(issued.fingerprint));
    expect(line).to.match(/expires in 9 days$/);
  });
}
