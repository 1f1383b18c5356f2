import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { processGroupAlive } from '../../../../agent/exec/command.js';
import { createSampleRepo, recordingHooks, stepRequest, type SampleRepo } from '../helpers/sample-repo.js';

const BACKUP = 'mkdir -p backups && echo "data at $CONVOY_TARGET_VERSION" > "backups/hoss-$CONVOY_STEP.tar.gz"';

describe('plan: running steps', () => {
  let sample: SampleRepo;
  beforeEach(() => (sample = createSampleRepo()));
  afterEach(() => sample.remove());

  describe('checkout', () => {
    it('checks out the target tag and records the commit it left', async () => {
      const result = await sample.plan().run(stepRequest('checkout', '0.2.0'), recordingHooks());
      expect(result).to.include({
        outcome: 'SUCCEEDED',
        exitCode: 0,
        previousCommit: sample.commits['0.1.0'],
        requestId: 'req-checkout',
        attempt: 1,
      });
      expect(sample.repo.head()).to.equal(sample.commits['0.2.0']);
      expect(result.repo).to.include({ installedVersion: '0.2.0', commit: sample.commits['0.2.0'], clean: true, branch: '' });
      expect(result.reason).to.equal(
        `HEAD is now at ${sample.commits['0.2.0'].slice(0, 12)} (0.2.0), was ${sample.commits['0.1.0'].slice(0, 12)}`,
      );
    });

    it('fast-forwards the tracked branch to what the remote has', async () => {
      const newest = sample.origin.commit('unreleased work on main');
      const result = await sample.plan().run(stepRequest('checkout', 'main'), recordingHooks());
      expect(result.outcome).to.equal('SUCCEEDED');
      expect(sample.repo.head()).to.equal(newest);
      expect(result.repo?.branch).to.equal('main');
    });

    it('refuses a dirty work tree and leaves it where it was', async () => {
      fs.appendFileSync(path.join(sample.serverDir, 'Makefile'), '# local edit\n');
      const result = await sample.plan().run(stepRequest('checkout', '0.2.0'), recordingHooks());
      expect(result.outcome).to.equal('FAILED');
      expect(result.reason).to.equal(
        `work tree ${sample.repo.dir} is not clean: M server/Makefile — commit, stash or remove the changes, then retry`,
      );
      expect(sample.repo.head()).to.equal(sample.commits['0.1.0']);
    });

    it('rolls back to the recorded commit', async () => {
      const plan = sample.plan();
      const forward = await plan.run(stepRequest('checkout', '0.3.0'), recordingHooks());
      const back = await plan.run(stepRequest('rollback-checkout', '0.1.0', { restoreCommit: forward.previousCommit }), recordingHooks());
      expect(back).to.include({ outcome: 'SUCCEEDED', previousCommit: sample.commits['0.3.0'] });
      expect(back.repo?.installedVersion).to.equal('0.1.0');
    });
  });

  describe('commands', () => {
    it('reports a failing command with its exit code and output', async () => {
      const hooks = recordingHooks();
      const result = await sample.plan().run(stepRequest('build', '0.2.0'), hooks);
      expect(result).to.include({ outcome: 'FAILED', exitCode: 2, reason: 'make build exited with code 2' });
      expect(result.outputTail).to.include('building');
      expect(hooks.lines).to.include('building');
      expect(hooks.pgids).to.have.length(1);
    });

    it('passes the target and the rollout to the command as environment variables', async () => {
      const command =
        'echo "$CONVOY_TARGET_VERSION|$CONVOY_FROM_VERSION|$CONVOY_ROLLOUT_ID|$CONVOY_STEP|$CONVOY_AGENT_ID|$CONVOY_SERVER_DIR|$CONVOY_REPO|$PWD"';
      const result = await sample.plan({ commands: { up: command } }).run(stepRequest('up', '0.2.0'), recordingHooks());
      expect(result.outcome).to.equal('SUCCEEDED');
      expect(result.outputTail).to.deep.equal([`0.2.0|0.1.0|r-1|up|hoss-a|${sample.serverDir}|${sample.repo.dir}|${sample.serverDir}`]);
    });

    it('times out, kills the process group and says so', async () => {
      const hooks = recordingHooks();
      const result = await sample.plan({ commands: { up: 'sleep 30' }, timeouts: { up: 300 } }).run(stepRequest('up', '0.2.0'), hooks);
      const pgid = hooks.pgids[0] as number;
      expect(result).to.include({
        outcome: 'TIMED_OUT',
        exitCode: -1,
        reason: `sleep 30 timed out after 300ms; process group ${pgid} killed`,
      });
      expect(processGroupAlive(pgid)).to.equal(false);
    });

    it('is cancelled by the daemon’s signal', async () => {
      const controller = new AbortController();
      const hooks = recordingHooks(controller.signal);
      const running = sample.plan({ commands: { up: 'echo up; sleep 30' } }).run(stepRequest('up', '0.2.0'), {
        ...hooks,
        onOutput: () => controller.abort(),
      });
      const result = await running;
      expect(result.outcome).to.equal('CANCELLED');
      expect(result.reason).to.match(/^echo up; sleep 30 cancelled; process group \d+ killed$/);
    });

    it('appends the output to a log file per rollout and step, with timestamps', async () => {
      const plan = sample.plan();
      await plan.run(stepRequest('config', '0.2.0'), recordingHooks());
      const log = fs.readFileSync(path.join(sample.stateDir, 'logs', 'r-1', 'config.log'), 'utf8');
      expect(log).to.match(/^2026-01-01T00:00:00\.000Z step config started: target 0\.2\.0, attempt 1, request req-config\n/);
      expect(log).to.contain('2026-01-01T00:00:00.000Z config for 0.2.0\n');
      expect(log).to.match(/step config SUCCEEDED: make config exited with code 0\n$/);
    });

    it('refuses, without running anything, a request validate() would refuse', async () => {
      const hooks = recordingHooks();
      const result = await sample.plan().run(stepRequest('build', '0.2.0; reboot'), hooks);
      expect(result.outcome).to.equal('REFUSED');
      expect(hooks.pgids).to.deep.equal([]);
    });
  });

  describe('backups', () => {
    it('records the archive of a backup with the version it was taken at', async () => {
      const plan = sample.plan({ commands: { backup: BACKUP } });
      const result = await plan.run(stepRequest('backup', '0.2.0'), recordingHooks());
      expect(result.outcome).to.equal('SUCCEEDED');
      expect(result.backup).to.include({
        path: path.join(sample.serverDir, 'backups', 'hoss-backup.tar.gz'),
        version: '0.1.0',
        step: 'backup',
        rolloutId: 'r-1',
      });
      expect(plan.backups()).to.deep.equal([result.backup]);
    });

    it('fails a backup whose command produced no archive', async () => {
      const result = await sample
        .plan({ commands: { backup: 'echo "nothing written"' } })
        .run(stepRequest('backup', '0.2.0'), recordingHooks());
      expect(result).to.include({ outcome: 'FAILED', exitCode: 0 });
      expect(result.reason).to.equal(`backup command succeeded but produced no archive matching backups/*.tar.gz (in ${sample.serverDir})`);
    });

    it('restores the catalogued archive, whose path the command gets from the agent', async () => {
      const plan = sample.plan({ commands: { backup: BACKUP }, restore: 'echo "restoring $CONVOY_BACKUP_ARCHIVE"' });
      const backup = await plan.run(stepRequest('backup', '0.2.0'), recordingHooks());
      const request = stepRequest('restore', '0.1.0', { backupId: backup.backup?.id ?? '' });
      expect(await plan.validate(request)).to.equal(undefined);
      const result = await plan.run(request, recordingHooks());
      expect(result.outcome).to.equal('SUCCEEDED');
      expect(result.outputTail).to.include(`restoring ${backup.backup?.path}`);
    });

    it('refuses to restore a backup taken at another minor version', async () => {
      const plan = sample.plan({ commands: { backup: BACKUP }, restore: 'true' });
      const backup = await plan.run(stepRequest('backup', '0.2.0'), recordingHooks());
      await plan.run(stepRequest('checkout', '0.2.0'), recordingHooks());
      const reason = await plan.validate(stepRequest('restore', '0.2.0', { backupId: backup.backup?.id ?? '' }));
      expect(reason).to.equal(
        `backup ${backup.backup?.id} was taken at 0.1.0 and cannot be restored into 0.2.0 (backup.compatibility: same-major-minor); roll back the checkout first`,
      );
    });
  });

  describe('release notes', () => {
    it('reads the changelog at the target and succeeds even when action is required', async () => {
      const result = await sample.plan().run(stepRequest('release-notes', '0.3.0'), recordingHooks());
      expect(result.outcome).to.equal('SUCCEEDED');
      expect(result.releaseNotes?.requiresAction).to.equal(true);
      expect(result.releaseNotes?.notes.map((n) => [n.version, n.source, n.requiresAction])).to.deep.equal([
        ['0.2.0', 'tag', false],
        ['0.2.0', 'CHANGELOG.md', true],
        ['0.3.0', 'CHANGELOG.md', false],
      ]);
      expect(result.reason).to.equal('release notes 0.1.0 -> 0.3.0 require action (2 lines)');
    });
  });

  describe('inspect', () => {
    it('reports the target, the repository, health and the release notes', async () => {
      const result = await sample.plan().inspect('i-1', '0.2.0');
      expect(result).to.include({ requestId: 'i-1', targetVersion: '0.2.0', targetExists: true, error: '' });
      expect(result.repo).to.include({ installedVersion: '0.1.0', clean: true, trackedBranch: 'main' });
      expect(result.repo?.tags).to.deep.equal(['0.3.0', '0.2.0', '0.1.0']);
      expect(result.health).to.include({ configured: false, healthy: true });
      expect(result.releaseNotes?.requiresAction).to.equal(true);
      expect(result.plan).to.deep.equal(['backup', 'release-notes', 'checkout', 'config', 'build', 'up', 'health', 'backup-after']);
    });

    it('collects the notes of the releases a tracked branch contains, as the remote has it', async () => {
      const changelog = sample.repo
        .git('show', '0.3.0:CHANGELOG.md')
        .replace('# Changelog\n', '# Changelog\n\n## 0.4.0\n\nACTION REQUIRED: run make migrate\n');
      sample.origin.commit('release 0.4.0', { 'CHANGELOG.md': changelog + '\n' });
      sample.origin.tag('0.4.0');
      sample.origin.commit('unreleased work');
      const result = await sample.plan().inspect('i-3', 'main');
      expect(result).to.include({ targetExists: true, error: '' });
      expect(result.releaseNotes?.notes.map((n) => n.version)).to.deep.equal(['0.2.0', '0.2.0', '0.3.0', '0.4.0']);
      expect(result.releaseNotes?.notes[3]?.requiredLines).to.deep.equal(['ACTION REQUIRED: run make migrate']);
      expect(result.releaseNotes).to.include({ toVersion: 'main', requiresAction: true });
    });

    it('says why a target cannot be installed', async () => {
      const result = await sample.plan().inspect('i-2', '7.0.0');
      expect(result).to.include({
        targetExists: false,
        error: `version 7.0.0 does not exist in ${sample.repo.dir}: no such tag (known: 0.3.0, 0.2.0, 0.1.0)`,
      });
      expect(result.releaseNotes).to.equal(null);
    });
  });
});
