/**
 * The agent protocol: which convoy-agent and convoyd can talk. One number, raised when the
 * messages of proto/convoy/v1/agent.proto change in a way the other side cannot ignore (a
 * field it must act on, a meaning changed). A new field the other side may ignore (proto3
 * drops unknown fields, absent ones read as their zero value) does not raise it.
 *
 * The rule: an agent and a convoyd talk when
 *
 *   convoyd's MIN_AGENT_PROTOCOL <= the agent's protocol <= convoyd's protocol
 *
 * because convoyd is upgraded first (docs/upgrading.md): a convoyd keeps accepting the agents
 * of the releases before it down to its minimum, and an agent newer than its convoyd is
 * refused. convoyd judges the whole rule at each Hello (it knows both numbers); the agent
 * checks the upper bound itself at each Welcome, which matters with a convoyd too old to judge.
 * A side that sends 0 predates the field and speaks protocol 1.
 */

/** The protocol this build speaks (agent and convoyd alike). */
export const PROTOCOL_VERSION = 1;
/** The oldest agent protocol this convoyd accepts. */
export const MIN_AGENT_PROTOCOL = 1;

/** The Refusal code convoyd sends an agent whose protocol it does not accept. */
export const PROTOCOL_MISMATCH = 'PROTOCOL_MISMATCH';

/** One side of a connection as the rule sees it. */
export interface ProtocolSide {
  /** The program's release (package.json version). */
  version: string;
  /** The protocol it said it speaks (0: it did not say). */
  protocol: number;
}

/** The protocol a side speaks: what it sent, 1 when it sent nothing (it predates the field). */
export function spokenProtocol(sent: number): number {
  return Number.isInteger(sent) && sent > 0 ? sent : 1;
}

/**
 * Why agent `agentId` and convoyd cannot talk, naming both programs' versions and protocols
 * and what to upgrade, or undefined when they can. `minAgentProtocol` is convoyd's minimum
 * (0 when the agent judges: it does not know it, and convoyd judged it already).
 */
export function protocolProblem(
  agentId: string,
  agent: ProtocolSide,
  coordinator: ProtocolSide & { minAgentProtocol: number },
): string | undefined {
  const a = spokenProtocol(agent.protocol);
  const c = spokenProtocol(coordinator.protocol);
  if (a <= c && a >= coordinator.minAgentProtocol) return undefined;
  const accepts =
    coordinator.minAgentProtocol > 0
      ? ` and accepts agents of protocol ${coordinator.minAgentProtocol === c ? c : `${coordinator.minAgentProtocol} to ${c}`}`
      : '';
  const both = `agent ${agentId} (convoy-agent ${agent.version || 'of unknown version'}) speaks protocol ${a}; convoyd ${coordinator.version || 'of unknown version'} speaks protocol ${c}${accepts}`;
  const fix =
    a > c
      ? 'upgrade convoyd first, then the agents (docs/upgrading.md)'
      : `upgrade convoy-agent on ${agentId} to the release of convoyd${coordinator.version ? ` (${coordinator.version})` : ''} (docs/upgrading.md)`;
  return `${both}: ${fix}`;
}
