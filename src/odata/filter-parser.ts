// $filter → Syntax, by a small recursive-descent parser. Graph's dialect (case-insensitive function names,
// unquoted GUID and DateTimeOffset literals, `/$count`, lambdas) is not what the general OData parsers on npm
// target, and none of them is well kept, so this one is written for exactly the subset Graph documents.
//
// Grammar:  or := and ('or' and)* ;  and := unary ('and' unary)* ;  unary := 'not' unary | cmp ;
//           cmp := primary (op primary | 'in' '(' primary (',' primary)* ')')? ;
//           primary := '(' or ')' | literal | name '(' args ')' | path ;
//           path := name ('/' (name | '$count' | ('any'|'all') '(' (name ':' or)? ')'))*
import type { ComparisonOp, Literal, Syntax } from './ast.js';
import { badRequest } from '../graph/errors.js';

type Tok =
  | { t: 'name'; v: string; pos: number }
  | { t: 'lit'; v: Literal; pos: number }
  | { t: 'punct'; v: '(' | ')' | ',' | '/' | ':'; pos: number }
  | { t: 'end'; pos: number };

const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/y;
const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?(?![\w:.+-])/iy;
const DATE = /\d{4}-\d{2}-\d{2}(?![\w:.+-])/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/y;
const NAME = /[A-Za-z_$][\w$.]*/y;
const MAX_DEPTH = 64;
const MAX_LENGTH = 8192;

export const invalidFilter = (detail: string) => badRequest(`Invalid filter clause: ${detail}`);

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const at = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(src);
    return m ? m[0] : undefined;
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) throw invalidFilter(`unterminated string literal at position ${i}.`);
        if (src[j] === "'") {
          if (src[j + 1] === "'") {
            v += "'";
            j += 2;
            continue;
          }
          break;
        }
        v += src[j++];
      }
      toks.push({ t: 'lit', v: { kind: 'string', value: v }, pos: i });
      i = j + 1;
      continue;
    }
    if ('(),/:'.includes(c)) {
      toks.push({ t: 'punct', v: c as '(', pos: i });
      i++;
      continue;
    }
    let m: string | undefined;
    if ((m = at(GUID))) toks.push({ t: 'lit', v: { kind: 'guid', value: m.toLowerCase() }, pos: i });
    else if ((m = at(DATETIME))) toks.push({ t: 'lit', v: { kind: 'dateTime', value: m }, pos: i });
    else if ((m = at(DATE))) toks.push({ t: 'lit', v: { kind: 'date', value: m }, pos: i });
    else if ((m = at(NUMBER))) toks.push({ t: 'lit', v: { kind: 'number', value: Number(m), raw: m }, pos: i });
    else if ((m = at(NAME))) {
      const lower = m.toLowerCase();
      if (lower === 'true' || lower === 'false') toks.push({ t: 'lit', v: { kind: 'boolean', value: lower === 'true' }, pos: i });
      else if (lower === 'null') toks.push({ t: 'lit', v: { kind: 'null' }, pos: i });
      else toks.push({ t: 'name', v: m, pos: i });
    } else throw invalidFilter(`unexpected character '${c}' at position ${i}.`);
    i += m.length;
  }
  toks.push({ t: 'end', pos: src.length });
  return toks;
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'has']);

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i];
  }
  private next(): Tok {
    return this.toks[this.i++];
  }
  private isName(word: string, tok = this.peek()) {
    return tok.t === 'name' && tok.v.toLowerCase() === word;
  }
  private isPunct(p: string, tok = this.peek()) {
    return tok.t === 'punct' && tok.v === p;
  }
  private expectPunct(p: string) {
    const tok = this.next();
    if (!this.isPunct(p, tok)) throw invalidFilter(`expected '${p}' at position ${tok.pos}.`);
  }
  private enter() {
    if (++this.depth > MAX_DEPTH) throw invalidFilter('the expression is nested too deeply.');
  }

  parseAll(): Syntax {
    const e = this.or();
    const tok = this.peek();
    if (tok.t !== 'end') throw invalidFilter(`unexpected token at position ${tok.pos}.`);
    return e;
  }

  private or(): Syntax {
    this.enter();
    let left = this.and();
    while (this.isName('or')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    this.depth--;
    return left;
  }

  private and(): Syntax {
    let left = this.unary();
    while (this.isName('and')) {
      this.next();
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Syntax {
    if (this.isName('not')) {
      this.next();
      this.enter();
      const operand = this.unary();
      this.depth--;
      return { kind: 'not', operand };
    }
    return this.comparison();
  }

  private comparison(): Syntax {
    const left = this.primary();
    const tok = this.peek();
    if (tok.t === 'name' && COMPARISONS.has(tok.v.toLowerCase())) {
      this.next();
      return { kind: 'compare', op: tok.v.toLowerCase() as ComparisonOp, left, right: this.primary() };
    }
    if (this.isName('in')) {
      this.next();
      this.expectPunct('(');
      const items: Syntax[] = [this.primary()];
      while (this.isPunct(',')) {
        this.next();
        items.push(this.primary());
      }
      this.expectPunct(')');
      return { kind: 'in', left, items };
    }
    return left;
  }

  private primary(): Syntax {
    const tok = this.next();
    if (this.isPunct('(', tok)) {
      const e = this.or();
      this.expectPunct(')');
      return e;
    }
    if (tok.t === 'lit') return { kind: 'literal', literal: tok.v };
    if (tok.t !== 'name') throw invalidFilter(`expected an operand at position ${tok.pos}.`);
    if (this.isPunct('(')) {
      this.next();
      const args: Syntax[] = [];
      if (!this.isPunct(')')) {
        args.push(this.or());
        while (this.isPunct(',')) {
          this.next();
          args.push(this.or());
        }
      }
      this.expectPunct(')');
      return { kind: 'call', name: tok.v.toLowerCase(), args };
    }
    return this.path([tok.v]);
  }

  private path(segments: string[]): Syntax {
    while (this.isPunct('/')) {
      this.next();
      const tok = this.next();
      if (tok.t !== 'name') throw invalidFilter(`expected a property name at position ${tok.pos}.`);
      const lower = tok.v.toLowerCase();
      if ((lower === 'any' || lower === 'all') && this.isPunct('(')) {
        this.next();
        if (this.isPunct(')')) {
          this.next();
          return { kind: 'lambda', op: lower, collection: segments };
        }
        const v = this.next();
        if (v.t !== 'name') throw invalidFilter(`expected a lambda variable at position ${v.pos}.`);
        this.expectPunct(':');
        this.enter();
        const body = this.or();
        this.depth--;
        this.expectPunct(')');
        return { kind: 'lambda', op: lower, collection: segments, variable: v.v, body };
      }
      segments.push(tok.v);
    }
    return { kind: 'path', segments };
  }
}

export function parseFilter(text: string): Syntax {
  if (text.length > MAX_LENGTH) throw invalidFilter('the expression is too long.');
  if (!text.trim()) throw invalidFilter('the expression is empty.');
  return new Parser(lex(text)).parseAll();
}
