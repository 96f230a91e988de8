// The README's parity table is generated from the route table (scripts/generate-parity.ts): it must match what the
// router serves now. Rerun the script when this fails.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { END, parityMarkdown, START } from '../../scripts/parity.js';

describe('README parity table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  test('is the one the route table gives (npx tsx scripts/generate-parity.ts)', () => {
    const section = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect(section).toBe(parityMarkdown());
  });

  test('lists the resources added for client fidelity and leaves out nothing the router serves', () => {
    const table = parityMarkdown();
    for (const path of ['/organization', '/domains/{id}', '/$metadata', '/users/delta', '/groups/{id}/members', '/education/classes'])
      expect(table).toContain(`| \`${path}\` |`);
    expect(table).toMatch(/\| `\/users\/\{id\}\/checkMemberGroups` \|  \| ✓ \|/);
  });
});
