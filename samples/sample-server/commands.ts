/** The sample server's step commands (no imports: the CLI's demo reads them without loading the fixture). */

/** How an agent runs the sample server's steps (in server/): its backup and restore scripts and its make targets. */
export const SAMPLE_SERVER_COMMANDS = {
  backup: './backup.sh',
  config: 'make config',
  build: 'make build',
  up: 'make up DETACH=true',
  'backup-after': './backup.sh',
  restore: './restore.sh',
} as const;

/** The `steps:` of an agent.yaml for a sample server, each with the timeout given. */
export function sampleServerSteps(
  timeouts: Record<keyof typeof SAMPLE_SERVER_COMMANDS, string>,
): Record<string, { command: string; timeout: string }> {
  return Object.fromEntries(
    Object.entries(SAMPLE_SERVER_COMMANDS).map(([step, command]) => [
      step,
      { command, timeout: timeouts[step as keyof typeof SAMPLE_SERVER_COMMANDS] },
    ]),
  );
}
