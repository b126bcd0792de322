-- The views were created before the template gained known_outcome and the customer-value columns:
-- until a pipeline publishes (which rewrites them), they must already show every column readers use.
CREATE OR REPLACE VIEW `customer_scores` AS SELECT `pipeline`, `customer_id`, `score`, `decile`, `segment`, `model_version`, `run_key`, `business_date`, `scored_at`, `reasons`, `known_outcome`, `p_alive`, `expected_orders`, `expected_spend`, `expected_revenue`, `clv_12m`, `next_order_days` FROM `customer_scores_template`;
--> statement-breakpoint
CREATE OR REPLACE VIEW `customer_scores_prev` AS SELECT `pipeline`, `customer_id`, `score`, `decile`, `segment`, `model_version`, `run_key`, `business_date`, `scored_at`, `reasons`, `known_outcome`, `p_alive`, `expected_orders`, `expected_spend`, `expected_revenue`, `clv_12m`, `next_order_days` FROM `customer_scores_template`;
