import { afterEach, describe, expect, it } from 'vitest';
import { armFaultPoints, FaultInjectedError, faultPoint, parseFaultSpec } from './fault-point.ts';

describe('fault points', () => {
  afterEach(() => armFaultPoints(undefined));

  it('parses names with their action, kill by default', () => {
    expect([...parseFaultSpec('score.after-rename, mail.after-smtp-accept:throw')]).toEqual([
      ['score.after-rename', 'kill'],
      ['mail.after-smtp-accept', 'throw'],
    ]);
    expect(parseFaultSpec(undefined).size).toBe(0);
  });

  it('refuses an unknown name or action', () => {
    expect(() => parseFaultSpec('score.after-renme')).toThrow(/unknown fault point "score.after-renme"/);
    expect(() => parseFaultSpec('score.after-rename:explode')).toThrow(/unknown action/);
  });

  it('does nothing unarmed and throws when armed with :throw', () => {
    expect(() => faultPoint('score.after-rename')).not.toThrow();
    armFaultPoints('score.after-rename:throw');
    expect(() => faultPoint('score.after-rename')).toThrow(FaultInjectedError);
    expect(() => faultPoint('score.after-views')).not.toThrow();
  });
});
