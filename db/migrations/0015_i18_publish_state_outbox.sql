CREATE TABLE `score_publish_state` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`generation` int NOT NULL,
	`phase` varchar(16) NOT NULL,
	`outcome` json,
	`updated_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `score_publish_state_id` PRIMARY KEY(`id`),
	CONSTRAINT `score_publish_state_run` UNIQUE(`run_key`,`generation`)
);
--> statement-breakpoint
ALTER TABLE `email_outbox` ADD `mime` longblob;--> statement-breakpoint
ALTER TABLE `email_outbox` ADD `html` mediumtext;--> statement-breakpoint
ALTER TABLE `email_outbox` ADD `attempts` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `email_outbox` ADD `resends` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `email_outbox` ADD `next_attempt_at` timestamp(3);--> statement-breakpoint
ALTER TABLE `email_outbox` ADD `sending_since` timestamp(3);--> statement-breakpoint
CREATE INDEX `email_outbox_due` ON `email_outbox` (`status`,`next_attempt_at`);