CREATE TABLE `calendars` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`time_zone` text NOT NULL,
	`weekly` text NOT NULL,
	`holidays` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`case_id` text,
	`message_id` text,
	`kind` text NOT NULL,
	`from_address` text NOT NULL,
	`subject` text DEFAULT '' NOT NULL,
	`raw_key` text NOT NULL,
	`cause_inbound_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `outbox_case` ON `outbox` (`case_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_cause` ON `outbox` (`cause_inbound_id`,`kind`);--> statement-breakpoint
CREATE TABLE `outbox_recipients` (
	`outbox_id` text NOT NULL,
	`recipient` text NOT NULL,
	`kind` text NOT NULL,
	`case_id` text,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`provider_message_id` text,
	`error_code` text,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`outbox_id`, `recipient`),
	FOREIGN KEY (`outbox_id`) REFERENCES `outbox`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `outbox_recipients_due` ON `outbox_recipients` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_recipients_rate` ON `outbox_recipients` (`recipient`,`kind`,`created_at`);--> statement-breakpoint
ALTER TABLE `agents` ADD `token_code` text;--> statement-breakpoint
ALTER TABLE `agents` ADD `notify_assignment` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `agents` ADD `notify_customer_reply` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `agents` ADD `notify_sla` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `mailboxes` ADD `ack_off_hours_template` text;--> statement-breakpoint
ALTER TABLE `mailboxes` ADD `ack_max_per_case_hour` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `mailboxes` ADD `ack_max_per_recipient_day` integer DEFAULT 10 NOT NULL;