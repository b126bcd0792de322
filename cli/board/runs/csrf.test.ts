import { describe, expect, it } from 'vitest';
import { csrfTokens } from './csrf.ts';

describe('csrf tokens', () => {
  it('accepts the token made for the user and nothing else', () => {
    const csrf = csrfTokens();
    const token = csrf.tokenFor('ops-cleo');
    expect(csrf.valid('ops-cleo', token)).toBe(true);
    expect(csrf.valid('other', token)).toBe(false);
    expect(csrf.valid('ops-cleo', `${token}x`)).toBe(false);
    expect(csrf.valid('ops-cleo', undefined)).toBe(false);
    expect(csrfTokens().valid('ops-cleo', token)).toBe(false);
  });
});
