/**
 * The shipped example configs (deploy/examples/) on a host made in a temp dir: every absolute
 * path in an example is moved under that root and nothing else changes; the root holds what
 * the paths name (certificates with their modes, git work trees, a hossadm, state directories).
 */
import fs from 'node:fs';
import path from 'node:path';
import { caFiles, type CertFiles } from '../../../shared/certs.js';
import { repoRoot } from '../../helpers/index.js';
import { testCaDir, testCertificate } from '../../helpers/tls.js';
import { mustRun } from './packages.js';

/** The examples and the paths each may use (anything else is a test failure: a new path needs a place here). */
export const EXAMPLES = ['coordinator.yaml', 'agent.yaml', 'agent-hoss.yaml'] as const;
export type Example = (typeof EXAMPLES)[number];
const ALLOWED_PREFIXES = ['/etc/convoy/tls/', '/var/lib/convoyd/', '/var/lib/convoy-agent', '/srv/app', '/home/hoss/'];

// An absolute path in a YAML value: after a space, a quote, "[" or "{", up to a space, quote, "," or "]".
const ABSOLUTE_PATH = /(?<=[\s'"[{])\/[^\s'",\]}]+/g;

export function exampleText(example: Example): string {
  return fs.readFileSync(path.join(repoRoot(), 'deploy', 'examples', example), 'utf8');
}

/** The value part of each line (comments are documentation, not config). */
function withoutComment(line: string): string {
  const hash = line.search(/(^|\s)#/);
  return hash < 0 ? line : line.slice(0, hash);
}

/** Every absolute path the example's values name. */
export function absolutePaths(text: string): string[] {
  return text.split('\n').flatMap((line) => withoutComment(line).match(ABSOLUTE_PATH) ?? []);
}

/** Paths outside the prefixes the host below provides. */
export function unexpectedPaths(text: string): string[] {
  return absolutePaths(text).filter((p) => !ALLOWED_PREFIXES.some((prefix) => p.startsWith(prefix)));
}

/** The example with each absolute path in a value moved under `root`; the rest verbatim. */
export function rootedExample(text: string, root: string): string {
  return text
    .split('\n')
    .map((line) => {
      const value = withoutComment(line);
      return value.replace(ABSOLUTE_PATH, (p) => `${root}${p}`) + line.slice(value.length);
    })
    .join('\n');
}

function installTls(root: string, ca: string, files: CertFiles, name: string): void {
  const dir = path.join(root, 'etc', 'convoy', 'tls');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(ca, path.join(dir, 'ca.crt'));
  fs.copyFileSync(files.cert, path.join(dir, `${name}.crt`));
  fs.copyFileSync(files.key, path.join(dir, `${name}.key`));
  fs.chmodSync(path.join(dir, `${name}.key`), 0o600);
}

async function gitInit(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await mustRun('git', ['init', '-q', dir]);
}

/** Makes the host an example needs under `root`; returns the example's config file there. */
export async function exampleHost(example: Example, root: string): Promise<string> {
  const ca = caFiles(await testCaDir()).cert;
  if (example === 'coordinator.yaml') {
    installTls(root, ca, await testCertificate('coordinator', ['127.0.0.1', 'localhost']), 'coordinator');
    fs.mkdirSync(path.join(root, 'var', 'lib', 'convoyd'), { recursive: true, mode: 0o700 });
  }
  if (example === 'agent.yaml') {
    installTls(root, ca, await testCertificate('agent', ['web-1']), 'agent');
    await gitInit(path.join(root, 'srv', 'app'));
  }
  if (example === 'agent-hoss.yaml') {
    installTls(root, ca, await testCertificate('agent', ['hoss-onprem']), 'agent');
    const home = path.join(root, 'home', 'hoss');
    await gitInit(path.join(home, 'hybrid-object-store'));
    fs.mkdirSync(path.join(home, 'hybrid-object-store', 'server'), { recursive: true });
    fs.mkdirSync(path.join(home, '.hoss'), { recursive: true });
    fs.mkdirSync(path.join(home, 'hoss-venv', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(home, 'hoss-venv', 'bin', 'hossadm'), '#!/bin/sh\necho "hossadm stand-in: $*"\n', { mode: 0o755 });
  }
  const file = path.join(root, 'etc', 'convoy', example);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rootedExample(exampleText(example), root));
  return file;
}
