/**
 * Generating numeric one-time codes.
 */
import { randomInt } from '../crypto.js';

/**
 * A code of `length` decimal digits from the Web Crypto API's CSPRNG, each digit uniform
 * (`randomInt` rejects biased draws).
 */
export function generateCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}
