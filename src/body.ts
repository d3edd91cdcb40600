/**
 * Reading a body with a size cap: a `Response` from a vendor, or a `Request` a vendor posts
 * to a webhook. Counted on the bytes the stream yields (decoded), so a gzip bomb stops at the cap.
 */
import { concatBytes } from './bytes.js';

/** The body as UTF-8 text, or undefined when it is larger than `cap` bytes (the rest is not read). */
export async function readCapped(message: Request | Response, cap: number): Promise<string | undefined> {
  if (Number(message.headers.get('content-length')) > cap) {
    await message.body?.cancel();
    return undefined;
  }
  if (!message.body) return '';
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(chunks.length === 1 ? chunks[0]! : concatBytes(chunks));
}
