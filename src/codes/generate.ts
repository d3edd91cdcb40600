/**
 * Generating numeric one-time codes.
 */
import { randomInt } from '../crypto.js';

/** The draws at or above this are refused: 2³² is not a multiple of 10, and a digit from them would be likelier. */
const DIGIT_LIMIT = 2 ** 32 - (2 ** 32 % 10);

/**
 * A code of `length` decimal digits from the Web Crypto API's CSPRNG, each digit uniform. One
 * 32-bit draw a digit, all in one call (one call a digit cost more than the rest of a start's
 * own work); a draw in the last incomplete block of ten is drawn again (`randomInt`).
 */
export function generateCode(length: number): string {
  const draws = globalThis.crypto.getRandomValues(new Uint32Array(length));
  let code = '';
  for (const draw of draws) code += String(draw < DIGIT_LIMIT ? draw % 10 : randomInt(10));
  return code;
}
