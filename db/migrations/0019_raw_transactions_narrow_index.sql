DROP INDEX `raw_transactions_file` ON `raw_transactions`;--> statement-breakpoint
DROP INDEX `raw_transactions_customer_time` ON `raw_transactions`;--> statement-breakpoint
CREATE INDEX `raw_transactions_pipeline_file` ON `raw_transactions` (`pipeline`,`source_file_id`);