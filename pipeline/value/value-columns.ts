/**
 * The customer-value columns of customer_features, the scores tables and history, in this order
 * everywhere. The score step reads them with each scoring row and writes them beside its score; a
 * run without them (labeled mode, value off, a refused fit) leaves them null: the feature set's
 * warnings say why.
 */
export const VALUE_COLUMNS = [
  'p_alive',
  'expected_orders',
  'expected_spend',
  'expected_revenue',
  'clv_12m',
  'next_order_days',
] as const;
