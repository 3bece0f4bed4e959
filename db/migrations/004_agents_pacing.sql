-- Teams and their agents: who works a campaign (campaigns name their team), who took a call, who
-- owns a callback, who asks for the next lead in preview mode. The dialer has its own view of who
-- is logged in right now; these tables are the roster.
CREATE TABLE teams (
  code        text PRIMARY KEY,
  name        text NOT NULL
);

CREATE TABLE agents (
  id          text PRIMARY KEY,
  team        text NOT NULL REFERENCES teams(code),
  name        text NOT NULL,
  active      boolean NOT NULL DEFAULT true
);
CREATE INDEX agents_team_idx ON agents(team);

-- The contact log names the agent who took each answered call.
ALTER TABLE call_attempts ADD COLUMN agent_id text;
-- Pacing reads the campaign's most recent answered calls (the abandon rate) on every claim.
CREATE INDEX call_attempts_campaign_ended_idx ON call_attempts(campaign_id, ended_at DESC) WHERE purpose = 'sales';

-- A callback belongs to the agent who promised it until a grace period after its time; and in
-- preview mode the agent who holds a lead.
ALTER TABLE leads ADD COLUMN agent_id text;
