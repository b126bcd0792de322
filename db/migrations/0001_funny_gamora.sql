CREATE TABLE `raw_transactions` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`pipeline` varchar(64) NOT NULL,
	`source_file_id` int NOT NULL,
	`line` int NOT NULL,
	`invoice` varchar(64),
	`product_code` varchar(64),
	`description` varchar(255),
	`quantity` decimal(14,3),
	`invoiced_at` datetime NOT NULL,
	`unit_price` decimal(14,4),
	`amount` decimal(16,4) NOT NULL,
	`customer_id` varchar(64),
	`country` varchar(64),
	`loaded_at` timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	CONSTRAINT `raw_transactions_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `raw_transactions_file` ON `raw_transactions` (`source_file_id`);--> statement-breakpoint
CREATE INDEX `raw_transactions_customer_time` ON `raw_transactions` (`pipeline`,`customer_id`,`invoiced_at`);