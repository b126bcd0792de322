/**
 * The cleaning rules of transactions mode, applied in one pass over a pipeline's raw lines ordered
 * by (customer, time, id). A line gets the first rule that drops it, in this order:
 *  1. no customer id            — nobody to score (Online Retail: a quarter of its lines);
 *  2. zero or negative price     — adjustments, bad debt, samples (unit_price ≤ 0, or amount = 0 without a price);
 *  3. extreme quantity           — |quantity| > clean.maxQuantity, data-entry errors;
 *  4. exact duplicate            — same customer, timestamp, invoice, product, quantity, unit price and
 *                                  amount as a line loaded earlier (lowest id kept);
 *  5. cancellation without an earlier purchase — a cancellation (invoice `C…`, negative quantity or
 *                                  amount) of a product the customer never bought at or before its time
 *                                  in the loaded history (any product when the cancellation names none):
 *                                  its purchase predates the data, so netting it would make spend negative.
 * Kept cancellations are netted against what they cancel at the time they happened: an order
 * counts in full before its cancellation and net after (never the future leaking into the past).
 * Orders are (invoice, timestamp) pairs, purchases and cancellations apart.
 *
 * Texts are compared the way the tables' case-insensitive collation does for ids (case and
 * trailing spaces ignored); customer ids are trimmed.
 */
export const dropReasons = [
  'no customer id',
  'zero or negative price',
  'extreme quantity',
  'exact duplicate',
  'cancellation without an earlier purchase',
] as const;
export type DropReason = (typeof dropReasons)[number];

const [NO_CUSTOMER, BAD_PRICE, EXTREME_QTY, DUPLICATE, UNMATCHED_CANCEL] = [0, 1, 2, 3, 4] as const;

/** One raw line: id, customer, time 'YYYY-MM-DD HH:MM:SS', invoice, product, quantity, unit price and amount (MySQL's DECIMAL text), country. */
export type RawLine = [
  id: number,
  customer: string | null,
  at: string,
  invoice: string | null,
  product: string | null,
  quantity: string | null,
  unitPrice: string | null,
  amount: string,
  country: string | null,
];

export interface CleanOrder {
  customer: string;
  at: string;
  orderKey: string;
  isCancel: 0 | 1;
  /** Net amount in 1/10,000 (DECIMAL(…,4) units), exact; negative for a cancellation. */
  amount: number;
  lines: number;
  /** Products in this order the customer had never bought before. */
  newProducts: number;
  country: string | null;
}

/** Collation-like equality key: case and trailing spaces do not distinguish ids. */
const norm = (s: string): string =>
  (s.charCodeAt(s.length - 1) === 32 ? s.replace(/ +$/, '') : s).toLowerCase();
const trimSpaces = (s: string): string =>
  s.charCodeAt(0) === 32 || s.charCodeAt(s.length - 1) === 32 ? s.replace(/^ +| +$/g, '') : s;

