/** Runs the built `convoy` CLI (node bin/convoy.js) as a user would. */
import { programPath, repoRoot } from './paths.js';
import { startProcess, type ManagedProcess } from './processes.js';

export interface CliOptions {
  /** host:port of convoyd; sets CONVOY_COORDINATOR. */
  coordinator?: string;
  env?: Record<string, string | undefined>;
  /** The command is killed (as a group) and the call rejects after this long (default 20000). */
  timeoutMs?: number;
  cwd?: string;
}

export interface CliResult {
  /** Exit code; -1 when it was ended by a signal. */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document, when it is one. */
  json?: unknown;
  /** stdout parsed line by line, when every non-empty line is JSON (watch/logs --json). */
  jsonLines?: unknown[];
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** CONVOY_CA/CONVOY_CERT/CONVOY_KEY of the fleets running now, by coordinator address (see registerCoordinatorTls). */
const tlsByAddress = new Map<string, Record<string, string>>();

/**
 * Makes every CLI run aimed at `address` use these TLS variables (a fleet's operator
 * certificate), so a test that runs `startCli([...], { coordinator })` needs to know nothing
 * about TLS. A test's own `env` still wins. Returns the function that forgets the address.
 */
export function registerCoordinatorTls(address: string, env: Record<string, string>): () => void {
  tlsByAddress.set(address, env);
  return () => {
    if (tlsByAddress.get(address) === env) tlsByAddress.delete(address);
  };
}

function cliEnv(opts: CliOptions): Record<string, string | undefined> {
  return {
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    ...(opts.coordinator ? { CONVOY_COORDINATOR: opts.coordinator, ...tlsByAddress.get(opts.coordinator) } : {}),
    ...opts.env,
  };
}

function parseJson(stdout: string): Pick<CliResult, 'json' | 'jsonLines'> {
  const text = stdout.trim();
  if (!text) return {};
  try {
    return { json: JSON.parse(text) };
  } catch {
    // maybe JSON lines
  }
  try {
    const lines = text.split('\n').filter((l) => l.trim());
    return { jsonLines: lines.map((l) => JSON.parse(l) as unknown) };
  } catch {
    return {};
  }
}

/** Starts `convoy <args>` without waiting (rollout watch, logs --follow); tracked like any process. */
export function startCli(args: string[], opts: CliOptions = {}): ManagedProcess {
  return startProcess(`convoy ${args.join(' ')}`, process.execPath, [programPath('convoy'), ...args], {
    cwd: opts.cwd ?? repoRoot(),
    env: cliEnv(opts),
  });
}

/** Runs `convoy <args>` to completion. Rejects only when it outlives `timeoutMs`. */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = startProcess(`convoy ${args.join(' ')}`, process.execPath, [programPath('convoy'), ...args], {
    cwd: opts.cwd ?? repoRoot(),
    env: cliEnv(opts),
    record: false,
  });
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let info;
  try {
    info = await child.waitForExit(timeoutMs);
  } catch {
    await child.kill9();
    throw new Error(`convoy ${args.join(' ')} did not finish within ${timeoutMs} ms; output:\n${child.tail()}`);
  }
  const stdout = child.stdout();
  return { code: info.code ?? -1, stdout, stderr: child.stderr(), ...parseJson(stdout) };
}
