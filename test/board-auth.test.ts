import os from 'node:os';
import { appRoutes } from '@bull-board/api/dist/routes.js';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../db/schema/index.ts';
import { type CpdProcess, runCpd, spawnCpd } from './helpers/processes.ts';
import { createTestEnv, type TestEnv, waitFor } from './helpers/test-env.ts';

const OPERATOR = { user: 'ops-anna', password: 'operator-password-1' };
const VIEWER = { user: 'viewer-ben', password: 'viewer-password-22' };
const basic = (c: { user: string; password: string }) =>
  `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;

/** Every route Bull Board serves, read from @bull-board/api itself, with sample parameters. */
function everyBoardRoute(): { method: string; path: string }[] {
  const fill = (route: string) =>
    route
      .replace(':queueName', 'load')
      .replace(':jobId', 'some-job')
      .replace(':queueStatus', 'failed')
      .replace(':schedulerId', 'nightly');
  const entry = [appRoutes.entryPoint.route].flat().map((r) => ({ method: 'GET', path: fill(r) }));
  const api = appRoutes.api.flatMap((r) =>
    [r.route]
      .flat()
      .flatMap((route) => [r.method].flat().map((m) => ({ method: m.toUpperCase(), path: fill(route) }))),
  );
  return [...entry, ...api, { method: 'GET', path: '/static/js/main.js' }].map((r) => ({
    ...r,
    path: `/board${r.path}`,
  }));
}

describe('cpd board: authentication, roles and audit', () => {
  let t: TestEnv;
  let board: CpdProcess;
  let url: string;
  let queue: Queue;

  beforeAll(async () => {
    t = await createTestEnv('boardauth', {
      BOARD_OPERATOR_USER: OPERATOR.user,
      BOARD_OPERATOR_PASSWORD: OPERATOR.password,
      BOARD_VIEWER_USER: VIEWER.user,
      BOARD_VIEWER_PASSWORD: VIEWER.password,
      BOARD_PORT: '0',
      BOARD_HOST: '127.0.0.1',
    });
    board = spawnCpd(['board'], t.env);
    url = await waitFor(
      'the board to listen',
      async () => /board: (http:\/\/[^/\s]+)\/board\//.exec(board.output())?.[1],
      60_000,
    );
    queue = new Queue('load', { connection: { url: t.config.REDIS_URL }, prefix: t.config.CPD_QUEUE_PREFIX });
  });

  afterAll(async () => {
    await board?.stop();
    await queue?.close();
    await t?.cleanup();
  });

  it('answers 401 with a login challenge on every route without (or with wrong) credentials', async () => {
    const routes = [...everyBoardRoute(), { method: 'GET', path: '/metrics' }, { method: 'GET', path: '/' }];
    expect(routes.length).toBeGreaterThan(30);
    for (const { method, path } of routes) {
      for (const authorization of [
        undefined,
        basic({ user: OPERATOR.user, password: 'wrong-password-123' }),
        basic({ user: VIEWER.user, password: OPERATOR.password }),
      ]) {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: authorization ? { authorization, 'content-type': 'application/json' } : {},
          body: method === 'GET' ? undefined : '{}',
        });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
        expect(await res.text()).not.toContain(OPERATOR.password);
      }
    }
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', mysql: 'ok', redis: 'ok' });
  });

  it('lets a viewer look but not retry (403, audited), and lets an operator retry (audited)', async () => {
    await queue.add('load', { runKey: 'audit@2026-11-20', step: 'load' }, { jobId: 'audit.g1.load' });
    const failer = new Worker('load', () => Promise.reject(new UnrecoverableError('made to fail')), {
      connection: { url: t.config.REDIS_URL },
      prefix: t.config.CPD_QUEUE_PREFIX,
    });
    await waitFor('the job to fail', async () => (await queue.getJobState('audit.g1.load')) === 'failed');
    await failer.close();

    const list = await fetch(`${url}/board/api/queues?activeQueue=load&status=failed`, {
      headers: { authorization: basic(VIEWER) },
    });
    expect(list.status).toBe(200);
    const body = JSON.stringify(await list.json());
    expect(body).toContain('audit.g1.load');
    expect(body).not.toContain(OPERATOR.password);

    const retryPath = `/board/api/queues/load/${encodeURIComponent('audit.g1.load')}/retry`;
    const asViewer = await fetch(`${url}${retryPath}`, {
      method: 'PUT',
      headers: { authorization: basic(VIEWER) },
    });
    expect(asViewer.status).toBe(403);
    expect(await queue.getJobState('audit.g1.load')).toBe('failed');
    for (const path of [
      '/board/api/queues/load/clean/failed',
      '/board/api/queues/load/obliterate',
      '/board/api/queues/pause',
    ]) {
      expect(
        (await fetch(`${url}${path}`, { method: 'PUT', headers: { authorization: basic(VIEWER) } })).status,
        path,
      ).toBe(403);
    }

    const crossSite = await fetch(`${url}${retryPath}`, {
      method: 'PUT',
      headers: { authorization: basic(OPERATOR), origin: 'http://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(await queue.getJobState('audit.g1.load')).toBe('failed');

    const asOperator = await fetch(`${url}${retryPath}`, {
      method: 'PUT',
      headers: { authorization: basic(OPERATOR) },
    });
    expect(asOperator.status).toBeLessThan(300);
    expect(await queue.getJobState('audit.g1.load')).toBe('waiting');

    const rows = await waitFor('the operator retry to be completed in audit_log', async () => {
      const all = await t.database.db.select().from(auditLog).orderBy(asc(auditLog.id));
      return all.at(-1)?.status === asOperator.status && all;
    });
    expect(rows.map((r) => [r.user, r.role, r.action, r.queue, r.jobId, r.status])).toEqual([
      [VIEWER.user, 'viewer', 'retry', 'load', 'audit.g1.load', 403],
      [VIEWER.user, 'viewer', 'clean-all', 'load', null, 403],
      [VIEWER.user, 'viewer', 'obliterate', 'load', null, 403],
      [VIEWER.user, 'viewer', 'pause-all', null, null, 403],
      [OPERATOR.user, 'operator', 'retry', 'load', 'audit.g1.load', 403],
      [OPERATOR.user, 'operator', 'retry', 'load', 'audit.g1.load', asOperator.status],
    ]);
    expect(rows.every((r) => r.method === 'PUT' && r.path.startsWith('/board/api/'))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(OPERATOR.password);
  });

  it('exposes Prometheus metrics for queues and the run ledger', async () => {
    await t.database.pool.query(
      "INSERT INTO pipeline_runs (run_key, pipeline, business_date, status, params, started_at, finished_at) VALUES ('m@2026-11-19', 'm', '2026-11-19', 'succeeded', '{}', '2026-11-20 01:00:00', '2026-11-20 01:02:30')",
    );
    const res = await fetch(`${url}/metrics`, { headers: { authorization: basic(VIEWER) } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE cpd_queue_jobs gauge');
    expect(text).toMatch(/^cpd_queue_jobs\{queue="load",state="waiting"\} 1$/m);
    expect(text).toMatch(/^cpd_failed_jobs\{queue="collect"\} 0$/m);
    expect(text).toMatch(/^cpd_run_duration_seconds\{pipeline="m",status="succeeded"\} 150$/m);
    const lastSuccess = Number(
      /^cpd_pipeline_last_success_timestamp_seconds\{pipeline="m"\} (\S+)$/m.exec(text)?.[1],
    );
    expect(Number.isFinite(lastSuccess) && lastSuccess > 1.7e9).toBe(true);
    expect(text).toMatch(/^cpd_scrape_error\{source="mysql"\} 0$/m);
    expect(text).toMatch(/^cpd_scrape_error\{source="redis"\} 0$/m);
    for (const name of ['cpd_customers_scored', 'cpd_model_roc_auc'])
      expect(text).toContain(`# TYPE ${name} gauge`);
  });

  it('refuses to start without credentials, and with --insecure-local serves 127.0.0.1 only', async () => {
    const env = { ...t.env, BOARD_OPERATOR_PASSWORD: '', BOARD_VIEWER_PASSWORD: '', BOARD_HOST: '0.0.0.0' };
    const refused = await runCpd(['board'], env, 60_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('BOARD_OPERATOR_PASSWORD');
    expect(refused.stderr).toContain('--insecure-local');

    const weak = await runCpd(['board'], { ...env, BOARD_OPERATOR_PASSWORD: 'short' }, 60_000);
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('at least 12 characters');
    expect(weak.stderr).not.toContain('short');

    const local = spawnCpd(['board', '--insecure-local'], env);
    try {
      const localUrl = await waitFor(
        'the local board',
        async () => /board: (http:\/\/[^/\s]+)\/board\//.exec(local.output())?.[1],
        60_000,
      );
      expect(localUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${localUrl}/board/api/queues`)).status).toBe(200);
      const port = new URL(localUrl).port;
      const external = Object.values(os.networkInterfaces())
        .flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal);
      if (external) await expect(fetch(`http://${external.address}:${port}/healthz`)).rejects.toThrow();
    } finally {
      await local.stop();
    }
  });
});
