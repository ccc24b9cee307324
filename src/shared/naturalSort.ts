/**
 * Natural order of file names for people: cat.2 before cat.10, IMG_9 before IMG_10. SQLite (through
 * better-sqlite3) cannot sort with a custom collation, so each photo stores a key that sorts
 * naturally as plain text: every run of digits is written as its length (two digits) then the
 * digits without leading zeros, so a longer number always sorts after a shorter one. Case is
 * ignored, as in a file manager.
 */
export function naturalSortKey(name: string): string {
  return name.toLowerCase().replace(/\d+/g, (digits) => {
    const significant = digits.replace(/^0+(?=\d)/, '');
    return `${String(Math.min(significant.length, 99)).padStart(2, '0')}${significant}`;
  });
}
