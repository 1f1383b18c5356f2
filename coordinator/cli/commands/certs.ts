/**
 * `convoy certs init|issue`: the fleet's certificate authority and the certificates of
 * convoyd, the agents and the operators (shared/certs.ts does the work with openssl). Each
 * command prints what it wrote and the config lines to paste next.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ConvoyError } from '../../../shared/errors.js';
import {
  CA_DAYS,
  LEAF_DAYS,
  caFiles,
  certificateFileFingerprint,
  createCa,
  issueCertificate,
  type CertFiles,
  type CertKind,
} from '../../../shared/certs.js';
import { action, type CliContext } from '../context.js';
import { registerCertsList } from './certs-list.js';
import { CliError, EXIT } from '../errors.js';
import { parsePositiveInt } from '../options.js';

interface CertOptions {
  dir?: string;
  out?: string;
  days?: number;
  force?: boolean;
  name?: string;
}

const DEFAULT_DIR = 'convoy-certs';

function certsDir(ctx: CliContext, opts: CertOptions): string {
  return path.resolve(opts.dir ?? ctx.env.CONVOY_CERTS_DIR ?? DEFAULT_DIR);
}

/** Our errors as CLI errors: bad input, existing files and a missing openssl are exit 2. */
function asCliError(err: unknown): unknown {
  if (!(err instanceof ConvoyError)) return err;
  const text = err.hint ? `${err.message}. ${err.hint}` : err.message;
  return new CliError(err.code === 'INTERNAL' ? EXIT.rolloutFailed : EXIT.usage, text);
}

function fingerprintOf(file: string): string {
  try {
    return certificateFileFingerprint(file);
  } catch {
    return '?';
  }
}

function validUntil(file: string): string {
  try {
    return new X509Certificate(fs.readFileSync(file)).validTo;
  } catch {
    return '?';
  }
}

async function runInit(ctx: CliContext, opts: CertOptions): Promise<number> {
  const dir = certsDir(ctx, opts);
  const files = await createCa({ dir, name: opts.name, days: opts.days ?? CA_DAYS, force: opts.force }).catch((err: unknown) => {
    throw asCliError(err);
  });
  const flag = `--dir ${dir}`;
  ctx.out.line(`Created the fleet CA (valid until ${validUntil(files.cert)}):`);
  ctx.out.line(`  ${files.cert}  give a copy to convoyd, every agent and every operator`);
  ctx.out.line(`  ${files.key}  mode 0600; it signs every identity of the fleet: keep it off the servers, ideally offline`);
  ctx.out.line('');
  ctx.out.line('Next, issue the certificates:');
  ctx.out.line(`  convoy certs issue coordinator convoy.example.com 10.0.0.5 ${flag}   # every name and IP the clients dial`);
  ctx.out.line(`  convoy certs issue agent hoss-auth ${flag}                             # one per agent id`);
  ctx.out.line(`  convoy certs issue operator alice ${flag}                              # one per person or CI job`);
  return EXIT.ok;
}

/** The config lines that use `files`, for the kind of certificate issued. */
function usageLines(kind: CertKind, name: string, ca: string, files: CertFiles): string[] {
  const tls = `{ ca: ${ca}, cert: ${files.cert}, key: ${files.key} }`;
  if (kind === 'agent') {
    return [
      `Copy the three files to the agent host (keep the key 0600, owned by the user running convoy-agent), then in agent.yaml:`,
      `  id: ${name}`,
      `  coordinator:`,
      `    tls: ${tls}`,
    ];
  }
  if (kind === 'operator') {
    return [
      `List the operator in coordinator.yaml (role viewer: read commands; operator: also start, ack, pause, resume, abort, rollback, schedules):`,
      `  operators:`,
      `    - { name: ${name}, role: operator }`,
      `then reload convoyd with: systemctl reload convoyd`,
      `and point the CLI at the files:`,
      `  export CONVOY_CA=${ca} CONVOY_CERT=${files.cert} CONVOY_KEY=${files.key}`,
    ];
  }
  return [`In coordinator.yaml:`, `  tls: ${tls}`, `then restart convoyd (or systemctl reload convoyd to rotate a certificate in place).`];
}

async function runIssue(ctx: CliContext, kind: CertKind, names: string[], opts: CertOptions): Promise<number> {
  const caDir = certsDir(ctx, opts);
  const files = await issueCertificate({
    caDir,
    outDir: opts.out ? path.resolve(opts.out) : undefined,
    kind,
    names,
    days: opts.days ?? LEAF_DAYS,
    force: opts.force,
  }).catch((err: unknown) => {
    throw asCliError(err);
  });
  const who = kind === 'coordinator' ? `convoyd (${names.join(', ')})` : `${kind} ${names[0]}`;
  ctx.out.line(`Issued the certificate of ${who} (valid until ${validUntil(files.cert)}):`);
  ctx.out.line(`  ${files.cert}`);
  ctx.out.line(`  ${files.key}   mode 0600`);
  ctx.out.line(`  SHA-256 fingerprint: ${fingerprintOf(files.cert)}`);
  if (kind !== 'coordinator')
    ctx.out.line(`  (to revoke this certificate alone, list the fingerprint under denyCertificates: in coordinator.yaml)`);
  ctx.out.line('');
  for (const line of usageLines(kind, names[0] ?? '', caFiles(caDir).cert, files)) ctx.out.line(line);
  return EXIT.ok;
}

function withCommonOptions(cmd: Command, dflt: number): Command {
  return cmd
    .option('--dir <dir>', `the CA directory (default: $CONVOY_CERTS_DIR, else ./${DEFAULT_DIR})`)
    .option('--days <n>', `validity in days (default ${dflt})`, parsePositiveInt)
    .option('--force', 'replace existing files');
}

export function registerCerts(program: Command, ctx: CliContext): void {
  const certs = program.command('certs').description("the fleet's certificate authority and mutual TLS certificates (needs openssl)");
  withCommonOptions(certs.command('init').description('create the fleet CA (ca.crt, ca.key)'), CA_DAYS)
    .option('--name <cn>', 'the CA certificate\'s common name (default "Convoy fleet CA")')
    .action(action(ctx, (opts: CertOptions) => runInit(ctx, opts)));
  registerCertsList(certs, ctx, (opts) => certsDir(ctx, opts));
  const issue = certs.command('issue').description('issue a certificate signed by the fleet CA');
  const kinds: [CertKind, string, string][] = [
    ['agent', '<id>', "an agent's certificate: its identity is the agent id (agent.yaml id)"],
    ['operator', '<name>', "a CLI user's certificate: list the name under operators: in coordinator.yaml"],
    ['coordinator', '<name-or-ip...>', "convoyd's server certificate for every DNS name and IP address clients dial"],
  ];
  for (const [kind, arg, description] of kinds) {
    withCommonOptions(issue.command(`${kind} ${arg}`).description(description), LEAF_DAYS)
      .option('--out <dir>', 'write the certificate and key here (default: the CA directory)')
      .action(
        action(ctx, (names: string | string[], opts: CertOptions) => runIssue(ctx, kind, Array.isArray(names) ? names : [names], opts)),
      );
  }
}
