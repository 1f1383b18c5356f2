/**
 * `convoy certs list`: every certificate of a certificate directory ($CONVOY_CERTS_DIR, the one
 * `convoy certs init|issue` write) with the identity it carries, its fingerprint, its expiry,
 * and whether the directory's CA issued it. Read locally; nothing is asked of convoyd (whose
 * view of the live certificates is the metric convoy_certificate_expiry_timestamp_seconds).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { shortFingerprint } from '../../../shared/cert-identity.js';
import { expiryState, readCertificateFile, type CertificateInfo } from '../../../shared/cert-info.js';
import { messageOf } from '../../../shared/errors.js';
import { action, type CliContext } from '../context.js';
import { EXIT, usageError } from '../errors.js';
import { JSON_FLAG } from '../options.js';
import { formatTable, formatTimestamp, paint, printJson, type Paint } from '../output.js';

/** One certificate of the directory as listed (the JSON shape of --json). */
export interface ListedCertificate {
  file: string;
  role: string;
  identity: string;
  names: string[];
  fingerprint: string;
  notBeforeMs: number;
  notAfterMs: number;
  daysLeft: number;
  /** ok | expiring | expired | not-yet-valid | not issued by this CA | unreadable: … */
  status: string;
}

const ORDER = ['ca', 'coordinator', 'agent', 'operator', 'other'];
const CERT_FILE = /\.(crt|pem)$/;

/** Whether `cert` was signed by one of the directory's CA certificates (undefined when there is none). */
function issuedBy(cert: CertificateInfo, cas: CertificateInfo[]): boolean | undefined {
  if (cas.length === 0) return undefined;
  return cas.some((ca) => cert.x509.checkIssued(ca.x509) && cert.x509.verify(ca.x509.publicKey));
}

/** Reads every certificate file of `dir`, CA first, then convoyd, agents, operators. */
export function listCertificates(dir: string, nowMs: number): ListedCertificate[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => CERT_FILE.test(f))
    .sort();
  const read = files.map((file) => {
    try {
      return { file, certs: readCertificateFile(path.join(dir, file)) };
    } catch (err) {
      return { file, error: messageOf(err) };
    }
  });
  const cas = read.flatMap((r) => r.certs?.filter((c) => c.role === 'ca') ?? []);
  const listed = read.flatMap((r): ListedCertificate[] => {
    if (!r.certs) return [unreadable(r.file, r.error ?? '')];
    return r.certs.map((c) => {
      const { state, daysLeft } = expiryState(c, nowMs);
      const signed = c.role === 'ca' ? true : issuedBy(c, cas);
      const status = signed === false && state !== 'expired' ? 'not issued by this CA' : state;
      return {
        file: r.file,
        role: c.role,
        identity: c.subject,
        names: c.names,
        fingerprint: c.fingerprint,
        notBeforeMs: c.notBeforeMs,
        notAfterMs: c.notAfterMs,
        daysLeft,
        status,
      };
    });
  });
  const rank = (role: string): number => (ORDER.includes(role) ? ORDER.indexOf(role) : ORDER.length);
  return listed.sort((a, b) => rank(a.role) - rank(b.role) || a.identity.localeCompare(b.identity));
}

function unreadable(file: string, why: string): ListedCertificate {
  return {
    file,
    role: '?',
    identity: '?',
    names: [],
    fingerprint: '',
    notBeforeMs: 0,
    notAfterMs: 0,
    daysLeft: 0,
    status: `unreadable: ${why}`,
  };
}

function statusCell(c: ListedCertificate, p: Paint): string {
  if (c.status === 'ok') return p.green('ok');
  if (c.status === 'expiring') return p.yellow(`expires in ${c.daysLeft} day${c.daysLeft === 1 ? '' : 's'}`);
  if (c.status === 'expired') return p.red('EXPIRED');
  return p.red(c.status);
}

/** The table `convoy certs list` prints. */
export function formatCertificates(list: ListedCertificate[], p: Paint): string[] {
  const rows = list.map((c) => [
    c.file,
    c.role,
    c.role === 'coordinator' && c.names.length ? `${c.identity} (${c.names.join(', ')})` : c.identity,
    c.fingerprint ? shortFingerprint(c.fingerprint) : '-',
    c.notAfterMs ? formatTimestamp(c.notAfterMs) : '-',
    statusCell(c, p),
  ]);
  return formatTable(['FILE', 'ROLE', 'IDENTITY', 'SHA-256', 'EXPIRES', 'STATUS'], rows);
}

export function registerCertsList(certs: Command, ctx: CliContext, dirOf: (opts: { dir?: string }) => string): void {
  certs
    .command('list')
    .description(
      'list the certificates of the CA directory: identity, SHA-256 fingerprint (in full with --json), expiry, and whether its CA issued them',
    )
    .option('--dir <dir>', 'the CA directory (default: $CONVOY_CERTS_DIR, else ./convoy-certs)')
    .option(...JSON_FLAG)
    .action(
      action(ctx, async (opts: { dir?: string; json?: boolean }) => {
        const dir = dirOf(opts);
        if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory())
          throw usageError(`${dir} is not a directory of certificates; create one with convoy certs init --dir ${dir}, or pass --dir.`);
        const list = listCertificates(dir, ctx.now());
        if (opts.json) printJson(ctx.out, list);
        else if (list.length === 0) ctx.out.line(`No certificates in ${dir} (*.crt, *.pem).`);
        else for (const line of formatCertificates(list, paint(ctx.out.color))) ctx.out.line(line);
        return EXIT.ok;
      }),
    );
}
