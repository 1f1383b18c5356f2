/** ListAgents pages: what each request shape answers. */
import { expect } from 'chai';
import type { AgentRecord } from '../../../../coordinator/fleet/registry.js';
import { MAX_AGENT_PAGE, agentPage, type AgentPages } from '../../../../coordinator/rpc/agent-pages.js';

/** A fleet of `n` agents that records the pages asked of it. */
function fleetOf(n: number): AgentPages & { asked: Array<[string, number]> } {
  const agents = Array.from({ length: n }, (_, i) => ({ id: `sim-${String(i).padStart(5, '0')}` }) as AgentRecord);
  const asked: Array<[string, number]> = [];
  return {
    asked,
    list: () => agents,
    page: (after, limit) => {
      asked.push([after, limit]);
      const rest = agents.filter((a) => a.id > after);
      return { agents: rest.slice(0, limit), nextAfter: rest.length > limit ? rest[limit - 1]!.id : '' };
    },
  };
}

describe('ListAgents pages', () => {
  it('answers every agent at once to a request without a page size (a CLI from before paging)', () => {
    const fleet = fleetOf(3);
    expect(agentPage(fleet, {}).agents).to.have.length(3);
    expect(agentPage(fleet, { pageSize: 0, pageToken: '' })).to.deep.include({ nextAfter: '' });
    expect(fleet.asked).to.deep.equal([]);
  });

  it(`pages after the token, never more than ${MAX_AGENT_PAGE} agents at a time`, () => {
    const fleet = fleetOf(2500);
    const first = agentPage(fleet, { pageSize: 5000, pageToken: '' });
    expect(first.agents).to.have.length(MAX_AGENT_PAGE);
    expect(first.nextAfter).to.equal('sim-00999');
    expect(agentPage(fleet, { pageSize: 0, pageToken: first.nextAfter }).agents[0]?.id).to.equal('sim-01000');
    expect(fleet.asked).to.deep.equal([
      ['', MAX_AGENT_PAGE],
      ['sim-00999', MAX_AGENT_PAGE],
    ]);
  });

  it('refuses a negative page size and a token that is not an agent id', () => {
    expect(() => agentPage(fleetOf(1), { pageSize: -1 })).to.throw('page_size must be a non-negative integer');
    expect(() => agentPage(fleetOf(1), { pageSize: 10, pageToken: 'Bad Token' })).to.throw('page_token "Bad Token" is not a valid name');
  });
});
