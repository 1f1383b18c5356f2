import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { AgentConfig, StepConfig } from '../../../../agent/types.js';
import { compilePattern } from '../../../../shared/output-pattern.js';
import { createSampleRepo, recordingHooks, stepRequest, type SampleRepo } from '../helpers/sample-repo.js';

/** A step of the test config with its command and checks replaced. */
function withStep(config: AgentConfig, name: string, patch: Partial<StepConfig> & { expect?: string[]; reject?: string[] }): AgentConfig {
  const change = (s: StepConfig): StepConfig =>
    s.name !== name
      ? s
      : {
          ...s,
          ...patch,
          builtin: false,
          expectOutput: (patch.expect ?? []).map(compilePattern),
          rejectOutput: (patch.reject ?? []).map(compilePattern),
        };
  return { ...config, steps: config.steps.map(change), rollback: config.rollback.map(change) };
}

describe('plan: what makes a command step succeed', () => {
  let sample: SampleRepo;
  beforeEach(() => (sample = createSampleRepo()));
  afterEach(() => sample.remove());
  const run = async (config: AgentConfig, step: string, extra = {}) => {
    const { Plan } = await import('../../../../agent/plan/plan.js');
    const { FakeClock } = await import('../../../../shared/clock.js');
    const { silentLogger } = await import('../../../../shared/logger.js');
    const plan = new Plan({ config, clock: new FakeClock(), logger: silentLogger() });
    const hooks = recordingHooks();
    const result = await plan.run(stepRequest(step, '0.2.0', extra), hooks);
    return { result, lines: hooks.lines };
  };

  it('fails a command that exits 0 but prints a rejected line, in its own words', async () => {
    const config = withStep(sample.config(), 'config', {
      command: 'echo "WARNING: An existing installation is detected."; echo "Reset the local installation first."; exit 0',
      reject: ['An existing installation is detected'],
    });
    const { result } = await run(config, 'config');
    expect(result).to.include({ outcome: 'FAILED', exitCode: 0 });
    expect(result.reason).to.match(
      /exited 0 but its output matched rejectOutput "An existing installation is detected": "WARNING: An existing installation is detected\." "Reset the local installation first\."$/,
    );
  });

  it('fails a command that exits 0 without the output it must print, and passes one that prints it (regex form)', async () => {
    const missing = await run(withStep(sample.config(), 'config', { command: 'echo partial', expect: ['Restore Complete'] }), 'config');
    expect(missing.result.outcome).to.equal('FAILED');
    expect(missing.result.reason).to.equal('echo partial exited 0 but its output lacks "Restore Complete" (expectOutput)');
    const ok = await run(
      withStep(sample.config(), 'config', { command: 'echo "Restore Complete  :tada:"', expect: ['/^Restore Complete\\b/'] }),
      'config',
    );
    expect(ok.result.outcome).to.equal('SUCCEEDED');
  });

  it('runs the verify command after exit 0 and fails the step when it fails', async () => {
    const config = withStep(sample.config(), 'config', { command: 'true', verify: 'echo "service not answering" >&2; exit 3' });
    const { result, lines } = await run(config, 'config');
    expect(result).to.include({ outcome: 'FAILED', exitCode: 0 });
    expect(result.reason).to.match(/^true exited 0 but its verify command failed: echo .* exited with code 3: "service not answering"$/);
    expect(lines).to.include('[verify] service not answering');
  });

  it('runs the cleanup before a re-run after an interruption only, and not the step when the cleanup fails', async () => {
    const marker = path.join(sample.tmp, 'ran');
    const config = withStep(sample.config(), 'config', { command: `touch ${marker}`, cleanup: 'echo cleaning' });
    const first = await run(config, 'config', { attempt: 1 });
    expect(first.lines.some((l) => l.startsWith('[cleanup]'))).to.equal(false);
    const again = await run(config, 'config', { attempt: 2 });
    expect(again.result.outcome).to.equal('SUCCEEDED');
    expect(again.lines).to.include('[cleanup] cleaning');
    fs.rmSync(marker);
    const broken = withStep(sample.config(), 'config', {
      command: `touch ${marker}`,
      cleanup: 'echo "cannot remove .current" >&2; exit 1',
    });
    const failed = await run(broken, 'config', { attempt: 2 });
    expect(failed.result.outcome).to.equal('FAILED');
    expect(failed.result.reason).to.match(/^cleanup before re-running config failed: .* exited with code 1: "cannot remove \.current"$/);
    expect(fs.existsSync(marker), 'the step itself did not run').to.equal(false);
  });

  it('starts the alongside step once the main command asks for it, and waits for both', async () => {
    const started = path.join(sample.tmp, 'server-started');
    const base = sample.config();
    // the main command announces it is ready, then waits until the alongside step has started the server
    const restore = `echo "Ready for restore. Please start the server!"; while [ ! -e ${started} ]; do sleep 0.05; done; echo "Restore Complete"`;
    const config: AgentConfig = withStep(withStep(base, 'up', { command: `touch ${started}; echo up done` }), 'config', {
      command: restore,
      expect: ['Restore Complete'],
    });
    config.steps = config.steps.map((s) =>
      s.name === 'config' ? { ...s, alongside: { step: 'up', after: compilePattern('Please start the server') } } : s,
    );
    const { result, lines } = await run(config, 'config');
    expect(result.outcome, result.reason).to.equal('SUCCEEDED');
    const ready = lines.indexOf('Ready for restore. Please start the server!');
    const up = lines.findIndex((l) => l.startsWith('[up] starting'));
    expect(ready).to.be.at.least(0);
    expect(up).to.be.greaterThan(ready);
    expect(lines).to.include('[up] up done');
  });

  it('fails when the main command never asks for its alongside step, and when the alongside step fails', async () => {
    const base = withStep(sample.config(), 'up', { command: 'echo "up: error" >&2; exit 2' });
    const never = withStep(base, 'config', { command: 'echo nothing to restore' });
    never.steps = never.steps.map((s) =>
      s.name === 'config' ? { ...s, alongside: { step: 'up', after: compilePattern('Please start') } } : s,
    );
    const a = await run(never, 'config');
    expect(a.result.outcome).to.equal('FAILED');
    expect(a.result.reason).to.equal(
      'echo nothing to restore exited 0 but never printed "Please start", so up was not started alongside it',
    );
    const waits = withStep(base, 'config', { command: 'echo "Please start"; sleep 30' });
    waits.steps = waits.steps.map((s) =>
      s.name === 'config' ? { ...s, alongside: { step: 'up', after: compilePattern('Please start') } } : s,
    );
    const b = await run(waits, 'config');
    expect(b.result.outcome).to.equal('FAILED');
    expect(b.result.reason).to.match(/^up, started alongside, failed: echo .* exited with code 2$/);
  });

  it('verifies the pre-update backup before a step that needs it runs: a changed archive stops a reset before it removes anything', async () => {
    const marker = path.join(sample.tmp, 'reset-ran');
    const backup = 'mkdir -p backups && echo "state at 0.1.0" > backups/hoss.tar.gz';
    let config = withStep(sample.config({ commands: { backup, config: 'make config', build: 'make build' } }), 'backup', {
      command: backup,
    });
    const taken = await run(config, 'backup');
    expect(taken.result.outcome).to.equal('SUCCEEDED');
    const id = taken.result.backup?.id ?? '';
    const reset: StepConfig = { ...config.steps[0]!, name: 'reset', command: `touch ${marker}`, requiresBackup: true };
    config = { ...config, rollback: [...config.rollback, reset] };
    fs.appendFileSync(path.join(sample.serverDir, 'backups', 'hoss.tar.gz'), 'tampered');
    const refused = await run(config, 'reset', { backupId: id });
    expect(refused.result.outcome).to.equal('FAILED');
    expect(refused.result.reason).to.match(
      /^reset refused before it ran: backup \S+: archive .*hoss\.tar\.gz changed since it was recorded/,
    );
    expect(fs.existsSync(marker)).to.equal(false);
  });
});
