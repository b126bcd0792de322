CREATE TABLE `pipeline_runs` (
	`id` int AUTO_INCREMENT NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`business_date` date NOT NULL,
	`status` varchar(16) NOT NULL DEFAULT 'pending',
	`generation` int NOT NULL DEFAULT 1,
	`params` json NOT NULL,
	`error` text,
	`failed_step` varchar(32),
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`started_at` timestamp(3),
	`finished_at` timestamp(3),
	CONSTRAINT `pipeline_runs_id` PRIMARY KEY(`id`),
	CONSTRAINT `pipeline_runs_run_key` UNIQUE(`run_key`)
);
--> statement-breakpoint
CREATE TABLE `step_runs` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`step` varchar(32) NOT NULL,
	`attempt` int NOT NULL,
	`status` varchar(16) NOT NULL,
	`error_kind` varchar(16),
	`error` text,
	`rows_in` bigint,
	`rows_out` bigint,
	`rows_rejected` bigint,
	`details` json,
	`worker` varchar(120),
	`started_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`finished_at` timestamp(3),
	`duration_ms` int,
	CONSTRAINT `step_runs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `clean_rows` (
	`run_key` varchar(120) NOT NULL,
	`row_id` varchar(191) NOT NULL,
	`source_file_id` int NOT NULL,
	`line` int NOT NULL,
	`label` tinyint,
	`values` json NOT NULL,
	CONSTRAINT `clean_rows_run_key_row_id_pk` PRIMARY KEY(`run_key`,`row_id`)
);
--> statement-breakpoint
CREATE TABLE `email_outbox` (
	`id` int AUTO_INCREMENT NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`kind` varchar(32) NOT NULL,
	`recipients` text NOT NULL,
	`subject` varchar(500) NOT NULL,
	`status` varchar(16) NOT NULL,
	`message_id` varchar(255),
	`location` varchar(1024),
	`error` text,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`sent_at` timestamp(3),
	CONSTRAINT `email_outbox_id` PRIMARY KEY(`id`),
	CONSTRAINT `email_outbox_run_kind` UNIQUE(`run_key`,`kind`)
);
--> statement-breakpoint
CREATE TABLE `feature_rows` (
	`run_key` varchar(120) NOT NULL,
	`role` varchar(8) NOT NULL,
	`entity_id` varchar(191) NOT NULL,
	`label` tinyint,
	`vec` longblob NOT NULL,
	CONSTRAINT `feature_rows_run_key_role_entity_id_pk` PRIMARY KEY(`run_key`,`role`,`entity_id`)
);
--> statement-breakpoint
CREATE TABLE `feature_sets` (
	`run_key` varchar(120) NOT NULL,
	`feature_names` json NOT NULL,
	`categorical` json NOT NULL,
	`encoders` json NOT NULL,
	`rows_train` int NOT NULL,
	`rows_valid` int NOT NULL,
	`rows_score` int NOT NULL,
	`warnings` json NOT NULL,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `feature_sets_run_key` PRIMARY KEY(`run_key`)
);
--> statement-breakpoint
CREATE TABLE `raw_rows` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`source_file_id` int NOT NULL,
	`line` int NOT NULL,
	`cells` longtext NOT NULL,
	CONSTRAINT `raw_rows_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `rejected_rows` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`step` varchar(32) NOT NULL,
	`source` varchar(1024) NOT NULL,
	`line` int,
	`column_name` varchar(191),
	`reason` varchar(500) NOT NULL,
	`raw` mediumtext,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `rejected_rows_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `source_files` (
	`id` int AUTO_INCREMENT NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`source` varchar(64) NOT NULL,
	`path` varchar(1024) NOT NULL,
	`sha256` varchar(64) NOT NULL,
	`bytes` bigint NOT NULL,
	`rows` bigint,
	`header` json,
	`collected_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `source_files_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `model_versions` (
	`id` int AUTO_INCREMENT NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`engine` varchar(16) NOT NULL,
	`params` json NOT NULL,
	`feature_names` json NOT NULL,
	`data_fingerprint` varchar(64) NOT NULL,
	`metrics` json,
	`threshold` double,
	`train_rows` int NOT NULL,
	`fit_ms` int NOT NULL,
	`model` longblob NOT NULL,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `model_versions_id` PRIMARY KEY(`id`),
	CONSTRAINT `model_versions_run` UNIQUE(`run_key`)
);
--> statement-breakpoint
CREATE TABLE `customer_scores` (
	`pipeline` varchar(64) NOT NULL,
	`customer_id` varchar(191) NOT NULL,
	`score` double NOT NULL,
	`decile` tinyint NOT NULL,
	`model_version` int NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`business_date` date NOT NULL,
	`scored_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `customer_scores_pipeline_customer_id_pk` PRIMARY KEY(`pipeline`,`customer_id`)
);
--> statement-breakpoint
CREATE INDEX `pipeline_runs_pipeline_date` ON `pipeline_runs` (`pipeline`,`business_date`);--> statement-breakpoint
CREATE INDEX `step_runs_run_step` ON `step_runs` (`run_key`,`step`);--> statement-breakpoint
CREATE INDEX `raw_rows_run` ON `raw_rows` (`run_key`,`source_file_id`,`line`);--> statement-breakpoint
CREATE INDEX `rejected_rows_run` ON `rejected_rows` (`run_key`,`step`);--> statement-breakpoint
CREATE INDEX `source_files_run` ON `source_files` (`run_key`);--> statement-breakpoint
CREATE INDEX `model_versions_pipeline` ON `model_versions` (`pipeline`);--> statement-breakpoint
CREATE INDEX `customer_scores_decile` ON `customer_scores` (`pipeline`,`decile`);