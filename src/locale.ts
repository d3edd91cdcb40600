/**
 * The one language rule of every vendor: which language the recipient reads when a start
 * request gives no `locale`. The shell applies it before an adapter sees the request, so
 * swapping vendors by configuration never changes the language of the message.
 *
 * 1. `StartRequest.locale`, else the provider option `defaultLocale`, else the language of the
 *    recipient's country, read from the number's calling code (`+44` → `en`, `+49` → `de`).
 * 2. The tag is reduced to a language the vendor's own texts come in: the tag, then the tag
 *    without its last subtag, and so on (`pt-BR` → `pt`), then `en`.
 *
 * A vendor whose message template decides the language (Notificore) declares no
 * `capabilities.languages`, and the locale passes through untouched.
 */

/**
 * The main language of the countries behind each calling code (ISO 639-1). Calling codes are
 * prefix-free, so the first 1, 2 or 3 digits that name an entry name the only one. Where a
 * country has several languages, the one its SMS traffic most often uses; a shared code (+1,
 * +7, +44) is named by its largest country. Codes not listed get the fallback (`en`).
 */
// Stryker disable StringLiteral: data, not logic (a sample of entries is tested; each value is a fact to check against a source, not a mutant to kill)
const LANGUAGE_OF_CALLING_CODE: Readonly<Record<string, string>> = {
  '1': 'en', '7': 'ru', '20': 'ar', '27': 'en', '30': 'el', '31': 'nl', '32': 'nl', '33': 'fr', '34': 'es', '36': 'hu',
  '39': 'it', '40': 'ro', '41': 'de', '43': 'de', '44': 'en', '45': 'da', '46': 'sv', '47': 'nb', '48': 'pl', '49': 'de',
  '51': 'es', '52': 'es', '53': 'es', '54': 'es', '55': 'pt', '56': 'es', '57': 'es', '58': 'es', '60': 'ms', '61': 'en',
  '62': 'id', '63': 'en', '64': 'en', '65': 'en', '66': 'th', '81': 'ja', '82': 'ko', '84': 'vi', '86': 'zh', '90': 'tr',
  '91': 'en', '92': 'ur', '93': 'fa', '94': 'si', '95': 'my', '98': 'fa',
  '212': 'ar', '213': 'ar', '216': 'ar', '218': 'ar', '221': 'fr', '225': 'fr', '233': 'en', '234': 'en', '237': 'fr',
  '243': 'fr', '244': 'pt', '251': 'am', '254': 'en', '255': 'sw', '256': 'en', '258': 'pt', '260': 'en', '263': 'en',
  '351': 'pt', '352': 'fr', '353': 'en', '354': 'is', '355': 'sq', '356': 'en', '357': 'el', '358': 'fi', '359': 'bg',
  '370': 'lt', '371': 'lv', '372': 'et', '373': 'ro', '374': 'hy', '375': 'ru', '376': 'ca', '377': 'fr', '380': 'uk',
  '381': 'sr', '382': 'sr', '383': 'sq', '385': 'hr', '386': 'sl', '387': 'bs', '389': 'mk', '420': 'cs', '421': 'sk',
  '423': 'de', '852': 'zh', '853': 'zh', '880': 'bn', '886': 'zh', '961': 'ar', '962': 'ar', '963': 'ar', '964': 'ar',
  '965': 'ar', '966': 'ar', '967': 'ar', '968': 'ar', '970': 'ar', '971': 'ar', '972': 'he', '973': 'ar', '974': 'ar',
  '977': 'ne', '994': 'az', '995': 'ka', '998': 'uz',
};
// Stryker restore StringLiteral

/** The language every chain ends with: every vendor's texts come in English. */
export const FALLBACK_LANGUAGE = 'en';

/**
 * The language of a phone number's country (ISO 639-1), from its calling code; `undefined`
 * for an e-mail address or a calling code not in the table.
 *
 * @example
 * ```ts
 * languageOfNumber('+48601234567'); // 'pl'
 * ```
 */
export function languageOfNumber(to: string | { readonly email: string }): string | undefined {
  if (typeof to !== 'string' || !to.startsWith('+')) return undefined;
  for (let digits = 1; digits <= 3; digits++) {
    const language = LANGUAGE_OF_CALLING_CODE[to.slice(1, 1 + digits)];
    if (language) return language;
  }
  return undefined;
}

/**
 * Reduces a BCP 47 tag to one of `supported` (lower-case tags): the tag, then shorter prefixes
 * of it, then {@link FALLBACK_LANGUAGE}, then the first supported one.
 *
 * @example
 * ```ts
 * reduceLocale('pt-BR', ['en', 'pt']); // 'pt'
 * reduceLocale('el', ['en', 'de']);    // 'en'
 * ```
 */
export function reduceLocale(tag: string, supported: readonly string[]): string {
  const subtags = tag.toLowerCase().split('-');
  for (let length = subtags.length; length > 0; length--) {
    const candidate = subtags.slice(0, length).join('-');
    if (supported.includes(candidate)) return candidate;
  }
  return supported.includes(FALLBACK_LANGUAGE) ? FALLBACK_LANGUAGE : supported[0]!;
}

/** Where the language of a start comes from, in the order the rule reads them. */
export interface LocaleSources {
  /** `StartRequest.locale`. */
  readonly requested: string | undefined;
  /** The provider option `defaultLocale`. */
  readonly fallback: string | undefined;
  /** The recipient. */
  readonly to: string | { readonly email: string };
}

/**
 * The language a start is sent in, by the rule above: the request's locale, else the
 * provider's default, else the language of the recipient's country, else `en`, reduced to
 * what the vendor supports.
 */
export function decideLocale(sources: LocaleSources, supported: readonly string[]): string {
  return reduceLocale(sources.requested ?? sources.fallback ?? languageOfNumber(sources.to) ?? FALLBACK_LANGUAGE, supported);
}
