// Original file: proto/convoy/v1/common.proto

/**
 * How a step ended.
 */
export const StepOutcome = {
  STEP_OUTCOME_UNSPECIFIED: 'STEP_OUTCOME_UNSPECIFIED',
  SUCCEEDED: 'SUCCEEDED',
  /**
   * non-zero exit or built-in step failure
   */
  FAILED: 'FAILED',
  /**
   * killed (with its process group) after its timeout
   */
  TIMED_OUT: 'TIMED_OUT',
  /**
   * cancelled by the coordinator (abort)
   */
  CANCELLED: 'CANCELLED',
  /**
   * refused before anything ran (unknown step, bad version, dirty tree...)
   */
  REFUSED: 'REFUSED',
  /**
   * the agent restarted while the step ran; its process group was killed
   */
  INTERRUPTED: 'INTERRUPTED',
} as const;

/**
 * How a step ended.
 */
export type StepOutcome =
  | 'STEP_OUTCOME_UNSPECIFIED'
  | 0
  | 'SUCCEEDED'
  | 1
  /**
   * non-zero exit or built-in step failure
   */
  | 'FAILED'
  | 2
  /**
   * killed (with its process group) after its timeout
   */
  | 'TIMED_OUT'
  | 3
  /**
   * cancelled by the coordinator (abort)
   */
  | 'CANCELLED'
  | 4
  /**
   * refused before anything ran (unknown step, bad version, dirty tree...)
   */
  | 'REFUSED'
  | 5
  /**
   * the agent restarted while the step ran; its process group was killed
   */
  | 'INTERRUPTED'
  | 6

/**
 * How a step ended.
 */
export type StepOutcome__Output = typeof StepOutcome[keyof typeof StepOutcome]
