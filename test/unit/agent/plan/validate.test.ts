import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { createSampleRepo, recordingHooks, stepRequest, type SampleRepo } from '../helpers/sample-repo.js';

describe('plan: validating a request before anything runs', () => {
  let sample: SampleRepo;
  beforeEach(() => (sample = createSampleRepo()));
  afterEach(() => sample.remove());

  const PLAN = 'backup, release-notes, checkout, config, build, up, health, backup-after';

  it('accepts a step of the plan toward an existing tag', async () => {
    expect(await sample.plan().validate(stepRequest('checkout', '0.2.0'))).to.equal(undefined);
  });

  it('accepts the tracked branch as a target', async () => {
    expect(await sample.plan().validate(stepRequest('checkout', 'main'))).to.equal(undefined);
  });

  for (const hostile of ['1.2.0; rm -rf /', '--upload-pack=x', '$(id)', '-x']) {
    it(`refuses the version "${hostile}" before touching git`, async () => {
      const reason = await sample.plan().validate(stepRequest('checkout', hostile));
      expect(reason).to.match(/^target version refused: ".*" is not a version: use a tag or branch name/);
    });
  }

  it('refuses a version that is neither a tag nor the tracked branch, listing the known tags', async () => {
    const reason = await sample.plan().validate(stepRequest('build', '9.9.9'));
    expect(reason).to.equal(`version 9.9.9 does not exist in ${sample.repo.dir}: no such tag (known: 0.3.0, 0.2.0, 0.1.0)`);
  });

  it('fetches a tag that exists only on the remote yet', async () => {
    sample.origin.commit('release 0.4.0');
    sample.origin.tag('0.4.0');
    expect(await sample.plan().validate(stepRequest('checkout', '0.4.0'))).to.equal(undefined);
    expect(sample.repo.git('tag', '--list', '0.4.0')).to.equal('0.4.0');
  });

  it('does not fetch when fetching is switched off', async () => {
    sample.origin.commit('release 0.4.0');
    sample.origin.tag('0.4.0');
    const plan = sample.plan({ overrides: { fetch: false } });
    expect(await plan.validate(stepRequest('checkout', '0.4.0'))).to.match(/^version 0\.4\.0 does not exist/);
  });

  it('refuses a step that is not in the plan, naming the plan', async () => {
    expect(await sample.plan().validate(stepRequest('deploy', '0.2.0'))).to.equal(
      `step "deploy" is not in the plan of agent hoss-a (plan: ${PLAN}; rollback: rollback-checkout, config, build, up, health)`,
    );
  });

  it('refuses a step that is switched off', async () => {
    const plan = sample.plan({ disabled: ['build'] });
    const reason = await plan.validate(stepRequest('build', '0.2.0'));
    expect(reason).to.equal(
      `step "build" is disabled in ${path.join(sample.stateDir, 'agent.yaml')} of agent hoss-a (plan: backup, release-notes, checkout, config, up, health, backup-after)`,
    );
  });

  it('refuses restore when no restore command is configured', async () => {
    const reason = await sample.plan().validate(stepRequest('restore', '0.1.0', { backupId: 'x' }));
    expect(reason).to.match(/^step "restore" is not configured on agent hoss-a: add steps\.restore to /);
  });

  it('refuses a request meant for another agent', async () => {
    const reason = await sample.plan().validate(stepRequest('build', '0.2.0', { agentId: 'hoss-b' }));
    expect(reason).to.equal('request for agent hoss-b refused: this is agent hoss-a');
  });

  it('refuses a health deadline that is not a number of milliseconds', async () => {
    const reason = await sample.plan().validate(stepRequest('health', '0.2.0', { healthDeadlineMs: -5 }));
    expect(reason).to.equal('health deadline -5 is not a number of milliseconds');
  });

  it('refuses a rollout id that could escape the log directory', async () => {
    const reason = await sample.plan().validate(stepRequest('build', '0.2.0', { rolloutId: '..' }));
    expect(reason).to.equal(`rollout id ".." is not valid: use 1 to 64 letters, digits, '.', '_' or '-'`);
  });

  it('refuses a checkout on a dirty work tree but lets a build run', async () => {
    fs.appendFileSync(path.join(sample.serverDir, 'Makefile'), '# local edit\n');
    fs.writeFileSync(path.join(sample.repo.dir, 'notes.txt'), 'mine');
    const plan = sample.plan();
    expect(await plan.validate(stepRequest('checkout', '0.2.0'))).to.equal(
      `work tree ${sample.repo.dir} is not clean: M server/Makefile, ?? notes.txt — commit, stash or remove the changes, then retry`,
    );
    expect(await plan.validate(stepRequest('build', '0.2.0'))).to.equal(undefined);
  });

  it('does not count ignored files as local changes', async () => {
    fs.mkdirSync(path.join(sample.serverDir, 'backups'));
    fs.writeFileSync(path.join(sample.serverDir, 'backups', 'a.tar.gz'), 'x');
    expect(await sample.plan().validate(stepRequest('checkout', '0.2.0'))).to.equal(undefined);
  });

  it('accepts a rollback checkout only to a commit its own checkout left', async () => {
    const plan = sample.plan();
    const ok = stepRequest('rollback-checkout', '0.1.0', { restoreCommit: sample.commits['0.1.0'] });
    expect(await plan.validate(ok)).to.equal(
      `restore commit ${sample.commits['0.1.0']} refused: this agent's checkout never left that commit (a rollback only returns to where an update started)`,
    );
    expect((await plan.run(stepRequest('checkout', '0.2.0'), recordingHooks())).outcome).to.equal('SUCCEEDED');
    expect(await plan.validate(ok)).to.equal(undefined);
    const elsewhere = stepRequest('rollback-checkout', '0.3.0', { restoreCommit: sample.commits['0.3.0'] });
    expect(await plan.validate(elsewhere)).to.match(/refused: this agent's checkout never left that commit/);
    const short = stepRequest('rollback-checkout', '0.1.0', { restoreCommit: sample.commits['0.1.0'].slice(0, 7) });
    expect(await plan.validate(short)).to.match(/is not a full commit id \(40 hex digits\)$/);
    const unknown = stepRequest('rollback-checkout', '0.1.0', { restoreCommit: 'f'.repeat(40) });
    expect(await plan.validate(unknown)).to.equal(`restore commit ${'f'.repeat(40)} does not exist in ${sample.repo.dir}`);
    const option = stepRequest('rollback-checkout', '0.1.0', { restoreCommit: '--orphan=x' });
    expect(await plan.validate(option)).to.match(/^restore commit "--orphan=x" is not a full commit id/);
  });

  it('refuses a restore whose backup id is not in the agent’s own catalogue', async () => {
    const plan = sample.plan({ restore: 'true' });
    const reason = await plan.validate(stepRequest('restore', '0.1.0', { backupId: '/etc/passwd' }));
    expect(reason).to.equal('backup "/etc/passwd" is not in the catalogue of agent hoss-a (see: convoy backups hoss-a)');
  });
});
