import { expect } from 'chai';
import { LineSplitter, MAX_LINE_CHARS } from '../../../../agent/exec/output-lines.js';

describe('LineSplitter', () => {
  it('keeps a partial line until the rest arrives', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('make: Ent'))).to.deep.equal([]);
    expect(s.push(Buffer.from('ering directory\nnext'))).to.deep.equal(['make: Entering directory']);
    expect(s.end()).to.deep.equal(['next']);
  });

  it('does not break a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('schön\n');
    const s = new LineSplitter();
    expect(s.push(bytes.subarray(0, 4))).to.deep.equal([]);
    expect(s.push(bytes.subarray(4))).to.deep.equal(['schön']);
  });

  it('drops the carriage return of CRLF line ends and keeps empty lines', () => {
    expect(new LineSplitter().push('a\r\n\r\nb\n')).to.deep.equal(['a', '', 'b']);
  });

  it('cuts an overlong line once and skips the rest of it', () => {
    const s = new LineSplitter();
    const first = s.push('y'.repeat(MAX_LINE_CHARS + 10));
    expect(first).to.have.length(1);
    expect(s.push('y'.repeat(100) + '\nshort\n')).to.deep.equal(['short']);
  });
});
