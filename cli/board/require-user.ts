import type { RequestHandler } from 'express';
import { authenticate, type BoardCredential, type BoardUser, parseBasicAuth } from './basic-auth.ts';

/** The user of an authenticated request, set by requireUser. */
export function currentUser(locals: Record<string, unknown>): BoardUser {
  const user = locals.user as BoardUser | undefined;
  if (!user) throw new Error('requireUser must run before this handler');
  return user;
}

/**
 * HTTP Basic authentication in front of everything it guards: no or wrong credentials get 401
 * with a challenge, so a browser asks for a login. With no credentials configured (only allowed
 * with --insecure-local, bound to 127.0.0.1) every request is the local operator.
 */
export function requireUser(credentials: readonly BoardCredential[]): RequestHandler {
  return (req, res, next) => {
    if (credentials.length === 0) {
      res.locals.user = { name: 'local', role: 'operator' } satisfies BoardUser;
      return next();
    }
    const given = parseBasicAuth(req.headers.authorization);
    const user = given && authenticate(credentials, given.name, given.password);
    if (!user) {
      res.setHeader('WWW-Authenticate', 'Basic realm="cpd board", charset="UTF-8"');
      res.status(401).type('text/plain').send('authentication required\n');
      return;
    }
    res.locals.user = user;
    next();
  };
}
