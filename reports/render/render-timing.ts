/**
 * How long a realistic report takes to render (4,000 customers, 30-run trend, all charts).
 * Not a test: timings belong in a measurement, not in a pass/fail gate on a shared CI machine.
 *   node --import tsx reports/render/render-timing.ts
 */
import { runReportFixture } from './fixture.ts';
import { renderRunReport } from './render-run-report.ts';

const data = runReportFixture({ customers: 4000, trendRuns: 30 });

const coldStart = performance.now();
const first = await renderRunReport(data);
const cold = performance.now() - coldStart;

// CPU time is printed too: on a shared two-core machine wall time swings with other load.
const runs = 5;
const warm: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  await renderRunReport(data);
  warm.push(performance.now() - start);
  const used = process.cpuUsage(startCpu);
  cpu.push((used.user + used.system) / 1000);
}
warm.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);

const kb = (n: number) => `${(n / 1024).toFixed(0)} kB`;
const pngBytes = first.images.reduce((s, i) => s + i.png.length, 0);
console.log(
  `charts: ${first.images.length}, PNG total ${kb(pngBytes)}, HTML ${kb(first.html.length)}, text ${kb(first.text.length)}`,
);
console.log(`first render (cold, includes loading vega/resvg): ${cold.toFixed(0)} ms`);
console.log(
  `warm renders: median ${warm[Math.floor(runs / 2)]?.toFixed(0)} ms, min ${warm[0]?.toFixed(0)} ms, max ${warm.at(-1)?.toFixed(0)} ms wall`,
);
console.log(`CPU time per warm render (all threads): median ${cpu[Math.floor(runs / 2)]?.toFixed(0)} ms`);
console.log(`load average while measuring: ${(await import('node:os')).loadavg()[0]?.toFixed(2)} (2 cores)`);
