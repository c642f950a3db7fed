-- The user who queued a job: GET /jobs/{id} shows its details to that user alone. NULL for jobs nobody owns
-- (/log, welcome mails), which show their status only.
ALTER TABLE jobs ADD COLUMN owner_id integer NULL;

-- /send-email jobs queued before this column existed name their user in the payload; everything else stays ownerless.
UPDATE jobs SET owner_id = (payload::jsonb ->> 'requested_by')::integer
WHERE kind = 'email.send' AND payload::jsonb ->> 'requested_by' ~ '^[0-9]{1,9}$';
