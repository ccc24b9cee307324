/**
 * Numbers and counts in words, the same in the app, the CLI and the messages both show: one
 * number format (Intl.NumberFormat, the user's locale) and plurals by Intl.PluralRules ("1 photo",
 * "2 photos", never "1 photos"). Pure: Intl exists in Node and in every browser.
 */
const numbers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const integers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const plurals = new Intl.PluralRules('en');

/** Nouns whose plural is not the singular + "s". */
const IRREGULAR: Record<string, string> = { class: 'classes', copy: 'copies', pass: 'passes', photo: 'photos', is: 'are', was: 'were', has: 'have' };
/** Plural nouns Graft uses as units, and their singulars ("photos" → "photo"). */
const SINGULAR: Record<string, string> = Object.fromEntries([...Object.entries(IRREGULAR).map(([one, many]) => [many, one])]);

export function formatNumber(value: number): string {
  return (Number.isInteger(value) ? integers : numbers).format(value);
}

/** The noun in the form that goes with this count: noun(1, 'photo') is "photo", noun(3, 'photo') "photos". */
export function noun(count: number, singular: string): string {
  if (plurals.select(count) === 'one') return singular;
  return IRREGULAR[singular] ?? `${singular}s`;
}

/** "1 photo", "1,216 photos", "0 classes". */
export function count(value: number, singular: string): string {
  return `${formatNumber(value)} ${noun(value, singular)}`;
}

/** The singular of a plural unit ("photos" → "photo", "epochs" → "epoch"); other words unchanged. */
export function singularOf(unit: string): string {
  if (SINGULAR[unit]) return SINGULAR[unit];
  return unit.endsWith('s') && !unit.endsWith('ss') ? unit.slice(0, -1) : unit;
}

/** A count in a plural unit as jobs report it ("photos", "files"): count of its singular. */
export function amount(value: number, pluralUnit: string): string {
  return count(value, singularOf(pluralUnit));
}

/** “a”, “a and b”, “a, b and c”, or “a, b, c and 5 others” past `max` names (quoted). */
export function listNames(names: readonly string[], max = 3): string {
  const quoted = names.map((n) => `“${n}”`);
  if (quoted.length <= max) return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}` : (quoted[0] ?? '');
  const rest = quoted.length - max;
  return `${quoted.slice(0, max).join(', ')} and ${count(rest, 'other')}`;
}

/** The most decimals a percentage takes to avoid saying 100 % or 0 % of what is not quite all or none. */
const MOST_PERCENT_DIGITS = 2;

const percentFormats = new Map<number, Intl.NumberFormat>();
/** One format per number of decimals, made once: lists format hundreds of percentages at a time. */
function percentFormat(fractionDigits: number): Intl.NumberFormat {
  let format = percentFormats.get(fractionDigits);
  if (!format) percentFormats.set(fractionDigits, (format = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: fractionDigits, minimumFractionDigits: 0 })));
  return format;
}

/**
 * A share as a percentage: 0.875 → "87.5 %" style in the user's locale ("87.5%" in English). It
 * says 100 % only of all and 0 % only of none: a share that would round to either takes more
 * decimals (0.9996 → "99.96%"), and past two of them says which side it is on ("> 99.99%",
 * "< 0.01%") — "100 %" of a photo the model is not quite sure of, or of a run with one mistake,
 * reads as nonsense.
 */
export function percent(share: number, fractionDigits = 1): string {
  const all = share >= 1;
  const none = share <= 0;
  for (let digits = fractionDigits; digits <= Math.max(fractionDigits, MOST_PERCENT_DIGITS); digits++) {
    const format = percentFormat(digits);
    const text = format.format(share);
    if ((text !== format.format(1) || all) && (text !== format.format(0) || none)) return text;
  }
  const bound = 10 ** -MOST_PERCENT_DIGITS / 100;
  return share > 0.5 ? `> ${percentFormat(MOST_PERCENT_DIGITS).format(1 - bound)}` : `< ${percentFormat(MOST_PERCENT_DIGITS).format(bound)}`;
}

/**
 * How sure a model is of a photo, as the app and the CLI write it: whole percents ("87%"; the
 * decimals mean nothing to a person), with decimals only near certainty so that it never says
 * 100 % unless it is certain, nor 0 % unless it rules the class out ("99.7%", "> 99.99%").
 */
export function confidence(probability: number): string {
  return percent(probability, 0);
}

/** How many times one amount is another, as the app writes every ratio: "1.9×", "7.2×", "17×" (one decimal below 10, none above). */
export function ratio(value: number): string {
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: Math.abs(value) < 10 ? 1 : 0 }).format(value)}×`;
}
