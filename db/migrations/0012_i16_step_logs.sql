CREATE TABLE `step_logs` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`step` varchar(32) NOT NULL,
	`generation` int NOT NULL,
	`attempt` int NOT NULL,
	`seq` int NOT NULL,
	`at` timestamp(3) NOT NULL,
	`level` int NOT NULL,
	`msg` varchar(500) NOT NULL,
	`line` text NOT NULL,
	CONSTRAINT `step_logs_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
ALTER TABLE `step_runs` ADD `generation` int DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX `step_logs_attempt` ON `step_logs` (`run_key`,`step`,`generation`,`attempt`,`seq`);