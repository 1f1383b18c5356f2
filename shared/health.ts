/** The one rule for "healthy": the last check passed, or the agent has no health check to fail. */
import type { HealthState } from './wire.js';

/** True when `h` passed, or reports that no check is configured; false when there is no report. */
export function isHealthy(h: Pick<HealthState, 'healthy' | 'configured'> | null | undefined): boolean {
  return h ? h.healthy || !h.configured : false;
}
