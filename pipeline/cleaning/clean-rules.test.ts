import { describe, expect, it } from 'vitest';
import { fromUnits, type RawLine, toUnits, TransactionCleaner } from './clean-rules.ts';

/** [id, customer, at, invoice, product, quantity, unit price, amount, country], decimals as MySQL prints them. */
function line(
  id: number,
  customer: string | null,
  at: string,
  invoice: string | null,
  product: string | null,
  qty: number,
  price: number | null,
  country: string | null = 'UK',
): RawLine {
  const amount = (qty * (price ?? 0)).toFixed(4);
  return [
    id,
    customer,
    at,
    invoice,
    product,
    qty.toFixed(3),
    price === null ? null : price.toFixed(4),
    amount,
    country,
  ];
}

function run(lines: RawLine[], maxQuantity = 100) {
  const c = new TransactionCleaner(maxQuantity);
  const orders = [];
  for (const l of lines) {
    c.push(l);
    orders.push(...c.ready.splice(0));
  }
  c.finish();
  orders.push(...c.ready.splice(0));
  return {
    orders,
    drops: Object.fromEntries(c.drops.map((d) => [Math.floor(d / 8), d % 8])),
    counts: c.counts,
    byReason: c.dropsByReason(),
  };
}

describe('TransactionCleaner', () => {
  it('gives each line the first rule that drops it, and keeps the lowest id of duplicates', () => {
    const r = run([
      line(1, null, '2024-01-01 10:00:00', '1', 'P', 1, 1),
      line(2, '   ', '2024-01-01 10:00:00', '1', 'P', 1, 1),
      line(3, 'A', '2024-01-01 10:00:00', '1', 'P', 500, 0), // zero price wins over extreme quantity
      line(4, 'A', '2024-01-01 10:00:00', '1', 'P', 500, 1),
      line(5, 'A', '2024-01-01 10:00:00', '1', 'P', 2, 1),
      line(6, 'A', '2024-01-01 10:00:00', '1', 'p', 2, 1), // same product under a case-insensitive collation
      line(7, 'A', '2024-01-01 10:00:00', '1', 'P', 3, 1),
    ]);
    expect(r.drops).toEqual({ 1: 0, 2: 0, 3: 1, 4: 2, 6: 3 });
    expect(r.orders).toEqual([
      {
        customer: 'A',
        at: '2024-01-01 10:00:00',
        orderKey: '1',
        isCancel: 0,
        amount: 50_000,
        lines: 2,
        newProducts: 1,
        country: 'UK',
      },
    ]);
    expect(r.counts).toEqual({ linesRead: 7, linesKept: 2, orders: 1, customers: 1 });
  });

  it('keeps a cancellation of a product bought at or before its time, nets it, and drops one of a product never bought', () => {
    const r = run([
      line(1, 'A', '2024-01-01 10:00:00', 'C9', 'P', -1, 2), // before any purchase: dropped
      line(3, 'A', '2024-01-02 10:00:00', 'C10', 'P', -1, 2), // same time as the purchase (larger id): kept
      line(4, 'A', '2024-01-02 10:00:00', '11', 'P', 2, 2),
      line(5, 'A', '2024-01-03 10:00:00', 'c12', null, -1, 5), // no product: any earlier purchase will do
      line(6, 'A', '2024-01-03 10:00:00', 'C13', 'Q', -1, 5), // Q never bought
      line(7, 'B', '2024-01-03 10:00:00', 'C14', null, -1, 5), // B bought nothing
    ]);
    expect(r.byReason['cancellation without an earlier purchase']).toBe(3);
    expect(Object.keys(r.drops).map(Number)).toEqual([1, 6, 7]);
    expect(r.orders.map((o) => [o.orderKey, o.isCancel, fromUnits(o.amount), o.newProducts])).toEqual([
      ['C10', 1, '-2.0000', 0],
      ['11', 0, '4.0000', 1],
      ['c12', 1, '-5.0000', 0],
    ]);
    expect(r.counts.customers).toBe(1);
  });

  it('groups lines into orders by invoice and time, and counts each product once per customer', () => {
    const r = run([
      line(1, ' A ', '2024-01-01 10:00:00', '1', 'P', 1, 0.1, 'France'),
      line(2, 'a', '2024-01-01 10:00:00', '1', 'Q', 1, 0.2, 'Germany'),
      line(3, 'A', '2024-01-01 10:00:00', '2', 'P', 1, 1),
      line(4, 'A', '2024-01-05 10:00:00', '1', 'P', 1, 1),
    ]);
    expect(
      r.orders.map((o) => [
        o.customer,
        o.at.slice(0, 10),
        o.orderKey,
        fromUnits(o.amount),
        o.lines,
        o.newProducts,
        o.country,
      ]),
    ).toEqual([
      ['A', '2024-01-01', '1', '0.3000', 2, 2, 'Germany'],
      ['A', '2024-01-01', '2', '1.0000', 1, 0, 'UK'],
      ['A', '2024-01-05', '1', '1.0000', 1, 0, 'UK'],
    ]);
  });

  it('converts DECIMAL text to exact units and back', () => {
    expect(toUnits('-12.3400')).toBe(-123_400);
    expect(toUnits('0.0001')).toBe(1);
    expect(toUnits('7.5')).toBe(75_000);
    expect(fromUnits(-5)).toBe('-0.0005');
    expect(fromUnits(toUnits('123456789.1234'))).toBe('123456789.1234');
  });
});
