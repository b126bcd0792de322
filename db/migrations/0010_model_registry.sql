CREATE TABLE `model_aliases` (
	`pipeline` varchar(64) NOT NULL,
	`alias` varchar(16) NOT NULL,
	`version_id` int NOT NULL,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `model_aliases_pipeline_alias_pk` PRIMARY KEY(`pipeline`,`alias`)
);
--> statement-breakpoint
CREATE TABLE `model_decisions` (
	`id` int AUTO_INCREMENT NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`run_key` varchar(120),
	`challenger_version` int NOT NULL,
	`champion_version` int,
	`result_version` int,
	`metric` varchar(32) NOT NULL,
	`challenger_value` double,
	`champion_value` double,
	`rule` varchar(200) NOT NULL,
	`compared` json,
	`promoted` boolean NOT NULL,
	`reason` text NOT NULL,
	`decided_by` varchar(8) NOT NULL,
	`actor` varchar(120) NOT NULL,
	`decided_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `model_decisions_id` PRIMARY KEY(`id`),
	CONSTRAINT `model_decisions_run` UNIQUE(`run_key`)
);
--> statement-breakpoint
ALTER TABLE `model_versions` ADD `training_window` json;--> statement-breakpoint
CREATE INDEX `model_decisions_pipeline` ON `model_decisions` (`pipeline`,`id`);