import { expect } from 'chai';
import { hasControlCharacters, inertDeep, inertJson, inertText } from '../../../shared/terminal-text.js';

/** Cursor up two lines, erase the line, and an OSC 52 write of "pwned" to the clipboard. */
const HOSTILE = '0.2.0\x1b[2A\x1b[2K\x1b]52;c;cHduZWQ=\x07';

describe('inert terminal text (shared/terminal-text.ts)', () => {
  it('shows escape sequences as visible text: no ESC or BEL reaches the terminal', () => {
    expect(inertText(HOSTILE)).to.equal('0.2.0\\x1b[2A\\x1b[2K\\x1b]52;c;cHduZWQ=\\x07');
  });

  it('covers C1 controls (8-bit CSI), DEL, carriage returns, line separators and bidirectional overrides', () => {
    expect(inertText('a\u009b2Kb\u007fc\rd\ne\u2028f\u202eg\u2066h')).to.equal('a\\x9b2Kb\\x7fc\\x0dd\\x0ae\\u2028f\\u202eg\\u2066h');
  });

  it('turns a tab into a space and keeps line breaks only when asked', () => {
    expect(inertText('a\tb\nc')).to.equal('a b\\x0ac');
    expect(inertText('a\tb\nc\x1b[0J', { keepNewlines: true })).to.equal('a b\nc\\x1b[0J');
  });

  it('leaves ordinary text, including non-Latin scripts and emoji, as it is', () => {
    const text = 'build ✓ — état «prêt» 版本 🚀';
    expect(inertText(text)).to.equal(text);
    expect(hasControlCharacters(text)).to.equal(false);
    expect(hasControlCharacters(HOSTILE)).to.equal(true);
  });

  it('cleans every string of a nested value, keys included, and nothing else', () => {
    const value = { labels: { 'k\x1b[1m': 'v\x07' }, tags: ['a\x1b[A'], n: 3, ok: true, none: null };
    expect(inertDeep(value)).to.deep.equal({ labels: { 'k\\x1b[1m': 'v\\x07' }, tags: ['a\\x1b[A'], n: 3, ok: true, none: null });
    expect(value.tags[0], 'the original is untouched').to.equal('a\x1b[A');
  });

  it('writes JSON whose values are exact once parsed, with no raw control character in it', () => {
    const value = { line: `${HOSTILE}\u009b\u202e\u007f` };
    const json = inertJson(value);
    expect(hasControlCharacters(json)).to.equal(false);
    expect(JSON.parse(json)).to.deep.equal(value);
  });
});
