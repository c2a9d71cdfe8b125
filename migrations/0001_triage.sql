ALTER TABLE `contacts` ADD `undeliverable_reason` text;--> statement-breakpoint
ALTER TABLE `contacts` ADD `undeliverable_at` integer;--> statement-breakpoint
ALTER TABLE `inbound` ADD `content_hash` text;--> statement-breakpoint
ALTER TABLE `inbound` ADD `forwarded_to` text;--> statement-breakpoint
ALTER TABLE `inbound` ADD `forward_error` text;--> statement-breakpoint
ALTER TABLE `inbound` ADD `resolved_by` text;--> statement-breakpoint
ALTER TABLE `inbound` ADD `resolved_at` integer;--> statement-breakpoint
CREATE INDEX `inbound_mailbox_sender` ON `inbound` (`mailbox_id`,`from_email`,`received_at`);--> statement-breakpoint
CREATE INDEX `inbound_mailbox_content` ON `inbound` (`mailbox_id`,`content_hash`,`received_at`);--> statement-breakpoint
ALTER TABLE `mailboxes` ADD `unverified_policy` text DEFAULT 'token-only' NOT NULL;--> statement-breakpoint
ALTER TABLE `mailboxes` ADD `flood_max_per_sender` integer DEFAULT 15 NOT NULL;--> statement-breakpoint
ALTER TABLE `mailboxes` ADD `flood_max_identical` integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE `mailboxes` ADD `flood_window_minutes` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `kind_reasons` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `auth_results` text;