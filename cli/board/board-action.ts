/** What a Bull Board API request does, for the role check and the audit log. */
export interface BoardAction {
  /** Changes queue or job state (anything but GET/HEAD/OPTIONS). */
  mutating: boolean;
  /** e.g. retry, retry-all, promote, remove, clean-all, pause, empty, obliterate, add. */
  action: string;
  queue?: string;
  jobId?: string;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Queue-level verbs of Bull Board's API (`/api/queues/:queue/<verb>[/:status]`). */
const QUEUE_VERBS = new Set([
  'add',
  'retry',
  'promote',
  'clean',
  'pause',
  'resume',
  'concurrency',
  'rate-limit',
  'empty',
  'obliterate',
  'job-schedulers',
]);
/** Bull Board calls removing one job "clean"; the audit log says what it is. */
const JOB_VERB_NAMES: Record<string, string> = { clean: 'remove' };

/**
 * Classifies a request by method and path relative to the board's base path, following the
 * routes of @bull-board/api (packages/api/src/routes.ts). Unknown mutating paths still count as
 * mutating, so a route added by a Bull Board upgrade is refused to viewers and audited.
 */
export function boardAction(method: string, relativePath: string): BoardAction {
  const mutating = !READ_METHODS.has(method.toUpperCase());
  const segs = relativePath.split('?')[0]!.split('/').filter(Boolean).map(safeDecode);
  if (segs[0] !== 'api') return { mutating, action: mutating ? 'unknown' : 'view' };
  if (!mutating) return { mutating, action: 'read' };
  if (segs[1] !== 'queues') return { mutating, action: segs.slice(1).join('-') || 'unknown' };
  const rest = segs.slice(2);
  const [queue, second, third, fourth] = rest;
  if (rest.length === 1) return { mutating, action: `${queue}-all` };
  if (queue === undefined || second === undefined) return { mutating, action: 'unknown' };
  if (second === 'job-schedulers') {
    return { mutating, action: `scheduler-${fourth ?? 'update'}`, queue, jobId: third };
  }
  if (QUEUE_VERBS.has(second)) {
    const all = second === 'retry' || second === 'clean' || second === 'promote';
    const action = third === 'release' ? `${second}-release` : all ? `${second}-all` : second;
    return { mutating, action, queue };
  }
  const verb = third ?? 'unknown';
  return { mutating, action: JOB_VERB_NAMES[verb] ?? verb, queue, jobId: second };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
