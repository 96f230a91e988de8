// Database engines' own words: none may ever appear in a response (they tell an attacker what runs behind, and
// they are not the API's errors).
import { expect } from 'vitest';

const ENGINE_TEXT = [
  /SQLITE_[A-Z]/,
  /SqliteError/i,
  /no such (table|column)/i,
  /near "[^"]*": syntax error/i,
  /database is locked/i,
  /UNIQUE constraint failed/i,
  /syntax error at or near/i,
  /invalid byte sequence for encoding/i,
  /violates (unique|foreign key|not-null|check) constraint/i,
  /duplicate key value/i,
  /relation "[^"]+" does not exist/i,
  /column "[^"]+" does not exist/i,
  /invalid input syntax for type/i,
  /unterminated quoted string/i,
  /canceling statement due to statement timeout/i,
  /terminating connection due to administrator command/i,
  /cannot rollback - no transaction is active/i,
  /\bpg_[a-z_]+\(/,
  /ECONNREFUSED/,
];

export function expectNoEngineText(text: string, what: string) {
  for (const re of ENGINE_TEXT) expect(re.test(text), `${what} leaks database text (${re}): ${text.slice(0, 300)}`).toBe(false);
}
