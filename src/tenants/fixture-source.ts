// Fixture files as text: YAML or JSON parsed into plain data, with a way back from a place in the data to a place in
// the file (file:line for YAML, file#/json/pointer for JSON) so that every error can say where it is.
import { LineCounter, isMap, isSeq, parseDocument, type Document } from 'yaml';

export type Path = readonly (string | number)[];
export type FixtureFormat = 'yaml' | 'json';

export interface FixtureIssue {
  /** `file:line` (YAML) or `file#/pointer` (JSON). */
  where: string;
  path: Path;
  message: string;
}

/** A fixture refused: every issue found, none of it loaded. */
export class FixtureError extends Error {
  constructor(readonly issues: FixtureIssue[]) {
    super(issues.map((i) => `${i.where}: ${i.message}`).join('\n'));
    this.name = 'FixtureError';
  }
}

export interface FixtureSource {
  data: unknown;
  format: FixtureFormat;
  file: string;
  /** Where `path` is in the file: the nearest node that exists. */
  where(path: Path): string;
}

export const jsonPointer = (path: Path) => path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

export function formatOf(file: string, text: string): FixtureFormat {
  if (/\.json$/i.test(file)) return 'json';
  if (/\.ya?ml$/i.test(file)) return 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}

export function parseFixtureText(text: string, file: string, format: FixtureFormat = formatOf(file, text)): FixtureSource {
  return format === 'json' ? parseJson(text, file) : parseYaml(text, file);
}

/** Data already parsed (a JSON module, a stored fixture), placed by JSON pointer. */
export function sourceOf(data: unknown, file: string): FixtureSource {
  return { data, format: 'json', file, where: (path) => `${file}#${jsonPointer(path)}` };
}

function parseJson(text: string, file: string): FixtureSource {
  try {
    return sourceOf(JSON.parse(text), file);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new FixtureError([{ where: line ? `${file}:${line}` : file, path: [], message: `not valid JSON: ${msg}` }]);
  }
}

function parseYaml(text: string, file: string): FixtureSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length)
    throw new FixtureError(doc.errors.map((e) => ({ where: `${file}:${lineCounter.linePos(e.pos[0]).line}`, path: [], message: `not valid YAML: ${e.message.split('\n')[0]}` })));
  const lineOf = (path: Path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = nodeAt(doc, path.slice(0, n));
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  return { data: doc.toJS({ maxAliasCount: 1000 }), format: 'yaml', file, where: (path) => `${file}:${lineOf(path)}` };
}

type Ranged = { range?: [number, number, number] | null };

/** The YAML node at `path`; for a map entry, its key (where a reader looks for it). */
function nodeAt(doc: Document, path: Path): Ranged | undefined {
  let node: unknown = doc.contents;
  let at: Ranged | undefined = doc.contents as Ranged | undefined;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === step);
      if (!pair) return undefined;
      at = (pair.key as Ranged | null) ?? undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
      at = node as Ranged | undefined;
    } else return undefined;
  }
  return at;
}
