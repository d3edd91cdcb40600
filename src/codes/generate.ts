/**
 * Generating numeric one-time codes.
 */
import { randomInt } from '../crypto.js';

/** The draws at or above this are refused: 2³² is not a multiple of 10, and a digit from them would be likelier. */
const DIGIT_LIMIT = 2 ** 32 - (2 ** 32 % 10);
/** Draws fetched at once: about 170 six-digit codes a `getRandomValues` call (Node's `randomUUID` keeps such a cache too). */
const POOL_DRAWS = 1024;

let pool = new Uint32Array(0);
let next = 0;

/** The next 32-bit draw of the pool, refilled from the CSPRNG when used up; a draw is zeroed once taken. */
function draw(): number {
  if (next === pool.length) {
    pool = globalThis.crypto.getRandomValues(new Uint32Array(POOL_DRAWS));
    next = 0;
  }
  const value = pool[next]!;
  pool[next++] = 0;
  return value;
}

/**
 * A code of `length` decimal digits from the Web Crypto API's CSPRNG, each digit uniform. One
 * 32-bit draw a digit, from a pool filled 1 024 draws at a time (a `getRandomValues` call cost
 * more than the rest of a start's own work); a draw in the last incomplete block of ten is
 * drawn again (`randomInt`).
 */
export function generateCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) {
    const value = draw();
    code += String(value < DIGIT_LIMIT ? value % 10 : randomInt(10));
  }
  return code;
}
