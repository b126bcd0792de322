import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens for the console's forms: an HMAC of the user under a secret made when the board
 * starts. Browsers send Basic credentials along with any cross-site form post, so a post must
 * carry the token only a page of this board could have shown that user. A restart invalidates
 * open pages' tokens (the operator reloads), which is the price of keeping no session state.
 */
export function csrfTokens(secret: Buffer = randomBytes(32)) {
  const tokenFor = (user: string) => createHmac('sha256', secret).update(user, 'utf8').digest('base64url');
  return {
    tokenFor,
    valid(user: string, token: unknown): boolean {
      if (typeof token !== 'string') return false;
      const want = Buffer.from(tokenFor(user));
      const got = Buffer.from(token);
      return got.length === want.length && timingSafeEqual(got, want);
    },
  };
}
