CREATE TABLE `sla_policies` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`first_response_minutes` integer,
	`next_response_minutes` integer,
	`resolution_minutes` integer,
	`by_priority` text DEFAULT '{}' NOT NULL,
	`pause_when_pending` integer DEFAULT true NOT NULL,
	`warn_minutes` integer DEFAULT 30 NOT NULL,
	`escalations` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `cases` ADD `sla_policy_id` text;--> statement-breakpoint
ALTER TABLE `cases` ADD `first_responded_at` integer;--> statement-breakpoint
ALTER TABLE `cases` ADD `sla_paused_at` integer;--> statement-breakpoint
ALTER TABLE `cases` ADD `sla_warned_mask` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `cases` ADD `sla_breached_mask` integer DEFAULT 0 NOT NULL;