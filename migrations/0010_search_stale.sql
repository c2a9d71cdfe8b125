CREATE TABLE `search_stale` (
	`case_id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`marked_at` integer NOT NULL
);
