/**
 * Turn an untrusted label (segment or feature name) into a file-name- and cid-safe key.
 * The index keeps keys unique even when two names slug to the same thing.
 */
export function chartKey(prefix: string, label: string, index: number): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${prefix}-${index + 1}${slug ? `-${slug}` : ''}`;
}
