/** shared/generated/ is committed: it must be exactly what proto/ gives, so types never drift from the protos. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { checkGenerated, generatorArgs, staleFiles } from '../../../scripts/proto-types.js';

describe('generated wire types (scripts/proto-types.ts)', () => {
  it('shared/generated is what proto-loader-gen-types makes of proto/ today (else: npm run proto:types)', () => {
    expect(checkGenerated()).to.deep.equal([]);
  });

  it('generates with the options the loader decodes with: int64 as number, enums as names, defaults and oneofs', () => {
    const args = generatorArgs('out');
    expect(args).to.include.members(['--longs=Number', '--enums=String', '--defaults', '--oneofs', '--importFileExtension=.js']);
    expect(args).not.to.include('--keepCase');
  });

  it('names the files that are missing, extra or changed', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-stale-'));
    try {
      const [a, b] = [path.join(root, 'a'), path.join(root, 'b')];
      for (const dir of [a, b]) fs.mkdirSync(path.join(dir, 'v1'), { recursive: true });
      fs.writeFileSync(path.join(a, 'v1', 'Same.ts'), 'x');
      fs.writeFileSync(path.join(b, 'v1', 'Same.ts'), 'x');
      fs.writeFileSync(path.join(a, 'v1', 'Changed.ts'), 'old');
      fs.writeFileSync(path.join(b, 'v1', 'Changed.ts'), 'new');
      fs.writeFileSync(path.join(a, 'Removed.ts'), 'x');
      fs.writeFileSync(path.join(b, 'Added.ts'), 'x');
      expect(staleFiles(a, b)).to.deep.equal(['Added.ts', 'Removed.ts', path.join('v1', 'Changed.ts')]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
