/** What `convoy demo` tells the user: the steps as it takes them, and where to look afterwards. */
import path from 'node:path';
import type { CliContext } from '../context.js';
import { paint, type Paint } from '../output.js';
import { convoyPackage } from '../../../shared/package.js';
import { DEMO_HOSTS, type DemoLayout } from './sandbox.js';

/** Prints the demo's story: "==> step" headings and command output. */
export interface Narrator {
  p: Paint;
  say(text: string): void;
  lines(lines: string[]): void;
}

export function narrator(ctx: CliContext): Narrator {
  const p = paint(ctx.out.color);
  return {
    p,
    say: (text) => ctx.out.line(`\n${p.cyan('==>')} ${p.bold(text)}`),
    lines: (lines) => lines.forEach((l) => ctx.out.line(l)),
  };
}

/** A script of this installation's bin/ (convoy.js, convoyd.js, convoy-agent.js). */
export function demoBin(name: string): string {
  return path.join(convoyPackage().dir, 'bin', name);
}

/** Where the state DB, configs and logs are, and commands to paste to look around (with --keep). */
export function whereThingsAre(
  layout: DemoLayout,
  keep: boolean,
  rolloutId: string,
  address: string,
  tls: { ca: string; operator: { cert: string; key: string } },
): string[] {
  const rel = (p: string): string => path.relative(layout.dir, p);
  const lines = [
    `Sandbox ${layout.dir}:`,
    `  state DB      ${rel(layout.stateFile)}`,
    `  configs       ${rel(layout.coordinatorConfig)}, ${DEMO_HOSTS.map((id) => rel(layout.agentConfig(id))).join(', ')}`,
    `  certificates  ${rel(path.dirname(tls.ca))}/ (the demo CA; convoyd, agent and operator certificates for mutual TLS)`,
    `  logs          ${rel(layout.logsDir)}/{convoyd,${DEMO_HOSTS.join(',')}}.log`,
    `  servers       ${rel(layout.serversDir)}/<name> (git work trees; make runs in server/, backups in server/backups/)`,
  ];
  if (!keep) return [...lines, '', 'The sandbox is removed now. Run `convoy demo --keep` to keep it and look around.'];
  const hossA = path.join(layout.serversDir, 'hoss-a');
  return [
    ...lines,
    '',
    'Look around (the demo has stopped its processes; start the coordinator again to query its state):',
    `  alias convoy="node ${demoBin('convoy.js')}"`,
    `  node ${demoBin('convoyd.js')} --config ${layout.coordinatorConfig} 2>>${layout.logFile('convoyd')} &`,
    `  export CONVOY_COORDINATOR=${address}`,
    `  export CONVOY_CA=${tls.ca} CONVOY_CERT=${tls.operator.cert} CONVOY_KEY=${tls.operator.key}`,
    `  convoy rollout status ${rolloutId}`,
    `  convoy rollout logs ${rolloutId} --host hoss-a`,
    `  convoy events --rollout ${rolloutId}`,
    `  git -C ${hossA} log --oneline --decorate -3`,
    `  ls -l ${path.join(hossA, 'server', 'backups')}`,
    `  less ${layout.logFile('convoyd')}`,
  ];
}
