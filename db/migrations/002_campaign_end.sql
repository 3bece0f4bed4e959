-- Why a campaign stopped calling: list finished, quota reached, end date, cancelled.
ALTER TABLE campaigns ADD COLUMN ended_because text;
