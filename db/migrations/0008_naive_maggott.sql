CREATE TABLE `loaded_files` (
	`id` int AUTO_INCREMENT NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`source` varchar(64) NOT NULL,
	`origin_hash` varchar(40) NOT NULL,
	`origin` varchar(1024) NOT NULL,
	`sha256` varchar(64) NOT NULL,
	`source_file_id` int NOT NULL,
	`run_key` varchar(120) NOT NULL,
	`rows` bigint NOT NULL,
	`rejected` bigint NOT NULL,
	`loaded_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `loaded_files_id` PRIMARY KEY(`id`),
	CONSTRAINT `loaded_files_origin` UNIQUE(`pipeline`,`source`,`origin_hash`)
);
--> statement-breakpoint
ALTER TABLE `source_files` ADD `pipeline` varchar(64) DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `source_files` ADD `kind` varchar(8) DEFAULT 'file' NOT NULL;--> statement-breakpoint
ALTER TABLE `source_files` ADD `origin` varchar(1024) DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `source_files` ADD `modified_at` timestamp(3);--> statement-breakpoint
ALTER TABLE `source_files` ADD `action` varchar(16) DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE `source_files` ADD `rejected` bigint;