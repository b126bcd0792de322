/**
 * Named crash points for resilience tests. A fault point is a line in a code path where a crash
 * is the worst thing that could happen (after a RENAME, after the SMTP server accepted a mail);
 * a test arms it through `CPD_FAULT` and the process dies exactly there, instead of a kill timed
 * by guesswork. Unarmed (the default, and always in production) a fault point is one Set lookup.
 *
 * `CPD_FAULT` is a comma-separated list of `name` (the process kills itself with SIGKILL: no
 * finally block, no shutdown hook, like `kill -9` or the OOM killer) or `name:throw` (a transient
 * `FaultInjectedError` is thrown, and the usual retries take over). Entrypoints arm it once from
 * the loaded config (`armFaultPoints(config.CPD_FAULT)`); nothing here reads `process.env`.
 */

/** Every fault point compiled into the code, so a typo in `CPD_FAULT` is refused instead of silently never firing. */
export const faultPointNames = [
  'score.after-rename',
  'score.after-views',
  'score.chunk-before-rename',
  'mail.after-smtp-accept',
] as const;
export type FaultPointName = (typeof faultPointNames)[number];

export type FaultAction = 'kill' | 'throw';

export class FaultInjectedError extends Error {
  override name = 'FaultInjectedError';
}

const armed = new Map<FaultPointName, FaultAction>();

/** Parses `CPD_FAULT`; throws on an unknown name or action. */
export function parseFaultSpec(spec: string | undefined): Map<FaultPointName, FaultAction> {
  const out = new Map<FaultPointName, FaultAction>();
  for (const part of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, action = 'kill'] = part.split(':');
    if (!faultPointNames.includes(name as FaultPointName))
      throw new Error(`CPD_FAULT: unknown fault point "${name}" (known: ${faultPointNames.join(', ')})`);
    if (action !== 'kill' && action !== 'throw')
      throw new Error(`CPD_FAULT: unknown action "${action}" for ${name} (kill or throw)`);
    out.set(name as FaultPointName, action);
  }
  return out;
}

export function armFaultPoints(spec: string | undefined): void {
  armed.clear();
  for (const [name, action] of parseFaultSpec(spec)) armed.set(name, action);
}

/** Crashes here when this point is armed; otherwise does nothing. */
export function faultPoint(name: FaultPointName): void {
  const action = armed.get(name);
  if (!action) return;
  if (action === 'throw') throw new FaultInjectedError(`fault point ${name} fired (CPD_FAULT)`);
  process.stderr.write(`cpd: fault point ${name} fired (CPD_FAULT): killing pid ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}
