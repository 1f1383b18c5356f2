/**
 * A small certificate authority for one fleet, made with the `openssl` command (node's crypto
 * cannot sign certificates). openssl runs through execFile with argument arrays: names reach
 * it as single argv words, never through a shell, and they are checked against strict
 * patterns first. Keys are written 0600, certificates 0644, the directory 0700.
 *
 * Files in `dir`: ca.crt + ca.key, agent-<id>.crt/.key, operator-<name>.crt/.key,
 * coordinator.crt/.key. What each certificate carries is described in cert-identity.ts.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConvoyError, messageOf } from './errors.js';
import { AGENT_ID_RE, OPERATOR_NAME_RE, identityUri, normalizeFingerprint } from './cert-identity.js';

export type CertKind = 'agent' | 'operator' | 'coordinator';

/** A certificate and its private key. */
export interface CertFiles {
  cert: string;
  key: string;
}

export interface OpensslOptions {
  /** The openssl program (default: `openssl` on the PATH). */
  openssl?: string;
}

export interface CaOptions extends OpensslOptions {
  dir: string;
  /** The CA's subject CN (default "Convoy fleet CA"). */
  name?: string;
  days?: number;
  /** Replace an existing CA (its certificates stop being trusted). */
  force?: boolean;
}

export interface IssueOptions extends OpensslOptions {
  /** Where ca.crt and ca.key are. */
  caDir: string;
  /** Where the new files go (default: caDir). */
  outDir?: string;
  kind: CertKind;
  /** agent: the agent id; operator: the operator name; coordinator: DNS names and IP addresses. */
  names: string[];
  /** Validity in days; tests pass a negative number to make an expired certificate. */
  days?: number;
  force?: boolean;
}

export const CA_DAYS = 3650;
export const LEAF_DAYS = 825;

/**
 * The SHA-256 fingerprint of a PEM certificate file, AB:CD:… as openssl prints it and as
 * coordinator.yaml `denyCertificates` takes it.
 */
export function certificateFileFingerprint(file: string): string {
  const cert = new crypto.X509Certificate(fs.readFileSync(file));
  return normalizeFingerprint(cert.fingerprint256) ?? cert.fingerprint256;
}
const DNS_RE = /^(?=.{1,253}$)[A-Za-z0-9*]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/;
const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

export function caFiles(dir: string): CertFiles {
  return { cert: path.join(dir, 'ca.crt'), key: path.join(dir, 'ca.key') };
}

/** Where `convoy certs issue <kind> <name>` writes. */
export function leafFiles(dir: string, kind: CertKind, name: string): CertFiles {
  const base = kind === 'coordinator' ? 'coordinator' : `${kind}-${name}`;
  return { cert: path.join(dir, `${base}.crt`), key: path.join(dir, `${base}.key`) };
}

/** Runs openssl; a missing program or a failure becomes a ConvoyError with the fix. */
function openssl(opts: OpensslOptions, args: string[], cwd: string): Promise<void> {
  const program = opts.openssl ?? 'openssl';
  return new Promise((resolve, reject) => {
    execFile(program, args, { cwd, timeout: 60_000 }, (err, _out, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new ConvoyError(
            'FAILED_PRECONDITION',
            `convoy certs needs the openssl command, and "${program}" was not found on the PATH`,
            'Install it (Debian/Ubuntu: sudo apt-get install openssl; Fedora/RHEL: sudo dnf install openssl; macOS: brew install openssl), then run the command again.',
          ),
        );
      }
      const last = String(stderr).trim().split('\n').slice(-2).join(' ') || messageOf(err);
      reject(new ConvoyError('INTERNAL', `openssl ${args[0]} failed: ${last}`, 'Check that openssl works: openssl version'));
    });
  });
}

function checkDays(days: number, min: number): void {
  if (!Number.isInteger(days) || days < min || days > 36500) {
    throw new ConvoyError('INVALID_ARGUMENT', `--days ${days} is not a whole number of days from 1 to 36500`);
  }
}

/** Refuses to overwrite, so a second `certs init` cannot silently orphan a fleet's certificates. */
function refuseExisting(files: CertFiles, force: boolean | undefined, what: string): void {
  if (force) return;
  for (const f of [files.cert, files.key]) {
    if (fs.existsSync(f)) {
      throw new ConvoyError('ALREADY_EXISTS', `${f} already exists`, `Keep the ${what}, or pass --force to replace it.`);
    }
  }
}

