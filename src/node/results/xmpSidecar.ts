/**
 * XMP sidecars: `<photo file>.xmp` beside the photo, the naming digiKam and darktable use by
 * default. The class goes into dc:subject, which digiKam shows as a tag and Lightroom as a
 * keyword. An existing sidecar is edited in place, keeping everything else it says.
 */

export function sidecarPath(photo: string): string {
  return `${photo}.xmp`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const subject = (keyword: string) => `<dc:subject>\n    <rdf:Bag>\n     <rdf:li>${escapeXml(keyword)}</rdf:li>\n    </rdf:Bag>\n   </dc:subject>`;

export function newSidecar(keyword: string): string {
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Graft">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/">
   ${subject(keyword)}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`;
}

export type SidecarEdit = { kind: 'unchanged' } | { kind: 'changed'; text: string } | { kind: 'unreadable'; reason: string };

/** The sidecar with the keyword added to its dc:subject bag (created when missing). */
export function addKeyword(existing: string, keyword: string): SidecarEdit {
  const item = `<rdf:li>${escapeXml(keyword)}</rdf:li>`;
  const subjectStart = existing.indexOf('<dc:subject');
  if (subjectStart >= 0) {
    const bagEnd = existing.indexOf('</rdf:Bag>', subjectStart);
    const subjectEnd = existing.indexOf('</dc:subject>', subjectStart);
    if (bagEnd < 0 || subjectEnd < 0 || bagEnd > subjectEnd) return { kind: 'unreadable', reason: 'its dc:subject is not a list (rdf:Bag) Graft can add to' };
    if (existing.slice(subjectStart, subjectEnd).includes(item)) return { kind: 'unchanged' };
    return { kind: 'changed', text: `${existing.slice(0, bagEnd)} ${item}\n    ${existing.slice(bagEnd)}` };
  }
  const rdfEnd = existing.indexOf('</rdf:RDF>');
  if (rdfEnd < 0) return { kind: 'unreadable', reason: 'it is not an XMP packet (no rdf:RDF)' };
  const description = `  <rdf:Description rdf:about=""\n    xmlns:dc="http://purl.org/dc/elements/1.1/">\n   ${subject(keyword)}\n  </rdf:Description>\n `;
  return { kind: 'changed', text: existing.slice(0, rdfEnd) + description + existing.slice(rdfEnd) };
}