/** DECIMAL text with 4 decimals ('-12.3400') to exact integer units; other scales through a float. */
export function toUnits(s: string): number {
  const n =
    s.length > 5 && s.charCodeAt(s.length - 5) === 46
      ? Number(s.slice(0, -5) + s.slice(-4))
      : Math.round(Number(s) * 10_000);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${s} is out of the exact range`);
  return n;
}

export function fromUnits(u: number): string {
  const abs = Math.abs(u);
  return `${u < 0 ? '-' : ''}${Math.floor(abs / 10_000)}.${String(abs % 10_000).padStart(4, '0')}`;
}

interface Line {
  raw: RawLine;
  amount: number;
  isCancel: boolean;
}

/**
 * Feed lines in (customer, time, id) order with push(); completed orders collect in `ready`
 * (drain it as you go), drops in `drops`. Memory holds one customer's products at a time.
 */
export class TransactionCleaner {
  readonly ready: CleanOrder[] = [];
  /** raw id × 8 + index into dropReasons: one number per drop (millions of drops stay a flat array), sorts by id. */
  readonly drops: number[] = [];
  readonly counts = { linesRead: 0, linesKept: 0, orders: 0, customers: 0 };
  private customerKey: string | null | undefined = undefined;
  private customer: string | null = null;
  private keptAny = false;
  private group: Line[] = [];
  /** Purchase product keys of the customer so far ('' = no product code), for rule 5. */
  private bought = new Set<string>();
  /** Products of the customer's kept purchases so far, for new_products. */
  private firstSeen = new Set<string>();

  constructor(private readonly maxQuantity: number) {}

  push(raw: RawLine): void {
    this.counts.linesRead++;
    const trimmed = raw[1] === null ? null : trimSpaces(raw[1]);
    const key = trimmed === null || trimmed === '' ? null : norm(trimmed);
    if (key !== this.customerKey) {
      this.flushCustomer();
      this.customerKey = key;
      this.customer = trimmed;
    } else if (this.group.length > 0 && this.group[0]!.raw[2] !== raw[2]) {
      this.flushGroup();
    }
    const qty = raw[5] === null ? 0 : Number(raw[5]);
    const amount = toUnits(raw[7]);
    const inv = raw[3];
    this.group.push({
      raw,
      amount,
      isCancel: (inv !== null && (inv.charCodeAt(0) | 32) === 99) || qty < 0 || amount < 0,
    });
  }

  finish(): void {
    this.flushCustomer();
    this.customerKey = undefined;
  }

  dropsByReason(): Record<DropReason, number> {
    const out = Object.fromEntries(dropReasons.map((r) => [r, 0])) as Record<DropReason, number>;
    for (const d of this.drops) out[dropReasons[d % 8]!]++;
    return out;
  }

  private flushCustomer(): void {
    this.flushGroup();
    if (this.keptAny) this.counts.customers++;
    this.keptAny = false;
    this.bought.clear();
    this.firstSeen.clear();
  }

  /** One customer's lines at one timestamp: duplicates and same-time purchases are only ever found here. */
  private flushGroup(): void {
    const group = this.group;
    if (group.length === 0) return;
    this.group = [];
    if (this.customerKey === null) {
      for (const l of group) this.drops.push(l.raw[0] * 8 + NO_CUSTOMER);
      return;
    }
    // A purchase at the very time of a cancellation counts as earlier (the rule compares first purchase ≤ cancellation).
    for (const l of group) {
      if (
        l.amount > 0 &&
        !l.isCancel &&
        Math.abs(l.raw[5] === null ? 0 : Number(l.raw[5])) <= this.maxQuantity
      )
        this.bought.add(l.raw[4] === null ? '' : norm(l.raw[4]));
    }
    const seen = new Set<string>();
    const orders = new Map<string, CleanOrder>();
    for (const l of group) {
      const reason = this.reasonFor(l, seen);
      if (reason >= 0) this.drops.push(l.raw[0] * 8 + reason);
      else this.addToOrder(orders, l);
    }
    for (const o of orders.values()) this.ready.push(o);
    this.counts.orders += orders.size;
  }

  private reasonFor(l: Line, seen: Set<string>): number {
    const [, , , inv, product, quantity, unitPrice, amount] = l.raw;
    if (unitPrice !== null ? Number(unitPrice) <= 0 : l.amount === 0) return BAD_PRICE;
    if (quantity !== null && Math.abs(Number(quantity)) > this.maxQuantity) return EXTREME_QTY;
    // NULLs compare equal here, as in SQL's PARTITION BY: two lines both without an invoice still match.
    const dupKey = `${inv === null ? '\0' : norm(inv)}\x01${product === null ? '\0' : norm(product)}\x01${quantity ?? '\0'}\x01${unitPrice ?? '\0'}\x01${amount}`;
    if (seen.has(dupKey)) return DUPLICATE;
    seen.add(dupKey);
    if (l.isCancel && !(product === null ? this.bought.size > 0 : this.bought.has(norm(product))))
      return UNMATCHED_CANCEL;
    return -1;
  }

  private addToOrder(orders: Map<string, CleanOrder>, l: Line): void {
    const [, , at, inv, product] = l.raw;
    const key = `${inv === null ? '' : norm(inv)}\x01${l.isCancel ? 1 : 0}`;
    let o = orders.get(key);
    if (!o) {
      o = {
        customer: this.customer!,
        at,
        orderKey: inv ?? '',
        isCancel: l.isCancel ? 1 : 0,
        amount: 0,
        lines: 0,
        newProducts: 0,
        country: null,
      };
      orders.set(key, o);
    }
    o.amount += l.isCancel ? -Math.abs(l.amount) : l.amount;
    if (!Number.isSafeInteger(o.amount))
      throw new RangeError(
        `order ${o.orderKey} of customer ${o.customer} at ${at}: amount out of the exact range`,
      );
    o.lines++;
    this.counts.linesKept++;
    this.keptAny = true;
    if (!l.isCancel && product !== null) {
      const p = norm(product);
      if (!this.firstSeen.has(p)) {
        this.firstSeen.add(p);
        o.newProducts++;
      }
    }
    // MAX(country) of the order's lines, as the collation orders them.
    const country = l.raw[8];
    if (country !== null && (o.country === null || norm(country) > norm(o.country))) o.country = country;
  }
}
