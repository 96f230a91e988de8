// An item of a collection that is already JSON text: a list page is written by joining such texts, so an object
// whose rendering is cached is neither parsed, projected nor serialised again.
import type { Props } from '../directory/model.js';

export class RenderedItem {
  constructor(
    readonly id: string,
    readonly json: string,
  ) {}

  /** The item as an object, for code that edits a reply (and for JSON.stringify, which then writes it unchanged). */
  toJSON(): Props {
    return JSON.parse(this.json) as Props;
  }
}

/** The item as an object, whether rendered or not. */
export const itemObject = (item: unknown): Props => (item instanceof RenderedItem ? item.toJSON() : (item as Props));

const itemText = (item: unknown): string => (item instanceof RenderedItem ? item.json : (JSON.stringify(item) ?? 'null'));

/**
 * The reply body as JSON text. A collection whose `value` holds rendered items is written member by member, with
 * the items' texts joined in place; anything else goes to JSON.stringify as it is.
 */
export function jsonText(body: unknown): string {
  if (body instanceof RenderedItem) return body.json;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return JSON.stringify(body);
  const value = (body as Props).value;
  if (!Array.isArray(value) || !value.some((v) => v instanceof RenderedItem)) return JSON.stringify(body);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    parts.push(k === 'value' ? `"value":[${value.map(itemText).join(',')}]` : `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}
