CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text DEFAULT 'agent' NOT NULL,
	`password_hash` text,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agents_workspace_email` ON `agents` (`workspace_id`,`email`);--> statement-breakpoint
CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`message_id` text NOT NULL,
	`filename` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`content_id` text,
	`inline` integer DEFAULT false NOT NULL,
	`r2_key` text,
	`sha256` text NOT NULL,
	`skipped_reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attachments_message` ON `attachments` (`message_id`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`mailbox_id` text NOT NULL,
	`number` integer NOT NULL,
	`subject` text NOT NULL,
	`status` text DEFAULT 'new' NOT NULL,
	`priority` text DEFAULT 'normal' NOT NULL,
	`contact_id` text,
	`assignee_id` text,
	`team` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`linked_case_id` text,
	`message_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_message_at` integer NOT NULL,
	`closed_at` integer,
	`first_response_due_at` integer,
	`next_response_due_at` integer,
	`resolution_due_at` integer,
	`next_due_at` integer,
	`sla_state` text DEFAULT 'ok' NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`assignee_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_workspace_number` ON `cases` (`workspace_id`,`number`);--> statement-breakpoint
CREATE INDEX `cases_workspace_status_last` ON `cases` (`workspace_id`,`status`,`last_message_at`);--> statement-breakpoint
CREATE INDEX `cases_next_due` ON `cases` (`next_due_at`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`org_domain` text DEFAULT '' NOT NULL,
	`undeliverable` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_workspace_email` ON `contacts` (`workspace_id`,`email`);--> statement-breakpoint
CREATE TABLE `events` (
	`workspace_id` text NOT NULL,
	`seq` integer NOT NULL,
	`case_id` text,
	`type` text NOT NULL,
	`actor` text NOT NULL,
	`payload` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `seq`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `events_case` ON `events` (`case_id`);--> statement-breakpoint
CREATE TABLE `inbound` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`mailbox_id` text NOT NULL,
	`envelope_from` text NOT NULL,
	`envelope_to` text NOT NULL,
	`raw_key` text NOT NULL,
	`raw_size` integer NOT NULL,
	`idem_key` text NOT NULL,
	`status` text DEFAULT 'received' NOT NULL,
	`reason` text,
	`subject` text DEFAULT '' NOT NULL,
	`from_email` text DEFAULT '' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`last_error` text,
	`case_id` text,
	`message_id` text,
	`decision` text,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `inbound_status_due` ON `inbound` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `inbound_mailbox_key` ON `inbound` (`mailbox_id`,`idem_key`);--> statement-breakpoint
CREATE INDEX `inbound_workspace_received` ON `inbound` (`workspace_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `mailboxes` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`address` text NOT NULL,
	`display_name` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`default_assignee_id` text,
	`default_team` text,
	`sla_policy_id` text,
	`calendar_id` text,
	`sla_office_hours_only` integer DEFAULT false NOT NULL,
	`ack_on_create` integer DEFAULT true NOT NULL,
	`ack_on_update` integer DEFAULT false NOT NULL,
	`ack_create_template` text,
	`ack_update_template` text,
	`reply_policy` text DEFAULT 'participants' NOT NULL,
	`catch_all_address` text,
	`follow_up_policy` text DEFAULT 'reopen' NOT NULL,
	`follow_up_days` integer DEFAULT 14 NOT NULL,
	`attachment_max_count` integer DEFAULT 5 NOT NULL,
	`attachment_max_bytes` integer DEFAULT 10485760 NOT NULL,
	`attachment_allowed_types` text DEFAULT '[]' NOT NULL,
	`max_message_bytes` integer DEFAULT 26214400 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`default_assignee_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mailboxes_address_unique` ON `mailboxes` (`address`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`case_id` text NOT NULL,
	`mailbox_id` text NOT NULL,
	`direction` text NOT NULL,
	`kind` text DEFAULT 'human' NOT NULL,
	`message_key` text,
	`rfc_message_id` text,
	`in_reply_to` text,
	`references` text DEFAULT '[]' NOT NULL,
	`from_email` text DEFAULT '' NOT NULL,
	`from_name` text DEFAULT '' NOT NULL,
	`to` text DEFAULT '[]' NOT NULL,
	`cc` text DEFAULT '[]' NOT NULL,
	`subject` text DEFAULT '' NOT NULL,
	`text` text DEFAULT '' NOT NULL,
	`html` text,
	`raw_key` text,
	`inbound_id` text,
	`thread_rule` text NOT NULL,
	`thread_reason` text DEFAULT '' NOT NULL,
	`auth_verdict` text,
	`author_agent_id` text,
	`sent_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`mailbox_id`) REFERENCES `mailboxes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_mailbox_key` ON `messages` (`mailbox_id`,`message_key`);--> statement-breakpoint
CREATE INDEX `messages_workspace_rfc_id` ON `messages` (`workspace_id`,`rfc_message_id`);--> statement-breakpoint
CREATE INDEX `messages_case_created` ON `messages` (`case_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `participants` (
	`case_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`role` text NOT NULL,
	`contact_id` text,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`case_id`, `email`),
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `participants_email` ON `participants` (`email`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`case_counter` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `workspaces_slug_unique` ON `workspaces` (`slug`);