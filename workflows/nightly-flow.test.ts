import { describe, expect, it } from 'vitest';
import { stepNames } from '../config/steps.ts';
import { nightlyFlow } from './nightly-flow.ts';

describe('nightly flow', () => {
  it('chains the steps so collect is the deepest child and report the root', () => {
    const order: string[] = [];
    for (
      let node: ReturnType<typeof nightlyFlow> | undefined = nightlyFlow('p@2026-01-01', 1, {
        attempts: 3,
        backoffMs: 10,
      });
      node;
      node = node.children?.[0]
    ) {
      order.push(node.name);
      expect(node.opts?.jobId).toBe(`p@2026-01-01.g1.${node.name}`);
      expect(node.opts?.jobId).not.toContain(':');
      expect(node.data).toEqual({ runKey: 'p@2026-01-01', step: node.name });
      expect(node.opts).not.toHaveProperty('failParentOnFailure');
    }
    expect(order.reverse()).toEqual([...stepNames]);
  });
});
