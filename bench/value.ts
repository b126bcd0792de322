/**
 * npm run bench:value — customer value (BG/NBD + Gamma-Gamma) for 1 M synthetic customers
 * (--customers to change): purchase histories drawn from the models themselves in whole days, as
 * the pipeline measures them (first purchases over two years, r = 0.25, α = 28 days, a = 0.8,
 * b = 2.5; spend p = 6, q = 4, γ = 15), fitted in weeks, then every customer's P(alive), expected
 * orders in 90 days, spend, revenue, 12-month CLV and next-order days.
 * Reference, measured in the same run: one pass of the log-likelihood over the same customers
 * (the fit's unit of work), so fit_s reads as "that many passes".
 * Then the same fit and predictions on a worker thread (what the features step runs), with the
 * longest gap of a 10 ms timer on the main thread during each: block_sync_s vs block_thread_s.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { withLoopGap } from '../ml/event-loop-gap.ts';
import { threadEntry } from '../ml/forest/thread-entry.ts';
import { bgNbdLogLik } from '../ml/value/bg-nbd.ts';
import {
  fitAndPredictValue,
  fitCustomerValue,
  predictCustomerValue,
  type ValueOptions,
} from '../ml/value/customer-value.ts';
import { groupHistories } from '../ml/value/histories.ts';
import { simulateBgNbd, simulateGammaGamma } from '../ml/value/simulate.ts';
import { fitAndPredictValueOffThread } from '../ml/value/value-off-thread.ts';

const { values } = parseArgs({ options: { customers: { type: 'string', default: '1000000' } } });
const n = Number(values.customers);
const T = Float64Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 730));
const sim = simulateBgNbd({ r: 0.25, alpha: 28, a: 0.8, b: 2.5 }, T, 1);
const h = {
  x: sim.x,
  tx: sim.tx.map(Math.floor),
  T,
  m: simulateGammaGamma({ p: 6, q: 4, gamma: 15 }, sim.x, 2),
};
const options: ValueOptions = {
  unit: 'week',
  horizonDays: 90,
  monthlyDiscount: 0.01,
  minRepeatBuyers: 50,
  maxSpendCorrelation: 0.3,
};

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const model = fitCustomerValue(h, options);
const fitS = (performance.now() - t0) / 1000;
const t1 = performance.now();
const pred = predictCustomerValue(model, h, options);
const predictS = (performance.now() - t1) / 1000;
const cpu = process.cpuUsage(cpu0);
const grouped = groupHistories({ x: h.x, tx: h.tx.map((v) => v / 7), T: h.T.map((v) => v / 7) });
const t2 = performance.now();
bgNbdLogLik(model.bgNbd!.params, grouped);
const passS = (performance.now() - t2) / 1000;

let revenue = 0;
for (const v of pred.expectedRevenue ?? []) revenue += v;
console.log(
  `BG/NBD (weeks) r=${model.bgNbd!.params.r.toFixed(3)} alpha=${model.bgNbd!.params.alpha.toFixed(3)} a=${model.bgNbd!.params.a.toFixed(3)} b=${model.bgNbd!.params.b.toFixed(3)} (truth 0.25, 4, 0.8, 2.5) evaluations=${model.bgNbd!.evaluations}; Gamma-Gamma p=${model.gammaGamma!.params.p.toFixed(2)} q=${model.gammaGamma!.params.q.toFixed(2)} gamma=${model.gammaGamma!.params.gamma.toFixed(2)} (truth 6, 4, 15)`,
);
console.log(
  `distinct (x, tx, T) histories ${grouped.x.length}; one log-likelihood pass ${passS.toFixed(3)} s (reference); expected revenue in 90 days ${revenue.toFixed(0)}; load average ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores (fit + predict CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s)`,
);
/** Longest block of this thread's event loop while `work` runs, and its wall time, in seconds. */
async function maxBlock(work: () => Promise<unknown>): Promise<{ blockS: number; wallS: number }> {
  const { maxGapMs, wallMs } = await withLoopGap(work);
  return { blockS: maxGapMs / 1000, wallS: wallMs / 1000 };
}
threadEntry('metrics-thread'); // bundled once, as a worker does before it takes jobs
const direct = await maxBlock(() => Promise.resolve(fitAndPredictValue(h, options)));
const threaded = await maxBlock(() => fitAndPredictValueOffThread(h, options));

console.log(
  `bench value: customers=${n} fit_s=${fitS.toFixed(2)} predict_s=${predictS.toFixed(2)} block_sync_s=${direct.blockS.toFixed(2)} block_thread_s=${threaded.blockS.toFixed(3)} thread_wall_s=${threaded.wallS.toFixed(2)}`,
);
