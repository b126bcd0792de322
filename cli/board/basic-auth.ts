import { createHash, timingSafeEqual } from 'node:crypto';

export type BoardRole = 'operator' | 'viewer';

export interface BoardUser {
  name: string;
  role: BoardRole;
}

export interface BoardCredential extends BoardUser {
  password: string;
}

/** The user name and password of an `Authorization: Basic ...` header, or undefined. */
export function parseBasicAuth(header: string | undefined): { name: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The user whose name and password match. Every credential is compared, each in constant time
 * over fixed-length digests, so the answer time says nothing about which part was wrong or how
 * much of it matched.
 */
export function authenticate(
  credentials: readonly BoardCredential[],
  name: string,
  password: string,
): BoardUser | undefined {
  let found: BoardUser | undefined;
  for (const c of credentials) {
    const nameOk = timingSafeEqual(digest(c.name), digest(name));
    const passwordOk = timingSafeEqual(digest(c.password), digest(password));
    if (nameOk && passwordOk && !found) found = { name: c.name, role: c.role };
  }
  return found;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
