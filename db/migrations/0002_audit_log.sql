CREATE TABLE `audit_log` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	`user` varchar(120) NOT NULL,
	`role` varchar(16) NOT NULL,
	`method` varchar(8) NOT NULL,
	`path` varchar(500) NOT NULL,
	`action` varchar(40) NOT NULL,
	`queue` varchar(64),
	`job_id` varchar(191),
	`status` int NOT NULL,
	`remote_addr` varchar(64),
	CONSTRAINT `audit_log_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_log_job` ON `audit_log` (`queue`,`job_id`);