/**
 * Reproducible randomness and hostile values for the fuzz tests. The seed is printed; run
 * again with CONVOY_FUZZ_SEED=<seed> to replay a failure message for message.
 */

/** A seeded PRNG (mulberry32): the same seed gives the same messages. */
export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }

  /** A printable-ish string with control characters, quotes and shell metacharacters mixed in. */
  text(n: number): string {
    const alphabet = 'abcXYZ019 ;|&$`()<>"\'\\\n\r\t\u0000\u001b/.-_*?~!{}[]#%^=+,:@ü€🚀';
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
}

export function seedFromEnv(): number {
  const text = process.env.CONVOY_FUZZ_SEED;
  return text && /^\d+$/.test(text) ? Number(text) : Date.now() % 2 ** 31;
}

/** Versions that must never reach git or a shell: injection, option smuggling, path tricks. */
export const HOSTILE_VERSIONS: readonly string[] = [
  '0.2.0; rm -rf /',
  '0.2.0 && touch /tmp/convoy-pwned',
  '$(touch /tmp/convoy-pwned)',
  '`touch /tmp/convoy-pwned`',
  '0.2.0|sh',
  '--upload-pack=touch /tmp/convoy-pwned',
  '-c core.sshCommand=touch',
  '--output=/tmp/convoy-pwned',
  '../../../../etc/passwd',
  '0.2.0\nmake up',
  '0.2.0\u0000',
  '0.2.0 ',
  ' 0.2.0',
  'HEAD~1',
  'HEAD^',
  '@{-1}',
  'v1..v2',
  'refs/heads/../x',
  '0.2.0.lock',
  'a//b',
  '0.2.0/',
  '\u001b[31mred',
  '${IFS}',
  '~/x',
  '*',
  '?',
  '[0-9]',
  "0.2.0'",
  '"0.2.0"',
  'x'.repeat(101),
  'ü0.2.0',
  '',
];

/** Names (clusters, hosts, agents, steps) that are not names. */
export const HOSTILE_NAMES: readonly string[] = [
  'hoss; rm -rf /',
  '../hoss',
  'HOSS',
  '-hoss',
  'hoss\n',
  'hoss\u0000',
  '$(id)',
  'hoss a',
  'x'.repeat(64),
  '*',
  '🚀',
];

/** Wire types of the protobuf encoding. */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

/** One field, hand-encoded: a key with any wire type (right or wrong for the field) and a payload. */
export function field(num: number, wire: number, payload: Buffer | number): Buffer {
  const key = varint(num * 8 + wire);
  if (wire === WIRE.bytes) {
    const p = typeof payload === 'number' ? Buffer.from(String(payload)) : payload;
    return Buffer.concat([key, varint(p.length), p]);
  }
  if (wire === WIRE.varint) return Buffer.concat([key, varint(typeof payload === 'number' ? payload : payload.length)]);
  if (wire === WIRE.fixed64) return Buffer.concat([key, Buffer.alloc(8, 0xff)]);
  if (wire === WIRE.fixed32) return Buffer.concat([key, Buffer.alloc(4, 0xff)]);
  return key;
}

/** Counts outcomes by name; printed as a table at the end. */
export class Tally {
  readonly counts = new Map<string, number>();
  total = 0;

  add(outcome: string, n = 1): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + n);
    this.total += n;
  }

  get(outcome: string): number {
    return this.counts.get(outcome) ?? 0;
  }

  lines(title: string): string[] {
    const rows = [...this.counts.entries()].sort((a, b) => b[1] - a[1]);
    return [`${title}: ${this.total} messages`, ...rows.map(([k, v]) => `  ${String(v).padStart(5)}  ${k}`)];
  }
}
