/** Text made safe for HTML text and attribute values (names come from configs and vendors). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
