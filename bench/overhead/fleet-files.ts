/**
 * The benchmark fleet on disk: N hosts, each a git work tree with two tagged releases and a
 * Makefile whose targets do small real work (config writes an env file, build renders a file,
 * up hands the new version to the "service host"), a data directory the backup archives, and
 * one service host process for the whole fleet that answers each host's health URL.
 *
 * The service host plays the part of dockerd behind `docker compose up -d`: `make up` returns
 * at once and the service reports the new version from then on (after `healthDelayMs`, for
 * measuring how soon health is noticed). Nothing here imports Convoy: the same files serve the
 * bash floor, Ansible and Convoy.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

export const FROM_VERSION = '1.0.0';
export const TO_VERSION = '1.1.0';

/** One host of a bench fleet. */
export interface BenchHost {
  name: string;
  /** The git work tree; make runs in its server/ directory. */
  repo: string;
  serverDir: string;
  healthUrl: string;
}

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Convoy Bench',
  GIT_AUTHOR_EMAIL: 'bench@convoy.invalid',
  GIT_COMMITTER_NAME: 'Convoy Bench',
  GIT_COMMITTER_EMAIL: 'bench@convoy.invalid',
  GIT_TERMINAL_PROMPT: '0',
};
const GIT_FLAGS = ['-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', '-c', 'core.hooksPath=/dev/null'];

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', [...GIT_FLAGS, ...args], { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The backup command every system runs (in server/): a small tar of data/. */
export const BACKUP_COMMAND = 'mkdir -p backups && tar -czf "backups/backup-$(date +%s%N).tar.gz" data';

// Recipe lines start with a tab. `up` replaces run/version atomically: the service host reads it.
const MAKEFILE = [
  'VERSION := $(shell cat VERSION)',
  'DETACH ?= false',
  '.PHONY: config build up',
  'config:',
  '\t@mkdir -p config',
  '\t@printf "VERSION=%s\\nNAME=%s\\n" "$(VERSION)" "$$(basename $$(dirname $$(pwd)))" > config/generated.env',
  '\t@echo "config: wrote config/generated.env for $(VERSION)"',
  'build:',
  '\t@mkdir -p build',
  '\t@sed "s/__VERSION__/$(VERSION)/g" app.tmpl > build/app-$(VERSION).txt',
  '\t@echo "build: wrote build/app-$(VERSION).txt"',
  'up:',
  '\t@test -f build/app-$(VERSION).txt || { echo "up: run make build first" >&2; exit 2; }',
  '\t@mkdir -p run',
  '\t@echo "$(VERSION)" > run/version.tmp && mv run/version.tmp run/version',
  '\t@echo "up: $(VERSION) handed to the service host (detach=$(DETACH))"',
  '',
].join('\n');

const GITIGNORE = ['server/config/', 'server/build/', 'server/run/', 'server/data/', 'server/backups/', ''].join('\n');

function writeRelease(repo: string, version: string): void {
  const changelog = path.join(repo, 'CHANGELOG.md');
  const before = fs.existsSync(changelog) ? fs.readFileSync(changelog, 'utf8').replace(/^# Changelog\n+/, '') : '';
  fs.writeFileSync(changelog, `# Changelog\n\n## ${version}\n\n- Release ${version}.\n\n${before}`);
  fs.writeFileSync(path.join(repo, 'server', 'VERSION'), `${version}\n`);
  fs.writeFileSync(path.join(repo, 'server', 'app.tmpl'), `app __VERSION__\n${'x'.repeat(2000)}\n${version}\n`);
}

/** Creates host `name` under `dir` at FROM_VERSION, built and up. */
export function createHost(dir: string, name: string, servicePort: number): BenchHost {
  const repo = path.join(dir, name);
  const serverDir = path.join(repo, 'server');
  fs.mkdirSync(serverDir, { recursive: true });
  fs.writeFileSync(path.join(repo, '.gitignore'), GITIGNORE);
  fs.writeFileSync(path.join(serverDir, 'Makefile'), MAKEFILE);
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(serverDir, `part-${i}.txt`), `part ${i}\n`.repeat(50));
  git(repo, ['init', '-q', '-b', 'main']);
  for (const version of [FROM_VERSION, TO_VERSION]) {
    writeRelease(repo, version);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', `Release ${version}`]);
    git(repo, ['tag', '-a', '-m', `Release ${version}`, version]);
  }
  fs.mkdirSync(path.join(serverDir, 'data'), { recursive: true });
  for (let i = 0; i < 10; i++) fs.writeFileSync(path.join(serverDir, 'data', `object-${i}`), `object ${i}\n`.repeat(500));
  const host = { name, repo, serverDir, healthUrl: `http://127.0.0.1:${servicePort}/${name}/healthz` };
  resetHost(host);
  return host;
}

/** Puts a host back at FROM_VERSION, built and up (outside any timing); its backups stay, as on a real host. */
export function resetHost(host: BenchHost): void {
  git(host.repo, ['checkout', '-q', '--detach', `refs/tags/${FROM_VERSION}`]);
  execFileSync('make', ['-s', 'config', 'build', 'up', 'DETACH=true'], { cwd: host.serverDir, stdio: 'ignore', env: makeEnv() });
  // the old release has been up for a while: healthy at once, whatever --health-delay says
  const longAgo = new Date(Date.now() - 3600_000);
  fs.utimesSync(path.join(host.serverDir, 'run', 'version'), longAgo, longAgo);
}

/** Our environment without a parent make's jobserver. */
export function makeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL']) delete env[k];
  return env;
}

// The service host: GET /<host>/healthz answers {"version": …} from <root>/<host>/server/run/version,
// 503 while that file is younger than HEALTH_DELAY_MS (the service "starting").
const SERVICE_SCRIPT = String.raw`
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
const [root, portText, delayText] = process.argv.slice(2);
const delayMs = Number(delayText);
const server = http.createServer((req, res) => {
  const m = /^\/([a-z0-9-]+)\/healthz$/.exec(req.url ?? '');
  let status = 404;
  let body = { error: 'no such host' };
  if (m) {
    try {
      const file = path.join(root, m[1], 'server', 'run', 'version');
      const st = fs.statSync(file);
      const version = fs.readFileSync(file, 'utf8').trim();
      const age = Date.now() - st.mtimeMs;
      if (age >= delayMs) { status = 200; body = { status: 'ok', version }; }
      else { status = 503; body = { status: 'starting', version }; }
    } catch { status = 503; body = { status: 'down' }; }
  }
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
});
server.listen(Number(portText), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** Starts the service host for every host under `root`; resolves once it listens. */
export async function startServiceHost(root: string, port: number, healthDelayMs: number): Promise<ChildProcess> {
  const script = path.join(root, 'service-host.mjs');
  fs.writeFileSync(script, SERVICE_SCRIPT);
  const child = spawn(process.execPath, [script, root, String(port), String(healthDelayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  if (!chunk.toString().includes('listening')) throw new Error('service host did not start');
  return child;
}
