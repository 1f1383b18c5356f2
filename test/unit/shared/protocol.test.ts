import { expect } from 'chai';
import { MIN_AGENT_PROTOCOL, PROTOCOL_VERSION, protocolProblem, spokenProtocol } from '../../../shared/protocol.js';

describe('shared/protocol: which agents and convoyds talk', () => {
  const convoyd = (protocol: number, minAgentProtocol: number, version = '0.5.0') => ({ version, protocol, minAgentProtocol });
  const agent = (protocol: number, version = '0.5.0') => ({ version, protocol });

  it('reads a protocol left unsaid (0, a release older than the field) as protocol 1', () => {
    expect(spokenProtocol(0)).to.equal(1);
    expect(spokenProtocol(3)).to.equal(3);
  });

  it('this build accepts its own agents, and agents that predate the field', () => {
    const self = convoyd(PROTOCOL_VERSION, MIN_AGENT_PROTOCOL);
    expect(protocolProblem('hoss-a', agent(PROTOCOL_VERSION), self)).to.equal(undefined);
    expect(protocolProblem('hoss-a', agent(0, '0.1.0'), self)).to.equal(undefined);
  });

  const table: [string, number, number, number, string | undefined][] = [
    // name, agent, convoyd, convoyd's minimum, expected
    ['the same protocol', 2, 2, 1, undefined],
    ['an older agent within the minimum (convoyd upgraded first)', 1, 2, 1, undefined],
    [
      'an agent newer than its convoyd',
      3,
      2,
      1,
      'agent hoss-a (convoy-agent 0.6.0) speaks protocol 3; convoyd 0.5.0 speaks protocol 2 and accepts agents of protocol 1 to 2: upgrade convoyd first, then the agents (docs/upgrading.md)',
    ],
    [
      'an agent older than the minimum',
      1,
      3,
      2,
      'agent hoss-a (convoy-agent 0.6.0) speaks protocol 1; convoyd 0.5.0 speaks protocol 3 and accepts agents of protocol 2 to 3: upgrade convoy-agent on hoss-a to the release of convoyd (0.5.0) (docs/upgrading.md)',
    ],
    [
      'a minimum equal to its own protocol is said as one number',
      1,
      2,
      2,
      'agent hoss-a (convoy-agent 0.6.0) speaks protocol 1; convoyd 0.5.0 speaks protocol 2 and accepts agents of protocol 2: upgrade convoy-agent on hoss-a to the release of convoyd (0.5.0) (docs/upgrading.md)',
    ],
  ];
  for (const [name, a, c, min, expected] of table) {
    it(`${expected ? 'refuses, naming both versions,' : 'accepts'} ${name}`, () => {
      expect(protocolProblem('hoss-a', agent(a, '0.6.0'), convoyd(c, min))).to.equal(expected);
    });
  }

  it('the agent, which does not know the minimum, refuses only a convoyd older than its own protocol', () => {
    expect(protocolProblem('hoss-a', agent(2, '0.6.0'), convoyd(3, 0))).to.equal(undefined);
    expect(protocolProblem('hoss-a', agent(2, '0.6.0'), convoyd(0, 0, '0.1.0'))).to.equal(
      'agent hoss-a (convoy-agent 0.6.0) speaks protocol 2; convoyd 0.1.0 speaks protocol 1: upgrade convoyd first, then the agents (docs/upgrading.md)',
    );
  });
});
