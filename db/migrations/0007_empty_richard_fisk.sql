CREATE TABLE `clean_orders` (
	`run_key` varchar(120) NOT NULL,
	`customer_id` varchar(64) NOT NULL,
	`ordered_at` datetime NOT NULL,
	`order_key` varchar(64) NOT NULL,
	`is_cancel` tinyint NOT NULL,
	`amount` decimal(18,4) NOT NULL,
	`line_count` int NOT NULL,
	`new_products` int NOT NULL,
	`country` varchar(64),
	CONSTRAINT `clean_orders_pk` PRIMARY KEY(`run_key`,`customer_id`,`ordered_at`,`order_key`,`is_cancel`)
);
--> statement-breakpoint
CREATE TABLE `customer_features` (
	`run_key` varchar(120) NOT NULL,
	`role` varchar(8) NOT NULL,
	`cutoff` date NOT NULL,
	`customer_id` varchar(64) NOT NULL,
	`label` tinyint,
	`recency_days` double NOT NULL,
	`frequency` int NOT NULL,
	`monetary` double NOT NULL,
	`avg_order_value` double NOT NULL,
	`max_order_value` double NOT NULL,
	`tenure_days` double NOT NULL,
	`orders_30` int NOT NULL,
	`spend_30` double NOT NULL,
	`orders_90` int NOT NULL,
	`spend_90` double NOT NULL,
	`mean_days_between_orders` double,
	`distinct_products` int NOT NULL,
	`cancellations` int NOT NULL,
	`trend` double NOT NULL,
	`country` varchar(64),
	CONSTRAINT `customer_features_run_key_role_cutoff_customer_id_pk` PRIMARY KEY(`run_key`,`role`,`cutoff`,`customer_id`)
);
--> statement-breakpoint
CREATE TABLE `drift_results` (
	`id` int AUTO_INCREMENT NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`kind` varchar(8) NOT NULL,
	`name` varchar(191) NOT NULL,
	`psi` double NOT NULL,
	`band` varchar(12) NOT NULL,
	`reference` varchar(160) NOT NULL,
	`details` json,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `drift_results_id` PRIMARY KEY(`id`),
	CONSTRAINT `drift_results_run_kind_name` UNIQUE(`run_key`,`kind`,`name`)
);
--> statement-breakpoint
CREATE TABLE `quality_results` (
	`id` int AUTO_INCREMENT NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`business_date` date NOT NULL,
	`step` varchar(32) NOT NULL,
	`check_name` varchar(120) NOT NULL,
	`severity` varchar(8) NOT NULL,
	`outcome` varchar(8) NOT NULL,
	`value` double,
	`limit_text` varchar(120) NOT NULL,
	`message` varchar(500) NOT NULL,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `quality_results_id` PRIMARY KEY(`id`),
	CONSTRAINT `quality_results_run_check` UNIQUE(`run_key`,`check_name`)
);
--> statement-breakpoint
CREATE TABLE `score_distributions` (
	`run_key` varchar(120) NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`business_date` date NOT NULL,
	`rows` int NOT NULL,
	`quantiles` json NOT NULL,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `score_distributions_run_key` PRIMARY KEY(`run_key`)
);
--> statement-breakpoint
CREATE INDEX `quality_results_pipeline` ON `quality_results` (`pipeline`,`check_name`,`business_date`);