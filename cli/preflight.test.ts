import { describe, expect, it } from 'vitest';
import { ensureServices, type ServiceStarter, ServiceUnavailableError } from './preflight.ts';

function starter(opts: { up: boolean; docker: boolean; composeOk?: boolean }) {
  const calls: string[] = [];
  let up = opts.up;
  const s: ServiceStarter = {
    check: () => {
      calls.push('check');
      return up
        ? Promise.resolve()
        : Promise.reject(new ServiceUnavailableError('MySQL is not reachable at x\n\nStart them'));
    },
    dockerAvailable: () => {
      calls.push('docker info');
      return opts.docker;
    },
    composeUp: () => {
      calls.push('compose up');
      up = opts.composeOk ?? true;
      return opts.composeOk ?? true;
    },
    print: (line) => calls.push(`print ${line.split('\n').at(-1)}`),
  };
  return { s, calls };
}

describe('ensureServices', () => {
  it('does nothing when the services answer', async () => {
    const { s, calls } = starter({ up: true, docker: true });
    await expect(ensureServices(s)).resolves.toBe('running');
    expect(calls).toEqual(['check']);
  });

  it('starts the compose services when they are down and Docker runs, then checks again', async () => {
    const { s, calls } = starter({ up: false, docker: true });
    await expect(ensureServices(s)).resolves.toBe('started');
    expect(calls.filter((c) => !c.startsWith('print'))).toEqual([
      'check',
      'docker info',
      'compose up',
      'check',
    ]);
  });

  it('keeps the clear message when there is no Docker engine', async () => {
    const { s, calls } = starter({ up: false, docker: false });
    await expect(ensureServices(s)).rejects.toThrow(/MySQL is not reachable/);
    expect(calls).toEqual(['check', 'docker info']);
  });

  it('says so when compose fails', async () => {
    const { s } = starter({ up: false, docker: true, composeOk: false });
    await expect(ensureServices(s)).rejects.toThrow(
      /docker compose could not start the services[\s\S]*MySQL is not reachable/,
    );
  });
});
