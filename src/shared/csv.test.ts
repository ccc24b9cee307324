import { describe, expect, it } from 'vitest';
import { csvRow, parseCsv } from './csv';

describe('csv', () => {
  it('round-trips fields with commas, quotes, line breaks and edge spaces', () => {
    const rows = [
      ['path', 'class', 'confidence'],
      ['/photos/a, b.jpg', 'say "cheese"', '0.5'],
      ['/photos/multi\nline.jpg', ' padded ', ''],
    ];
    const text = rows.map((r) => csvRow(r)).join('');
    expect(text.split('\n')[1]).toBe('"/photos/a, b.jpg","say ""cheese""",0.5');
    expect(parseCsv(text)).toEqual(rows);
  });

  it('keeps a last row that lost its line break (a file cut short) and reads CRLF', () => {
    expect(parseCsv('a,b\r\nc,d')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('escapes cells a spreadsheet would run as formulas with a leading quote, and reads them back as written', () => {
    const cells = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tTab', '\rCR', "'quoted", '/photos/=plain.jpg', 'cat', ''];
    const line = csvRow(cells);
    expect(line).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")",'+1+1,'-2+3,'@SUM(A1),'\tTab,"'\rCR",''quoted,/photos/=plain.jpg,cat,\n`);
    expect(parseCsv(line)).toEqual([cells]);
  });
});
