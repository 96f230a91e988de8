// $search → clauses: `"displayName:foo" AND ("description:bar" OR "displayName:baz")` (graph-notes §2). Clauses
// are double-quoted (`\"` and `\\` escape), AND / OR are upper-case and outside the quotes, parentheses group,
// and two clauses side by side mean AND.
import { badRequest } from '../graph/errors.js';

export type SearchSyntax =
  | { kind: 'term'; property: string; text: string }
  | { kind: 'and' | 'or'; left: SearchSyntax; right: SearchSyntax };

const invalid = (detail: string) => badRequest(`Syntax error: ${detail} in $search.`);

type Tok = { t: 'clause'; v: string } | { t: 'and' | 'or' | '(' | ')' } | { t: 'end' };

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) i++;
    else if (c === '(' || c === ')') {
      toks.push({ t: c });
      i++;
    } else if (c === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) throw invalid('unterminated quoted clause');
        if (src[j] === '\\' && j + 1 < src.length) {
          v += src[j + 1];
          j += 2;
        } else if (src[j] === '"') break;
        else v += src[j++];
      }
      toks.push({ t: 'clause', v });
      i = j + 1;
    } else if (src.startsWith('AND', i) && !/\w/.test(src[i + 3] ?? '')) {
      toks.push({ t: 'and' });
      i += 3;
    } else if (src.startsWith('OR', i) && !/\w/.test(src[i + 2] ?? '')) {
      toks.push({ t: 'or' });
      i += 2;
    } else throw invalid(`unexpected character '${c}' (clauses must be double-quoted)`);
  }
  toks.push({ t: 'end' });
  return toks;
}

export function parseSearch(text: string): SearchSyntax {
  if (text.length > 4096) throw invalid('expression too long');
  const toks = lex(text);
  let i = 0;
  let depth = 0;
  const or = (): SearchSyntax => {
    if (++depth > 32) throw invalid('expression nested too deeply');
    let left = and();
    while (toks[i].t === 'or') {
      i++;
      left = { kind: 'or', left, right: and() };
    }
    depth--;
    return left;
  };
  const and = (): SearchSyntax => {
    let left = primary();
    for (;;) {
      const t = toks[i].t;
      if (t === 'and') i++;
      else if (t !== 'clause' && t !== '(') return left;
      left = { kind: 'and', left, right: primary() };
    }
  };
  const primary = (): SearchSyntax => {
    const tok = toks[i++];
    if (tok.t === '(') {
      const e = or();
      if (toks[i++].t !== ')') throw invalid("expected ')'");
      return e;
    }
    if (tok.t !== 'clause') throw invalid('expected a quoted clause');
    const colon = tok.v.indexOf(':');
    if (colon <= 0) throw invalid(`clause '${tok.v}' must have the form "property:text"`);
    const text = tok.v.slice(colon + 1);
    if (!text.trim()) throw invalid(`clause '${tok.v}' has no search text`);
    return { kind: 'term', property: tok.v.slice(0, colon).trim(), text };
  };
  const tree = or();
  if (toks[i].t !== 'end') throw invalid('unexpected token');
  return tree;
}
