-- Until a pipeline publishes, the views read the empty layout table, so analysts' queries never fail on a missing name.
CREATE OR REPLACE VIEW `customer_scores` AS SELECT `pipeline`, `customer_id`, `score`, `decile`, `segment`, `model_version`, `run_key`, `business_date`, `scored_at`, `reasons` FROM `customer_scores_template`;
--> statement-breakpoint
CREATE OR REPLACE VIEW `customer_scores_prev` AS SELECT `pipeline`, `customer_id`, `score`, `decile`, `segment`, `model_version`, `run_key`, `business_date`, `scored_at`, `reasons` FROM `customer_scores_template`;
