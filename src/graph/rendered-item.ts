// An item of a collection that is already encoded JSON: a list page is written by joining such bytes, so an object
// whose rendering is cached is neither parsed, projected, serialised nor encoded again.
import type { Props } from '../directory/model.js';

export class RenderedItem {
  constructor(
    readonly id: string,
    /** The item's JSON, UTF-8. */
    readonly bytes: Buffer,
  ) {}

  /** The item as an object, for code that edits a reply (and for JSON.stringify, which then writes it unchanged). */
  toJSON(): Props {
    return JSON.parse(this.bytes.toString('utf8')) as Props;
  }
}

/** The item as an object, whether rendered or not. */
export const itemObject = (item: unknown): Props => (item instanceof RenderedItem ? item.toJSON() : (item as Props));

const COMMA = Buffer.from(',');
const joined = new WeakMap<readonly unknown[], Buffer>();

function itemParts(value: readonly unknown[]): Buffer[] {
  const parts: Buffer[] = [];
  value.forEach((item, i) => {
    if (i) parts.push(COMMA);
    parts.push(item instanceof RenderedItem ? item.bytes : Buffer.from(JSON.stringify(item) ?? 'null'));
  });
  return parts;
}

/**
 * The reply body as it goes on the wire. A collection whose `value` holds rendered items is written member by
 * member with the items' bytes copied in place; anything else goes to JSON.stringify as it is.
 */
export function replyPayload(body: unknown): string | Buffer {
  if (body instanceof RenderedItem) return body.bytes;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return JSON.stringify(body);
  const value = (body as Props).value;
  if (!Array.isArray(value) || !value.some((v) => v instanceof RenderedItem)) return JSON.stringify(body);
  const parts: Buffer[] = [];
  let text = '{';
  let first = true;
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    if (!first) text += ',';
    first = false;
    if (k !== 'value') {
      text += `${JSON.stringify(k)}:${JSON.stringify(v)}`;
      continue;
    }
    parts.push(Buffer.from(`${text}"value":[`));
    // The items of a kept page (frozen, see kept-pages.ts) are joined once.
    if (Object.isFrozen(value)) {
      let once = joined.get(value);
      if (!once) joined.set(value, (once = Buffer.concat(itemParts(value))));
      parts.push(once);
    } else parts.push(...itemParts(value));
    text = ']';
  }
  parts.push(Buffer.from(`${text}}`));
  return Buffer.concat(parts);
}
