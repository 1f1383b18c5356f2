/**
 * The names Convoy's commands and configs share: cluster, host (agent id) and schedule names,
 * rollout ids and step names. convoyd's config and RPC fields and the CLI's arguments check
 * them here, so a name the CLI accepts is one the coordinator accepts.
 */
import { AGENT_ID_RE } from './cert-identity.js';

/** Cluster, host and schedule names: the agent id rule (agent.yaml `id`). */
export const NAME_RE = AGENT_ID_RE;
/** What NAME_RE accepts, for messages. */
export const NAME_RULE = 'lower-case letters, digits, . _ -, at most 63 characters, starting with a letter or digit';
/** Rollout ids as the store makes them (r-12); a little wider so old ids still read. */
export const ROLLOUT_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Step names: letters, digits and - (backup-after, rollback-checkout). */
export const STEP_RE = /^[a-z][a-z0-9-]{0,63}$/;
