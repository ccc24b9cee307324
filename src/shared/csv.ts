/**
 * CSV as RFC 4180 writes it: fields with commas, quotes or line breaks are quoted, quotes doubled.
 *
 * Cells that a spreadsheet would run as a formula — beginning with `=`, `+`, `-`, `@`, a tab or a
 * carriage return (OWASP "CSV injection": a photo named `=HYPERLINK(…).jpg`, or a class named so)
 * — are written with a leading single quote, which spreadsheet tools read as "this is text".
 * Cells already beginning with a quote get one more, so that `parseCsv` can undo it exactly:
 * what `csvRow` writes, `parseCsv` reads back as it was (Graft resumes from its own CSV files).
 * Absolute paths never begin with these characters, so a path column reads the same either way.
 */

const FORMULA_START = /^[=+\-@\t\r']/;

function escapeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function unescapeFormula(text: string): string {
  return text.startsWith("'") ? text.slice(1) : text;
}

export function csvRow(fields: readonly (string | number | null)[]): string {
  return (
    fields
      .map((field) => {
        const text = field === null ? '' : escapeFormula(String(field));
        return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
      })
      .join(',') + '\n'
  );
}

/** Parses CSV text (as `csvRow` writes it) into rows of fields; a last row without its line break is kept. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(unescapeFormula(field));
    field = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endField();
      rows.push(row);
      row = [];
    } else field += c;
    i++;
  }
  if (field !== '' || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}
