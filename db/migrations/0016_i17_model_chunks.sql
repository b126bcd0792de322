CREATE TABLE `model_chunks` (
	`version_id` int NOT NULL,
	`seq` int NOT NULL,
	`data` longblob NOT NULL,
	CONSTRAINT `model_chunks_version_id_seq_pk` PRIMARY KEY(`version_id`,`seq`)
);
--> statement-breakpoint
ALTER TABLE `model_versions` ADD `model_bytes` int NOT NULL;--> statement-breakpoint
ALTER TABLE `model_versions` ADD `model_chunks` int NOT NULL;--> statement-breakpoint
ALTER TABLE `model_versions` ADD `model_sha256` varchar(64) NOT NULL;--> statement-breakpoint
-- Existing models move into one chunk each before the blob column goes.
INSERT INTO `model_chunks` (`version_id`, `seq`, `data`) SELECT `id`, 0, `model` FROM `model_versions` WHERE `model` IS NOT NULL;--> statement-breakpoint
UPDATE `model_versions` SET `model_bytes` = LENGTH(`model`), `model_chunks` = 1, `model_sha256` = SHA2(`model`, 256) WHERE `model` IS NOT NULL;--> statement-breakpoint
ALTER TABLE `model_versions` DROP COLUMN `model`;