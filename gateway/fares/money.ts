/**
 * Amounts as integers in the currency's minor unit (ISO 4217 exponent), parsed from
 * and printed as decimal strings without ever passing through a float.
 */

/** ISO 4217 currencies whose minor unit is not 1/100 (the list in the standard's table A.1). */
const EXPONENT_NOT_TWO: Record<string, number> = {
  BHD: 3, BIF: 0, CLF: 4, CLP: 0, DJF: 0, GNF: 0, IQD: 3, ISK: 0, JOD: 3, JPY: 0, KMF: 0, KRW: 0,
  KWD: 3, LYD: 3, OMR: 3, PYG: 0, RWF: 0, TND: 3, UGX: 0, UYI: 0, UYW: 4, VND: 0, VUV: 0, XAF: 0,
  XOF: 0, XPF: 0,
};

let knownCurrencies: Set<string> | undefined;

/** The ISO 4217 exponent, or undefined for a code that is not a currency. */
export function currencyExponent(currency: string): number | undefined {
  knownCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  if (!/^[A-Z]{3}$/.test(currency) || !knownCurrencies.has(currency)) return undefined;
  return EXPONENT_NOT_TWO[currency] ?? 2;
}

/** "2.8" in GBP → 280. Returns an error message for anything that is not an exact amount. */
export function parseMinorUnits(text: string, currency: string): number | string {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return `"${currency}" is not an ISO 4217 currency code`;
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return `"${text}" is not a non-negative decimal amount`;
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return `"${text}" has more decimals than ${currency} allows (${exponent})`;
  const digits = `${match[1]}${fraction.padEnd(exponent, '0')}`.replace(/^0+(?=\d)/, '');
  if (digits.length > 15) return `"${text}" is too large`;
  return Number(digits);
}

/** 280, GBP → "2.80 GBP"; negative amounts keep their sign. */
export function formatMinorUnits(minor: number, currency: string): string {
  const exponent = currencyExponent(currency) ?? 2;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const major = digits.slice(0, digits.length - exponent);
  const text = exponent === 0 ? major : `${major}.${digits.slice(digits.length - exponent)}`;
  return `${minor < 0 ? '-' : ''}${text} ${currency}`;
}