/** A private scratch directory next to the results, so the final rename is atomic. */
async function inScratch<T>(dir: string, fn: (scratch: string) => Promise<T>): Promise<T> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const scratch = fs.mkdtempSync(path.join(dir, '.convoy-certs-'));
  try {
    return await fn(scratch);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function install(from: CertFiles, to: CertFiles): void {
  fs.chmodSync(from.key, 0o600);
  fs.chmodSync(from.cert, 0o644);
  fs.renameSync(from.key, to.key);
  fs.renameSync(from.cert, to.cert);
}

/** Creates the fleet's CA in `dir` (ca.crt, ca.key). */
export async function createCa(opts: CaOptions): Promise<CertFiles> {
  const days = opts.days ?? CA_DAYS;
  checkDays(days, 1);
  const name = opts.name ?? 'Convoy fleet CA';
  if (!/^[A-Za-z0-9 ._@-]{1,64}$/.test(name)) {
    throw new ConvoyError('INVALID_ARGUMENT', `CA name "${name}" may hold letters, digits, spaces and . _ @ - (at most 64)`);
  }
  const files = caFiles(opts.dir);
  refuseExisting(files, opts.force, 'existing CA (every certificate of the fleet was signed by it)');
  return inScratch(opts.dir, async (scratch) => {
    const tmp = { cert: path.join(scratch, 'ca.crt'), key: path.join(scratch, 'ca.key') };
    // prettier-ignore
    await openssl(
      opts,
      [
        'req', '-x509', '-new', ...CURVE, '-nodes', '-sha256',
        '-keyout', tmp.key, '-out', tmp.cert, '-days', String(days),
        '-subj', `/O=Convoy/CN=${name}`,
        '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      ],
      scratch,
    );
    install(tmp, files);
    return files;
  });
}

/** Checks the names for `kind`; returns the subject CN and the extensions to write. */
function leafProfile(kind: CertKind, names: string[]): { cn: string; extensions: string[] } {
  if (kind === 'coordinator') {
    if (names.length === 0) throw new ConvoyError('INVALID_ARGUMENT', 'name the DNS names and IP addresses agents and operators dial');
    const sans = names.map((n) => {
      if (net.isIP(n)) return `IP:${n}`;
      if (DNS_RE.test(n)) return `DNS:${n}`;
      throw new ConvoyError('INVALID_ARGUMENT', `"${n}" is neither a DNS name nor an IP address`);
    });
    return {
      cn: names.find((n) => !net.isIP(n)) ?? names[0]!,
      extensions: ['extendedKeyUsage=serverAuth', `subjectAltName=${[...sans, `URI:${identityUri('coordinator')}`].join(',')}`],
    };
  }
  const [name, ...rest] = names;
  const re = kind === 'agent' ? AGENT_ID_RE : OPERATOR_NAME_RE;
  if (!name || rest.length > 0 || !re.test(name)) {
    const rule =
      kind === 'agent'
        ? 'an agent id: lower-case letters, digits, . _ -, starting with a letter or digit, at most 63'
        : 'an operator name: letters, digits, @ . _ -, starting with a letter or digit, at most 63';
    throw new ConvoyError('INVALID_ARGUMENT', `"${names.join(' ')}" is not ${rule}`);
  }
  return { cn: name, extensions: ['extendedKeyUsage=clientAuth', `subjectAltName=URI:${identityUri(kind, name)}`] };
}

/** Issues an agent, operator or coordinator certificate signed by the CA in `caDir`. */
export async function issueCertificate(opts: IssueOptions): Promise<CertFiles> {
  const days = opts.days ?? LEAF_DAYS;
  // Negative validity only exists for tests that need an expired certificate.
  checkDays(Math.abs(days), 1);
  const { cn, extensions } = leafProfile(opts.kind, opts.names);
  const ca = caFiles(opts.caDir);
  for (const f of [ca.cert, ca.key]) {
    if (!fs.existsSync(f)) {
      throw new ConvoyError('NOT_FOUND', `${f} does not exist`, `Create the CA first: convoy certs init --dir ${opts.caDir}`);
    }
  }
  const outDir = opts.outDir ?? opts.caDir;
  const files = leafFiles(outDir, opts.kind, cn);
  refuseExisting(files, opts.force, 'existing certificate');
  return inScratch(outDir, async (scratch) => {
    const tmp = { cert: path.join(scratch, 'leaf.crt'), key: path.join(scratch, 'leaf.key') };
    const csr = path.join(scratch, 'leaf.csr');
    const ext = path.join(scratch, 'leaf.ext');
    const lines = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', ...extensions];
    fs.writeFileSync(ext, `${lines.join('\n')}\n`, { mode: 0o600 });
    await openssl(
      opts,
      ['req', '-new', ...CURVE, '-nodes', '-keyout', tmp.key, '-out', csr, '-subj', `/O=Convoy/OU=${opts.kind}/CN=${cn}`],
      scratch,
    );
    const serial = crypto.randomBytes(16);
    serial[0] = serial[0]! & 0x7f;
    // prettier-ignore
    await openssl(
      opts,
      [
        'x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-sha256',
        '-set_serial', `0x${serial.toString('hex')}`, '-days', String(days), '-extfile', ext, '-out', tmp.cert,
      ],
      scratch,
    );
    install(tmp, files);
    return files;
  });
}
