-- The dashboard lists each run's alerts with their delivery status: find them by run.
CREATE INDEX notifications_run_idx ON notifications (run_id);
