CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`actor` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text NOT NULL,
	`action` text NOT NULL,
	`changes` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_workspace_at` ON `audit_log` (`workspace_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_entity` ON `audit_log` (`workspace_id`,`entity`,`entity_id`,`at`);--> statement-breakpoint
ALTER TABLE `agents` ADD `team` text;--> statement-breakpoint
ALTER TABLE `agents` ADD `available` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `agents` ADD `last_assigned_at` integer;--> statement-breakpoint
CREATE INDEX `agents_workspace_team` ON `agents` (`workspace_id`,`team`);