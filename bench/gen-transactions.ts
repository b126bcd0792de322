/**
 * npm run gen:transactions -- --customers N --lines M --days D --seed S [--out FILE] [--start YYYY-MM-DD]
 * A synthetic Online Retail-shaped CSV (InvoiceNo,StockCode,Description,Quantity,InvoiceDate,
 * UnitPrice,CustomerID,Country) for scale tests. Customers buy at rates spread over two orders
 * of magnitude (gamma-like), with weekly and yearly seasonality (November peak); ~2 % of orders
 * are later cancelled in part. Bad rows at known rates: 1 % without a customer, 0.3 % zero
 * price, 0.5 % exact duplicates, 0.01 % extreme quantities. Deterministic for a seed.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '10000' },
    lines: { type: 'string', default: '100000' },
    days: { type: 'string', default: '730' },
    seed: { type: 'string', default: '1' },
    start: { type: 'string', default: '2023-01-01' },
    out: { type: 'string', default: 'bench/.data/transactions.csv' },
  },
});
const nCustomers = Number(values.customers);
const nLines = Number(values.lines);
const days = Number(values.days);
const start = Date.parse(`${values.start}T00:00:00Z`);

let state = Number(values.seed) >>> 0 || 1;
/** xorshift32: fast, seeded, good enough for synthetic data. */
function rand(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}

const COUNTRIES = [
  'United Kingdom',
  'United Kingdom',
  'United Kingdom',
  'United Kingdom',
  'Germany',
  'France',
  'EIRE',
  'Spain',
  'Netherlands',
  'Belgium',
];
const rates = Float64Array.from({ length: nCustomers }, () => Math.exp(rand() * 4.6)); // weights 1..100
const total = rates.reduce((a, b) => a + b, 0);
const country = Array.from({ length: nCustomers }, () => COUNTRIES[Math.floor(rand() * COUNTRIES.length)]!);

/** A day with weekly (no Saturdays, busy Thursdays) and yearly (November) seasonality, by rejection. */
function day(): number {
  for (;;) {
    const d = Math.floor(rand() * days);
    const date = new Date(start + d * 86_400_000);
    const w = date.getUTCDay() === 6 ? 0.05 : date.getUTCDay() === 4 ? 1 : 0.8;
    const y = 0.7 + 0.3 * Math.cos(((date.getUTCMonth() - 10) / 12) * 2 * Math.PI);
    if (rand() < w * y) return d;
  }
}
const ts = (d: number, minute: number) =>
  new Date(start + d * 86_400_000 + minute * 60_000).toISOString().slice(0, 19).replace('T', ' ');

async function main(): Promise<void> {
  const out = createWriteStream(values.out);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n');
  let written = 0;
  let invoice = 500_000;
  let buf = '';
  for (let c = 0; c < nCustomers && written < nLines; c++) {
    const share =
      c === nCustomers - 1 ? nLines - written : Math.max(1, Math.round((rates[c]! / total) * nLines));
    let left = Math.min(share, nLines - written);
    const id = String(10_000_000 + c);
    while (left > 0) {
      const d = day();
      const at = ts(d, 480 + Math.floor(rand() * 600));
      const n = Math.min(left, 1 + Math.floor(rand() * 6));
      invoice++;
      for (let i = 0; i < n; i++) {
        const r = rand();
        const product = 20_000 + Math.floor(rand() * rand() * 4000);
        const qty = r < 0.0001 ? 50_000 : 1 + Math.floor(rand() * 12);
        const price = r < 0.0031 && r >= 0.0001 ? 0 : Math.round((0.5 + rand() * 20) * 100) / 100;
        const cust = rand() < 0.01 ? '' : id;
        const line = `${invoice},${product},ITEM ${product},${qty},${at},${price},${cust},${country[c]}\n`;
        buf += line;
        if (rand() < 0.005) buf += line;
        if (rand() < 0.004 && d + 3 < days)
          buf += `C${invoice},${product},ITEM ${product},-${Math.max(1, Math.floor(qty / 2))},${ts(d + 3, 600)},${price},${cust},${country[c]}\n`;
      }
      left -= n;
      written += n;
      if (buf.length > 1 << 20) {
        await write(buf);
        buf = '';
      }
    }
  }
  await write(buf);
  out.end();
  await once(out, 'finish');
  console.log(
    `gen transactions: ${written} lines (+ duplicates and cancellations), ${nCustomers} customers, ${days} days -> ${values.out}`,
  );
}

await main();
