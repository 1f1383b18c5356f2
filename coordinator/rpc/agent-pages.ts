/**
 * ListAgents a page at a time. A fleet of thousands does not fit one gRPC message (the CLI
 * failed with RESOURCE_EXHAUSTED at 10,000 agents), and building one answer for all of them
 * held the event loop for every agent's stream meanwhile. The page token is the last agent id
 * of the previous page: a page stays correct while agents join or leave between two calls
 * (an agent that joins before the token appears in no page of that listing; none is listed twice).
 */
import { ConvoyError } from '../../shared/errors.js';
import type { AgentPage } from '../fleet/registry.js';
import { name } from './fields.js';

/** The largest page convoyd answers; a client asking for more gets this many. */
export const MAX_AGENT_PAGE = 1000;

/** What a page is read from (Fleet). */
export interface AgentPages {
  page(after: string, limit: number): AgentPage;
  list(): AgentPage['agents'];
}

/** The page a ListAgents request asks for: size 0 is every agent in one answer (clients from before paging). */
export function agentPage(fleet: AgentPages, req: { pageSize?: unknown; pageToken?: unknown }): AgentPage {
  const size = req.pageSize ?? 0;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0)
    throw new ConvoyError('INVALID_ARGUMENT', 'page_size must be a non-negative integer');
  const after = name(req.pageToken ?? '', 'page_token');
  if (size === 0 && !after) return { agents: fleet.list(), nextAfter: '' };
  return fleet.page(after, Math.min(size || MAX_AGENT_PAGE, MAX_AGENT_PAGE));
}
