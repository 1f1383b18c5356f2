/** What `convoy demo` tells the user: the steps as it takes them, and where to look afterwards. */
import fs from 'node:fs';
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

/** A word for a POSIX shell: as it is when it needs no quoting, else in single quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The one line that points `convoy` at the sandbox's convoyd as its operator (mutual TLS). */
export function environmentLine(address: string, tls: { ca: string; operator: { cert: string; key: string } }): string {
  const vars = { CONVOY_COORDINATOR: address, CONVOY_CA: tls.ca, CONVOY_CERT: tls.operator.cert, CONVOY_KEY: tls.operator.key };
  return `export ${Object.entries(vars)
    .map(([name, value]) => `${name}=${shellWord(value)}`)
    .join(' ')}`;
}

/**
 * The `convoy` found on PATH when it is this installation's (npm install -g, the Debian
 * package); otherwise the alias to paste (a source checkout: `npm run demo`).
 */
export function convoyCommand(env: NodeJS.ProcessEnv): { alias?: string } {
  const own = realPath(demoBin('convoy.js'));
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const found = realPath(path.join(dir, 'convoy'));
    if (found && found === own) return {};
    if (found && isWrapperOf(path.join(dir, 'convoy'), own)) return {};
  }
  return { alias: `alias convoy=${shellWord(`node ${own ?? demoBin('convoy.js')}`)}` };
}

function realPath(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

/** A small shell wrapper (the Debian package's /usr/bin/convoy) that execs this installation's bin. */
function isWrapperOf(file: string, bin: string | undefined): boolean {
  if (!bin) return false;
  try {
    const st = fs.statSync(file);
    return st.isFile() && st.size < 4096 && fs.readFileSync(file, 'utf8').includes(bin);
  } catch {
    return false;
  }
}

/** Where the state DB, configs and logs are. */
export function whereThingsAre(layout: DemoLayout, tls: { ca: string }): string[] {
  const rel = (p: string): string => path.relative(layout.dir, p);
  return [
    `Sandbox ${layout.dir}:`,
    `  state DB      ${rel(layout.stateFile)}`,
    `  configs       ${rel(layout.coordinatorConfig)}, ${DEMO_HOSTS.map((id) => rel(layout.agentConfig(id))).join(', ')}`,
    `  certificates  ${rel(path.dirname(tls.ca))}/ (the demo CA; convoyd, agent and operator certificates for mutual TLS)`,
    `  logs          ${rel(layout.logsDir)}/{convoyd,${DEMO_HOSTS.join(',')}}.log`,
    `  servers       ${rel(layout.serversDir)}/<name> (git work trees; make runs in server/, backups in server/backups/)`,
  ];
}

/** With --keep: the environment to paste, commands to try, and how it ends. */
export function keptSandboxLines(
  layout: DemoLayout,
  rolloutId: string,
  address: string,
  tls: { ca: string; operator: { cert: string; key: string } },
  env: NodeJS.ProcessEnv,
): string[] {
  const hossA = path.join(layout.serversDir, 'hoss-a');
  const { alias } = convoyCommand(env);
  return [
    'The sandbox keeps running (convoyd, three agents, three sample servers). In another shell, paste:',
    '',
    ...(alias ? [`  ${alias}`] : []),
    `  ${environmentLine(address, tls)}`,
    '',
    'then try:',
    '  convoy agents',
    `  convoy rollout status ${rolloutId}`,
    `  convoy rollout logs ${rolloutId} --host hoss-a`,
    `  convoy events --rollout ${rolloutId}`,
    '  convoy backups hoss-a',
    `  git -C ${shellWord(hossA)} log --oneline --decorate -3`,
    `  less ${shellWord(layout.logFile('convoyd'))}`,
    '',
    `Press Ctrl-C to stop everything and remove ${layout.dir}.`,
  ];
}
