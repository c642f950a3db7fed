-- The user who queued a job: GET /jobs/{id} shows its details to that user alone. NULL for jobs nobody owns
-- (/log, welcome mails), which show their status only.
ALTER TABLE jobs ADD COLUMN owner_id INTEGER NULL;

-- /send-email jobs queued before this column existed name their user in the payload; everything else stays ownerless.
UPDATE jobs SET owner_id = json_extract(payload, '$.requested_by')
WHERE kind = 'email.send' AND json_type(payload, '$.requested_by') = 'integer';
