/**
 * Ansible, when `ansible-playbook` is on PATH: the same commands as tasks, every host with
 * `connection: local`. Play 1 backs up every host; play 2 updates the auth server; play 3 the
 * members one at a time (serial: 1); health is the uri module retried until the service
 * reports the target version.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { BACKUP_COMMAND, makeEnv, TO_VERSION, type BenchHost } from './fleet-files.js';

/** The `ansible-playbook --version` first line, or undefined when it is not installed. */
export function ansibleVersion(): string | undefined {
  try {
    return execFileSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return undefined;
  }
}

function updateTasks(): unknown[] {
  return [
    { name: 'checkout', command: { cmd: `git checkout -q ${TO_VERSION}`, chdir: '{{ repo }}' } },
    { name: 'config', command: { cmd: 'make config', chdir: '{{ server_dir }}' } },
    { name: 'build', command: { cmd: 'make build', chdir: '{{ server_dir }}' } },
    { name: 'up', command: { cmd: 'make up DETACH=true', chdir: '{{ server_dir }}' } },
    {
      name: 'health',
      uri: { url: '{{ health_url }}', return_content: true, status_code: 200 },
      register: 'health',
      until: `health.json is defined and health.json.version == '${TO_VERSION}'`,
      retries: 600,
      delay: 0.05,
    },
    { name: 'backup-after', shell: { cmd: BACKUP_COMMAND, chdir: '{{ server_dir }}' } },
  ];
}

/** Writes inventory.yaml and playbook.yaml into `dir`; returns their paths. */
export function writeAnsibleFiles(dir: string, hosts: BenchHost[]): { inventory: string; playbook: string } {
  const inventory = path.join(dir, 'inventory.yaml');
  const playbook = path.join(dir, 'playbook.yaml');
  const vars = (h: BenchHost) => ({
    ansible_connection: 'local',
    ansible_python_interpreter: '/usr/bin/python3',
    repo: h.repo,
    server_dir: h.serverDir,
    health_url: h.healthUrl,
  });
  const [auth, ...members] = hosts;
  fs.writeFileSync(
    inventory,
    YAML.stringify({
      all: {
        children: {
          auth: { hosts: { [auth!.name]: vars(auth!) } },
          members: { hosts: Object.fromEntries(members.map((h) => [h.name, vars(h)])) },
        },
      },
    }),
  );
  const common = { gather_facts: false };
  fs.writeFileSync(
    playbook,
    YAML.stringify([
      {
        ...common,
        name: 'backup all',
        hosts: 'all',
        tasks: [{ name: 'backup', shell: { cmd: BACKUP_COMMAND, chdir: '{{ server_dir }}' } }],
      },
      { ...common, name: 'update the auth server', hosts: 'auth', tasks: updateTasks() },
      { ...common, name: 'update the members', hosts: 'members', serial: 1, tasks: updateTasks() },
    ]),
  );
  return { inventory, playbook };
}

/** Runs the playbook; resolves with its wall time in ms. */
export function runAnsible(files: { inventory: string; playbook: string }): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      'ansible-playbook',
      ['-i', files.inventory, files.playbook],
      {
        env: { ...makeEnv(), ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_RETRY_FILES_ENABLED: 'False', ANSIBLE_NOCOLOR: '1' },
        maxBuffer: 64 << 20,
      },
      (err, stdout) => {
        if (err) reject(new Error(`ansible-playbook failed: ${err.message}\n${stdout.slice(-3000)}`));
        else resolve(performance.now() - started);
      },
    );
  });
}
