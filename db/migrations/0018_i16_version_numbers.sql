CREATE TABLE `brief_scores` (
	`run_key` varchar(120) NOT NULL,
	`generation` int NOT NULL,
	`checksum` varchar(64) NOT NULL,
	`customers` int NOT NULL,
	`top_ids` json NOT NULL,
	`kind` varchar(32) NOT NULL,
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `brief_scores_run_key_generation_pk` PRIMARY KEY(`run_key`,`generation`)
);
--> statement-breakpoint
CREATE TABLE `model_version_numbers` (
	`pipeline` varchar(64) NOT NULL,
	`last_version` int NOT NULL,
	CONSTRAINT `model_version_numbers_pipeline` PRIMARY KEY(`pipeline`)
);
--> statement-breakpoint
CREATE TABLE `run_models` (
	`run_key` varchar(120) NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`version_id` int NOT NULL,
	`reused` boolean NOT NULL DEFAULT false,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `run_models_run_key` PRIMARY KEY(`run_key`)
);
--> statement-breakpoint
ALTER TABLE `model_versions` ADD `version` int NOT NULL;--> statement-breakpoint
ALTER TABLE `model_versions` ADD `fit_key` varchar(64);--> statement-breakpoint
-- Existing versions are numbered per pipeline in id order (the first of each pipeline is v1).
UPDATE `model_versions` m JOIN (SELECT `id`, ROW_NUMBER() OVER (PARTITION BY `pipeline` ORDER BY `id`) AS `n` FROM `model_versions`) x ON x.`id` = m.`id` SET m.`version` = x.`n`;--> statement-breakpoint
INSERT INTO `model_version_numbers` (`pipeline`, `last_version`) SELECT `pipeline`, MAX(`version`) FROM `model_versions` GROUP BY `pipeline`;--> statement-breakpoint
INSERT INTO `run_models` (`run_key`, `pipeline`, `version_id`, `reused`) SELECT `run_key`, `pipeline`, `id`, false FROM `model_versions`;--> statement-breakpoint
ALTER TABLE `model_versions` ADD CONSTRAINT `model_versions_number` UNIQUE(`pipeline`,`version`);--> statement-breakpoint
CREATE INDEX `run_models_version` ON `run_models` (`version_id`);--> statement-breakpoint
CREATE INDEX `model_versions_fit` ON `model_versions` (`pipeline`,`fit_key`);