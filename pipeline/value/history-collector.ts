import type { SpendHistories } from '../../ml/value/customer-value.ts';
import type { Snapshot } from '../features/cutoffs.ts';

/** One snapshot's customers (a purchase before its cutoff) and their histories, in days. */
export interface SnapshotHistories {
  ids: string[];
  h: SpendHistories;
  /**
   * Snapshots with a label window only: per customer, the purchase days and the purchase revenue
   * in [cutoff, labelEnd), and the purchase days by week of that window (the tracking chart).
   */
  actual: { orders: Float64Array; revenue: Float64Array; weekly: Float64Array } | null;
}

/**
 * Every snapshot's repeat-purchase histories, fed the run's purchase orders in the clustered key's
 * order (customer, then time) by the features step's one pass over the orders
 * (stage-customer-aggregates.ts), instead of a scan of its own or a grouped query per snapshot
 * (three at 1 M customers took ~30 s each). Per customer at cutoff c:
 *   x = purchase days before c after the first (several orders on a day are one transaction),
 *   tx, T = days from the first purchase day to the last one and to c,
 *   m = mean amount of the repeat purchase days (0 when x = 0).
 * Snapshots with a label window also get what each customer known at the cutoff bought in it.
 */
export class HistoryCollector {
  private readonly k: number;
  /** Day numbers (days since 1970-01-01) of the latest bound, every cutoff and window end. */
  private readonly until: number;
  private readonly cut: number[];
  private readonly end: number[];
  private readonly out: Growing[];
  // The current customer's running figures per snapshot.
  private readonly first: Float64Array;
  private readonly last: Float64Array;
  private readonly days: Float64Array;
  private readonly total: Float64Array;
  private readonly firstAmount: Float64Array;
  private readonly wOrders: Float64Array;
  private readonly wRevenue: Float64Array;
  private readonly wLast: Float64Array;
  private current: string | null = null;

  constructor(snaps: readonly Snapshot[]) {
    // Days are counted from the latest bound; every cutoff and window end becomes a day number.
    const latest = snaps.map((s) => s.labelEnd ?? s.cutoff).reduce((a, b) => (a > b ? a : b));
    this.until = dayOf(latest);
    const rel = (date: string) => dayOf(date) - this.until;
    this.k = snaps.length;
    this.cut = snaps.map((s) => rel(s.cutoff));
    this.end = snaps.map((s) => (s.labelEnd ? rel(s.labelEnd) : Number.NaN));
    this.out = snaps.map(
      (s) => new Growing(s.labelEnd !== null, Math.ceil((rel(s.labelEnd ?? s.cutoff) - rel(s.cutoff)) / 7)),
    );
    const k = this.k;
    this.first = new Float64Array(k);
    this.last = new Float64Array(k);
    this.days = new Float64Array(k);
    this.total = new Float64Array(k);
    this.firstAmount = new Float64Array(k);
    this.wOrders = new Float64Array(k);
    this.wRevenue = new Float64Array(k);
    this.wLast = new Float64Array(k);
    this.reset();
  }

  /**
   * One purchase order before the latest bound: customer id, time 'YYYY-MM-DD HH:MM:SS' and
   * amount in exact 1/10,000 units. Orders of one customer arrive together, in time order.
   */
  push(id: string, at: string, units: number): void {
    if (id !== this.current && (this.current === null || sameCustomer.compare(id, this.current) !== 0)) {
      if (this.current !== null) this.emit();
      this.reset();
      this.current = id;
    }
    // DATEDIFF(ordered_at, latest bound): whole days of the date part.
    const d = civilDay(at) - this.until;
    // units ÷ 10,000 is the double nearest the DECIMAL text, as Number(text) reads it: both round the same rational once.
    const amount = units / 10_000;
    const { first, last, days, total, firstAmount, wOrders, wRevenue, wLast, cut, end } = this;
    for (let s = 0; s < this.k; s++) {
      if (d < cut[s]!) {
        if (d !== last[s]) {
          days[s]! += 1;
          last[s] = d;
          if (Number.isNaN(first[s]!)) first[s] = d;
        }
        total[s]! += amount;
        if (d === first[s]) firstAmount[s]! += amount;
      } else if (d < end[s]! && !Number.isNaN(first[s]!)) {
        // The label window: only customers the model knew at the cutoff (first buyers in it are not repeat transactions).
        if (d !== wLast[s]) {
          wOrders[s]! += 1;
          wLast[s] = d;
          this.out[s]!.week(d - cut[s]!);
        }
        wRevenue[s]! += amount;
      }
    }
  }

