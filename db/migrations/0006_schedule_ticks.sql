CREATE TABLE `schedule_ticks` (
	`id` int AUTO_INCREMENT NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`business_date` date NOT NULL,
	`fire_at` timestamp(3) NOT NULL,
	`decision` varchar(16) NOT NULL,
	`scheduler` varchar(120) NOT NULL,
	`run_key` varchar(120),
	`note` varchar(500),
	`created_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `schedule_ticks_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `schedule_ticks_pipeline_date` ON `schedule_ticks` (`pipeline`,`business_date`);