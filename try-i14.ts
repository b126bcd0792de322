import { fitBgNbd } from './ml/value/bg-nbd.ts';
import { simulateBgNbd } from './ml/value/simulate.ts';
const T = Float64Array.from({ length: 20_000 }, (_, i) => 27 + (i % 13));
const sim = simulateBgNbd({ r: 0.25, alpha: 4, a: 0.8, b: 2.5 }, T, 1, 39);
console.log(fitBgNbd(sim));
