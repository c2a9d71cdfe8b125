ALTER TABLE `cases` ADD `merged_into_id` text;--> statement-breakpoint
CREATE INDEX `cases_workspace_contact_last` ON `cases` (`workspace_id`,`contact_id`,`last_message_at`);