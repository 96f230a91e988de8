// The permission data's path form, shared by the catalogue generator and the run-time lookup.

/** Lower case, any `{placeholder}` (quoted or not) written `{}`, no white space, no trailing slash. */
export function normalisePath(path: string): string {
  return path
    .trim()
    .toLowerCase()
    .replace(/'\{[^}]*\}'/g, '{}')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\s+/g, '')
    .replace(/\/+$/, '');
}
