/** The environment of a step command: how values from the coordinator reach it (never via a shell string). */
import type { AgentConfig, StepConfig } from '../types.js';
import type { StepRequest } from '../../shared/wire.js';

/** The step's configured env plus the CONVOY_* variables (which win over the config). */
export function stepEnv(
  config: AgentConfig,
  step: StepConfig,
  request: StepRequest,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...step.env,
    CONVOY_TARGET_VERSION: request.targetVersion,
    CONVOY_FROM_VERSION: request.fromVersion,
    CONVOY_ROLLOUT_ID: request.rolloutId,
    CONVOY_STEP: step.name,
    CONVOY_AGENT_ID: config.id,
    CONVOY_SERVER_DIR: config.serverDir,
    CONVOY_REPO: config.repo,
    ...extra,
  };
}
