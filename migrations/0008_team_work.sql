CREATE TABLE `case_tags` (
	`case_id` text NOT NULL,
	`tag_id` text NOT NULL,
	`workspace_id` text NOT NULL,
	`added_at` integer NOT NULL,
	`added_by` text NOT NULL,
	PRIMARY KEY(`case_id`, `tag_id`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tag_id`) REFERENCES `tags`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_tags_tag` ON `case_tags` (`workspace_id`,`tag_id`);--> statement-breakpoint
CREATE TABLE `tags` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`key` text NOT NULL,
	`color` text DEFAULT '#6b7280' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tags_workspace_key` ON `tags` (`workspace_id`,`key`);--> statement-breakpoint
CREATE TABLE `team_members` (
	`team_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`last_assigned_at` integer,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`team_id`, `agent_id`),
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `team_members_agent` ON `team_members` (`agent_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`assign_mode` text DEFAULT 'round-robin' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_workspace_name` ON `teams` (`workspace_id`,`name`);--> statement-breakpoint
CREATE TABLE `views` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`owner_agent_id` text,
	`name` text NOT NULL,
	`query` text NOT NULL,
	`sort` text DEFAULT 'activity' NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `views_workspace_owner` ON `views` (`workspace_id`,`owner_agent_id`);--> statement-breakpoint
ALTER TABLE `cases` ADD `team_id` text;--> statement-breakpoint
ALTER TABLE `cases` ADD `snoozed_at` integer;--> statement-breakpoint
ALTER TABLE `cases` ADD `snoozed_until` integer;--> statement-breakpoint
ALTER TABLE `cases` ADD `snoozed_by` text;--> statement-breakpoint
CREATE INDEX `cases_snoozed_until` ON `cases` (`snoozed_until`);--> statement-breakpoint
CREATE INDEX `cases_workspace_assignee` ON `cases` (`workspace_id`,`assignee_id`,`status`);--> statement-breakpoint
ALTER TABLE `mailboxes` ADD `default_team_id` text;--> statement-breakpoint
-- Teams were names on agents and mailboxes; each name becomes a team, its agents its members.
INSERT INTO `teams` (`id`, `workspace_id`, `name`, `assign_mode`, `created_at`)
SELECT 'team_' || lower(hex(randomblob(8))), `workspace_id`, `name`, 'round-robin', CAST(strftime('%s', 'now') AS INTEGER) * 1000
FROM (SELECT `workspace_id`, `team` AS `name` FROM `agents` WHERE `team` IS NOT NULL AND `team` <> ''
      UNION SELECT `workspace_id`, `default_team` FROM `mailboxes` WHERE `default_team` IS NOT NULL AND `default_team` <> '');--> statement-breakpoint
INSERT INTO `team_members` (`team_id`, `agent_id`, `last_assigned_at`, `added_at`)
SELECT t.`id`, a.`id`, a.`last_assigned_at`, a.`created_at` FROM `agents` a JOIN `teams` t ON t.`workspace_id` = a.`workspace_id` AND t.`name` = a.`team`;--> statement-breakpoint
UPDATE `mailboxes` SET `default_team_id` = (SELECT t.`id` FROM `teams` t WHERE t.`workspace_id` = `mailboxes`.`workspace_id` AND t.`name` = `mailboxes`.`default_team`) WHERE `default_team` IS NOT NULL;--> statement-breakpoint
UPDATE `cases` SET `team_id` = (SELECT t.`id` FROM `teams` t WHERE t.`workspace_id` = `cases`.`workspace_id` AND t.`name` = `cases`.`team`) WHERE `team` IS NOT NULL;
