import { describe, expect, it } from 'vitest';
import { addKeyword, newSidecar } from './xmpSidecar';

describe('XMP sidecars', () => {
  it('writes the class as a dc:subject keyword, escaped', () => {
    const xmp = newSidecar('cats & dogs');
    expect(xmp).toContain('<rdf:li>cats &amp; dogs</rdf:li>');
    expect(xmp).toMatch(/^<\?xpacket begin=/);
  });

  it('adds to an existing keyword list once, keeping what the sidecar already says', () => {
    const first = addKeyword(newSidecar('holiday'), 'dogs');
    expect(first.kind).toBe('changed');
    const text = (first as { text: string }).text;
    expect(text).toContain('<rdf:li>holiday</rdf:li>');
    expect(text).toContain('<rdf:li>dogs</rdf:li>');
    expect(addKeyword(text, 'dogs').kind).toBe('unchanged');
  });

  it('adds a description to a sidecar without keywords, and refuses what is not XMP', () => {
    const bare = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="3"/></rdf:RDF></x:xmpmeta>';
    const edit = addKeyword(bare, 'cats');
    expect(edit.kind).toBe('changed');
    expect((edit as { text: string }).text).toContain('xmp:Rating="3"');
    expect((edit as { text: string }).text).toMatch(/<dc:subject>\s*<rdf:Bag>\s*<rdf:li>cats<\/rdf:li>/);
    expect(addKeyword('hello', 'cats').kind).toBe('unreadable');
  });
});
