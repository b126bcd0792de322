DROP INDEX `raw_transactions_pipeline_file` ON `raw_transactions`;--> statement-breakpoint
ALTER TABLE `loaded_files` ADD `first_id` bigint unsigned;--> statement-breakpoint
ALTER TABLE `loaded_files` ADD `last_id` bigint unsigned;