import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Express, type RequestHandler } from 'express';
import type { Pool } from 'mysql2/promise';
import type { Logger } from '../../config/logger.ts';
import type { Db } from '../../db/client.ts';
import { auditGuard } from './audit-guard.ts';
import type { BoardCredential } from './basic-auth.ts';
import { collectMetrics } from './collect-metrics.ts';
import { prometheusText } from './prometheus-text.ts';
import { currentUser, requireUser } from './require-user.ts';
import { type RunControl } from './runs/run-control.ts';
import { runsRouter } from './runs/runs-router.ts';

export const BOARD_BASE_PATH = '/board';

export interface BoardAppDeps {
  db: Db;
  pool: Pool;
  queues: readonly Queue[];
  credentials: readonly BoardCredential[];
  log: Logger;
  /** Redis PING for /healthz. */
  pingRedis(): Promise<unknown>;
  /** The runs console's resume/rerun/cancel/rollback; absent, the console only shows. */
  control?: RunControl;
  /** Where a night's report archive is (the run page links it). */
  reportDir?: (pipeline: string, businessDate: string) => string;
  /** How long the console's page reads ride out a lost database (CPD_CLIENT_RETRY_MS). */
  readRetryMs?: number;
}

/**
 * The board's HTTP app: `/healthz` (open, for load balancers and probes), and behind Basic auth
 * `/metrics` (Prometheus) and Bull Board under /board. Operators and viewers get separate Bull
 * Board instances, the viewer's in readOnlyMode so no buttons show; the audit guard enforces the
 * difference on the API, because readOnlyMode alone only hides buttons from honest browsers.
 */
export function createBoardApp(deps: BoardAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', healthz(deps));
  app.use(requireUser(deps.credentials));
  app.get('/', (_req, res) => res.redirect('/runs'));
  app.use(
    runsRouter({
      db: deps.db,
      log: deps.log,
      control: deps.control,
      reportDir: deps.reportDir,
      readRetryMs: deps.readRetryMs,
    }),
  );
  app.get('/metrics', (_req, res, next) => {
    collectMetrics(deps.pool, deps.queues).then(
      (families) => res.type('text/plain; version=0.0.4; charset=utf-8').send(prometheusText(families)),
      next,
    );
  });
  const operatorBoard = bullBoard(deps.queues, false);
  const viewerBoard = bullBoard(deps.queues, true);
  app.use(BOARD_BASE_PATH, auditGuard(deps.db, deps.log), (req, res, next) =>
    (currentUser(res.locals).role === 'operator' ? operatorBoard : viewerBoard)(req, res, next),
  );
  return app;
}

function bullBoard(queues: readonly Queue[], readOnlyMode: boolean): RequestHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_BASE_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode })),
    // @bull-board/express pins its own copy of @bull-board/api (9.10.1 vs 9.10.2): same adapter
    // contract, distinct declaration files, hence the cast at this one seam.
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: readOnlyMode ? 'cpd (read-only)' : 'cpd' } },
  });
  return serverAdapter.getRouter() as RequestHandler;
}

function healthz(deps: BoardAppDeps): RequestHandler {
  return (_req, res) => {
    const check = (p: Promise<unknown>) =>
      Promise.race([
        p.then(() => 'ok'),
        new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 2_000).unref()),
      ]).catch(() => 'down');
    void Promise.all([check(deps.pool.query('SELECT 1')), check(deps.pingRedis())]).then(([mysql, redis]) => {
      const ok = mysql === 'ok' && redis === 'ok';
      res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', mysql, redis });
    });
  };
}
