import { describe, expect, it } from 'vitest';
import { authenticate, type BoardCredential, parseBasicAuth } from './basic-auth.ts';
import { boardAction } from './board-action.ts';
import { prometheusText } from './prometheus-text.ts';

const creds: BoardCredential[] = [
  { name: 'op', password: 'operator-secret-1', role: 'operator' },
  { name: 'view', password: 'viewer-secret-12', role: 'viewer' },
];
const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('basic auth', () => {
  it('parses a header, keeping colons inside the password', () => {
    expect(parseBasicAuth(basic('op:a:b'))).toEqual({ name: 'op', password: 'a:b' });
    expect(parseBasicAuth(undefined)).toBeUndefined();
    expect(parseBasicAuth('Bearer abc')).toBeUndefined();
    expect(parseBasicAuth(basic('no-colon'))).toBeUndefined();
  });

  it('finds the user and role only when name and password both match', () => {
    expect(authenticate(creds, 'op', 'operator-secret-1')).toEqual({ name: 'op', role: 'operator' });
    expect(authenticate(creds, 'view', 'viewer-secret-12')).toEqual({ name: 'view', role: 'viewer' });
    expect(authenticate(creds, 'view', 'operator-secret-1')).toBeUndefined();
    expect(authenticate(creds, 'op', 'operator-secret-')).toBeUndefined();
    expect(authenticate(creds, '', '')).toBeUndefined();
  });
});

describe('board actions', () => {
  it('reads are not mutating', () => {
    expect(boardAction('GET', '/api/queues')).toEqual({ mutating: false, action: 'read' });
    expect(boardAction('GET', '/queue/load')).toEqual({ mutating: false, action: 'view' });
  });

  it('names job actions with their queue and decoded job id', () => {
    expect(boardAction('PUT', '/api/queues/load/shoppers%402026-11-20.g1.load/retry')).toEqual({
      mutating: true,
      action: 'retry',
      queue: 'load',
      jobId: 'shoppers@2026-11-20.g1.load',
    });
    expect(boardAction('PUT', '/api/queues/load/j1/clean')).toMatchObject({ action: 'remove', jobId: 'j1' });
    expect(boardAction('PUT', '/api/queues/load/j1/promote')).toMatchObject({
      action: 'promote',
      jobId: 'j1',
    });
    expect(boardAction('PATCH', '/api/queues/load/j1/update-data')).toMatchObject({
      action: 'update-data',
      jobId: 'j1',
    });
  });

  it('names queue-wide actions', () => {
    expect(boardAction('PUT', '/api/queues/load/retry/failed')).toEqual({
      mutating: true,
      action: 'retry-all',
      queue: 'load',
    });
    expect(boardAction('PUT', '/api/queues/load/clean/completed')).toMatchObject({
      action: 'clean-all',
      queue: 'load',
    });
    expect(boardAction('PUT', '/api/queues/load/promote')).toMatchObject({
      action: 'promote-all',
      queue: 'load',
    });
    expect(boardAction('PUT', '/api/queues/load/obliterate')).toMatchObject({
      action: 'obliterate',
      queue: 'load',
    });
    expect(boardAction('PUT', '/api/queues/pause')).toMatchObject({ action: 'pause-all' });
    expect(boardAction('PUT', '/api/queues/load/rate-limit/release')).toMatchObject({
      action: 'rate-limit-release',
    });
    expect(boardAction('PUT', '/api/queues/load/job-schedulers/nightly/remove')).toMatchObject({
      action: 'scheduler-remove',
      jobId: 'nightly',
    });
    expect(boardAction('POST', '/api/metrics/history/purge')).toMatchObject({
      mutating: true,
      action: 'metrics-history-purge',
    });
  });

  it('counts an unknown write as mutating', () => {
    expect(boardAction('DELETE', '/api/something-new')).toMatchObject({ mutating: true });
    expect(boardAction('POST', '/anything')).toMatchObject({ mutating: true });
  });
});

describe('prometheus text', () => {
  it('renders help, type and escaped labels', () => {
    const text = prometheusText([
      {
        name: 'cpd_queue_jobs',
        help: 'Jobs per queue and state.',
        type: 'gauge',
        samples: [{ labels: { queue: 'load', state: 'failed' }, value: 2 }],
      },
      {
        name: 'cpd_model_roc_auc',
        help: 'Last ROC-AUC.',
        type: 'gauge',
        samples: [{ labels: { pipeline: 'a"b\\c' }, value: 0.91 }],
      },
      { name: 'cpd_empty', help: 'Nothing yet.', type: 'gauge', samples: [] },
    ]);
    expect(text).toBe(
      [
        '# HELP cpd_queue_jobs Jobs per queue and state.',
        '# TYPE cpd_queue_jobs gauge',
        'cpd_queue_jobs{queue="load",state="failed"} 2',
        '# HELP cpd_model_roc_auc Last ROC-AUC.',
        '# TYPE cpd_model_roc_auc gauge',
        'cpd_model_roc_auc{pipeline="a\\"b\\\\c"} 0.91',
        '# HELP cpd_empty Nothing yet.',
        '# TYPE cpd_empty gauge',
        '',
      ].join('\n'),
    );
  });
});
