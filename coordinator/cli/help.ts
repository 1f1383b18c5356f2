/**
 * Examples under `--help` of the main commands, and the exit codes under `convoy --help`.
 * Kept in one table so a unit test can check that each example names a real command.
 */
import type { Command } from 'commander';

/** Examples by command path ('' is `convoy` itself). */
export const EXAMPLES: Record<string, string[]> = {
  '': [
    'convoy agents',
    'convoy plan hoss --to 0.2.5',
    'convoy rollout start hoss --to 0.2.5 --watch',
    'convoy rollout status r-3',
    'convoy demo --keep',
  ],
  agents: ['convoy agents', "convoy agents --json | jq -r '.[] | select(.connected | not) | .id'"],
  plan: ['convoy plan hoss --to 0.2.5', 'convoy plan hoss --to 0.2.5 --diff', 'convoy plan --host hoss-onprem --to 0.2.5 --json'],
  'rollout start': [
    'convoy rollout start hoss --to 0.2.5 --watch',
    'convoy rollout start --host hoss-onprem --to 0.2.5 --watch',
    'convoy rollout start hoss --to 0.2.5 --ack-release-notes   # after making the required changes',
  ],
  'rollout status': ['convoy rollout status r-3', 'convoy rollout status r-3 --json | jq .state'],
  'rollout watch': ['convoy rollout watch r-3   # Ctrl-C stops watching (exit 130); the rollout goes on'],
  'rollout logs': ['convoy rollout logs r-3 --host hoss-a --step build', 'convoy rollout logs r-3 --follow'],
  'rollout list': ['convoy rollout list --cluster hoss --limit 5'],
  'rollout pause': ['convoy rollout pause r-3 --reason "disk alert on hoss-b"', 'convoy rollout pause r-3 --now'],
  'rollout rollback': ['convoy rollout rollback r-3 --watch'],
  events: ['convoy events --rollout r-3', 'convoy events --limit 200 --json'],
  backups: ['convoy backups hoss-onprem'],
  schedules: ['convoy schedules', 'convoy schedules run sunday-night', 'convoy schedules disable sunday-night'],
  certs: ['convoy certs init', 'convoy certs issue agent hoss-onprem', 'convoy certs issue operator alice', 'convoy certs list'],
  'certs list': ['convoy certs list', 'convoy certs list --dir ~/convoy-ca --json'],
  'admin snapshot save': ["convoy admin snapshot save before-0.2.0.db   # written next to the state file, on convoyd's host"],
  'admin snapshot restore': [
    'convoy admin snapshot restore /var/lib/convoyd/snapshots/before-0.2.0.db --config /etc/convoy/coordinator.yaml   # convoyd stopped',
  ],
  'certs issue': [
    'convoy certs issue coordinator convoy.example.com 10.0.0.5',
    'convoy certs issue agent hoss-onprem',
    'convoy certs issue operator alice --out ~/.config/convoy/tls',
  ],
  demo: ['convoy demo', 'convoy demo --keep   # stays up until Ctrl-C; prints the environment for convoy commands'],
  completion: [
    'source <(convoy completion bash)',
    'convoy completion zsh > "${fpath[1]}/_convoy"',
    'convoy completion fish > ~/.config/fish/completions/convoy.fish',
  ],
};

/** The CLI's exit codes (DESIGN.md "Interfaces"), as `convoy --help` prints them. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0    success',
  '  1    the rollout failed or was aborted (or an unexpected error)',
  '  2    bad usage or input, or a request the coordinator refused',
  '  3    the coordinator could not be reached',
  '  130  interrupted (Ctrl-C); a watched rollout goes on (143: SIGTERM)',
];

function find(program: Command, path: string): Command | undefined {
  let cmd: Command | undefined = program;
  for (const name of path.split(' ').filter(Boolean)) cmd = cmd?.commands.find((c) => c.name() === name);
  return cmd;
}

/** Adds the examples (and, on the root, the exit codes) after each command's help. */
export function addHelpExamples(program: Command): void {
  for (const [path, lines] of Object.entries(EXAMPLES)) {
    const cmd = find(program, path);
    if (!cmd) throw new Error(`help examples name a command that does not exist: convoy ${path}`);
    const extra = path === '' ? ['', ...EXIT_CODES_HELP] : [];
    cmd.addHelpText('after', ['', 'Examples:', ...lines.map((l) => `  $ ${l}`), ...extra].join('\n'));
  }
}
