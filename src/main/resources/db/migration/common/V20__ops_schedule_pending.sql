-- A change of a tenant's recurring cycle (ensure = TRUE, remove = FALSE) requested while that
-- tenant's cycle was running: db-scheduler cannot edit a picked execution, so the running cycle
-- applies this when it completes and clears it. NULL when nothing is pending.
ALTER TABLE ops_schedules ADD COLUMN pending_recurring BOOLEAN;
