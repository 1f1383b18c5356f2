/** The agent's least authority: request fields a hostile coordinator could send, refused before anything runs. */
import { expect } from 'chai';
import { requestIdProblem, requestProblem } from '../../../agent/plan/validate.js';
import type { StepRequest } from '../../../shared/wire.js';
import { testAgentConfig } from '../agent/helpers/agent-config.js';

const config = testAgentConfig({
  repo: '/srv/hoss',
  stateDir: '/var/lib/convoy-agent',
  restore: 'hossadm restore "$CONVOY_BACKUP_ARCHIVE"',
});
const request = (over: Partial<StepRequest>): StepRequest => ({
  requestId: 'r-1.hoss-a.config.1',
  rolloutId: 'r-1',
  agentId: 'hoss-a',
  step: 'config',
  targetVersion: '0.2.0',
  fromVersion: '0.1.0',
  backupId: '',
  restoreCommit: '',
  attempt: 1,
  healthDeadlineMs: 0,
  ...over,
});

describe('agent request checks (agent/plan/validate.ts)', () => {
  it('lets a well-formed request through to the repository checks', () => {
    expect(requestProblem(config, request({}))).to.equal(undefined);
  });

  const refusals: [string, Partial<StepRequest>, RegExp][] = [
    ['another host', { agentId: 'hoss-b' }, /^request for agent hoss-b refused: this is agent hoss-a$/],
    ['a step outside the plan', { step: 'sh -c id' }, /^step "sh -c id" is not in the plan of agent hoss-a/],
    ['an injected version', { targetVersion: '0.2.0; rm -rf /' }, /^target version refused: /],
    ['an option as a version', { targetVersion: '--upload-pack=x' }, /^target version refused: /],
    ['an injected from version', { fromVersion: '$(id)' }, /^from version refused: /],
    ['a path as a rollout id', { rolloutId: '../../etc' }, /^rollout id "\.\.\/\.\.\/etc" is not valid/],
    ['an attempt out of range', { attempt: 2 ** 31 - 1 }, /^attempt 2147483647 is not a number from 0 to 1000$/],
    ['a negative attempt', { attempt: -1 }, /^attempt -1 is not a number from 0 to 1000$/],
    ['a huge backup id', { step: 'restore', backupId: 'x'.repeat(201) }, /^backup id is longer than 200 characters$/],
    [
      'a health deadline in the far future',
      { step: 'health', healthDeadlineMs: 1e15 },
      /^health deadline 1000000000000000 is not a number of milliseconds$/,
    ],
  ];
  for (const [what, over, reason] of refusals) {
    it(`refuses ${what}`, () => expect(requestProblem(config, request(over))).to.match(reason));
  }

  it('refuses request ids it could not echo back or journal safely', () => {
    expect(requestIdProblem('r-3.hoss-a.build.1')).to.equal(undefined);
    expect(requestIdProblem('plan-2.hoss-a')).to.equal(undefined);
    expect(requestIdProblem('')).to.match(/^request id "" is not valid/);
    expect(requestIdProblem('a\nb')).to.equal(`request id "a\\x0ab" is not valid (1 to 300 letters, digits, '.', '_', ':' or '-')`);
    expect(requestIdProblem('x'.repeat(301))).to.match(/is not valid/);
  });
});
