CREATE TABLE `clean_drops` (
	`run_key` varchar(120) NOT NULL,
	`raw_id` bigint unsigned NOT NULL,
	`reason` varchar(64) NOT NULL,
	CONSTRAINT `clean_drops_run_key_raw_id_pk` PRIMARY KEY(`run_key`,`raw_id`)
);
--> statement-breakpoint
CREATE INDEX `clean_drops_reason` ON `clean_drops` (`run_key`,`reason`);