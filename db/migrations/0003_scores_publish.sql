CREATE TABLE `customer_score_history` (
	`pipeline` varchar(64) NOT NULL,
	`business_date` date NOT NULL,
	`customer_id` varchar(191) NOT NULL,
	`score` double NOT NULL,
	`decile` tinyint NOT NULL,
	`segment` varchar(8) NOT NULL,
	`model_version` int NOT NULL,
	`run_key` varchar(120) NOT NULL,
	CONSTRAINT `customer_score_history_pipeline_business_date_customer_id_pk` PRIMARY KEY(`pipeline`,`business_date`,`customer_id`)
);
--> statement-breakpoint
CREATE TABLE `customer_scores_template` (
	`pipeline` varchar(64) NOT NULL,
	`customer_id` varchar(191) NOT NULL,
	`score` double,
	`decile` tinyint NOT NULL,
	`segment` varchar(8) NOT NULL,
	`model_version` int NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`business_date` date NOT NULL,
	`scored_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`reasons` json,
	CONSTRAINT `customer_scores_template_pipeline_customer_id_pk` PRIMARY KEY(`pipeline`,`customer_id`)
);
--> statement-breakpoint
CREATE TABLE `score_publications` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`action` varchar(16) NOT NULL,
	`run_key` varchar(120),
	`replaced_run_key` varchar(120),
	`rows` bigint,
	`gates` json,
	`score_quantiles` json,
	`actor` varchar(120) NOT NULL,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `score_publications_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `score_history_customer` ON `customer_score_history` (`pipeline`,`customer_id`,`business_date`);--> statement-breakpoint
CREATE INDEX `scores_decile` ON `customer_scores_template` (`decile`);--> statement-breakpoint
CREATE INDEX `score_publications_pipeline` ON `score_publications` (`pipeline`,`id`);