  /** Every snapshot's histories, once the last order is in. */
  done(): SnapshotHistories[] {
    if (this.current !== null) this.emit();
    this.current = null;
    return this.out.map((g) => g.done());
  }

  private reset(): void {
    this.first.fill(Number.NaN);
    this.last.fill(Number.NaN);
    this.wLast.fill(Number.NaN);
    this.days.fill(0);
    this.total.fill(0);
    this.firstAmount.fill(0);
    this.wOrders.fill(0);
    this.wRevenue.fill(0);
  }

  private emit(): void {
    const { first, last, days, total, firstAmount, wOrders, wRevenue, cut } = this;
    for (let s = 0; s < this.k; s++) {
      if (Number.isNaN(first[s]!)) continue;
      const x = days[s]! - 1;
      this.out[s]!.push(
        this.current!,
        x,
        last[s]! - first[s]!,
        cut[s]! - first[s]!,
        x > 0 ? (total[s]! - firstAmount[s]!) / x : 0,
        wOrders[s]!,
        wRevenue[s]!,
      );
    }
  }
}

/**
 * Ids equal under the tables' case- and accent-insensitive collation (utf8mb4_unicode_ci) are one
 * customer, as in the features' GROUP BY: their rows arrive together, in time order.
 */
const sameCustomer = new Intl.Collator('und', { sensitivity: 'base' });

function dayOf(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

/**
 * Days since 1970-01-01 of the date part of 'YYYY-MM-DD…' (proleptic Gregorian, as MySQL's
 * TO_DAYS), from the digits: no Date and no substring per order.
 */
export function civilDay(at: string): number {
  const digit = (i: number) => at.charCodeAt(i) - 48;
  let y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const m = digit(5) * 10 + digit(6);
  const d = digit(8) * 10 + digit(9);
  // Howard Hinnant's days_from_civil: years start in March, so the leap day ends one.
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Per-snapshot columns that grow by doubling (no array of a million small objects). */
class Growing {
  private n = 0;
  private cap = 1024;
  private ids: string[] = [];
  private cols = Array.from({ length: 6 }, () => new Float64Array(1024));
  private readonly weekly: Float64Array;

  constructor(
    private readonly windowed: boolean,
    weeks: number,
  ) {
    this.weekly = new Float64Array(windowed ? Math.max(1, weeks) : 0);
  }

  push(id: string, ...v: [number, number, number, number, number, number]): void {
    if (this.n === this.cap) {
      this.cap *= 2;
      this.cols = this.cols.map((c) => {
        const next = new Float64Array(this.cap);
        next.set(c);
        return next;
      });
    }
    this.ids.push(id);
    for (let j = 0; j < 6; j++) this.cols[j]![this.n] = v[j]!;
    this.n++;
  }

  week(day: number): void {
    this.weekly[Math.min(this.weekly.length - 1, Math.floor(day / 7))]! += 1;
  }

  done(): SnapshotHistories {
    const [x, tx, T, m, orders, revenue] = this.cols.map((c) => c.slice(0, this.n)) as Float64Array[];
    return {
      ids: this.ids,
      h: { x: x!, tx: tx!, T: T!, m: m! },
      actual: this.windowed ? { orders: orders!, revenue: revenue!, weekly: this.weekly } : null,
    };
  }
}
