import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A port that was just free: bound by us, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function runConvoy(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'coordinator/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, CONVOY_COORDINATOR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('convoy when the coordinator is not running', function () {
  this.timeout(30_000);

  it('prints exactly one line naming the address and exits 3', async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await runConvoy(['--coordinator', `127.0.0.1:${port}`, 'agents']);
    expect(code).to.equal(3);
    expect(stdout).to.equal('');
    expect(stderr).to.equal(
      `convoy: cannot reach the coordinator at 127.0.0.1:${port} (connection refused). Is convoyd running? Set --coordinator or CONVOY_COORDINATOR.\n`,
    );
  });

  it('exits 3 for a watch stream too', async () => {
    const port = await closedPort();
    const { code, stderr } = await runConvoy(['--coordinator', `127.0.0.1:${port}`, 'rollout', 'watch', 'r-1']);
    expect(code).to.equal(3);
    expect(stderr.trimEnd().split('\n')).to.have.length(1);
  });
});
