CREATE TABLE `known_outcome_scores` (
	`run_key` varchar(120) NOT NULL,
	`entity_id` varchar(191) NOT NULL,
	`score` double NOT NULL,
	`fold` int NOT NULL,
	CONSTRAINT `known_outcome_scores_run_key_entity_id_pk` PRIMARY KEY(`run_key`,`entity_id`)
);
--> statement-breakpoint
ALTER TABLE `customer_scores_template` ADD `known_outcome` tinyint DEFAULT 0 NOT NULL;