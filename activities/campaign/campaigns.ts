import { ApplicationFailure, Context } from '@temporalio/activity';
import { inTransaction, type Db } from '../../infra/db';
import type { Actor } from '../../domain/access/roles';
import type { CampaignDefinition, CampaignStatus, ContactCap, EndReason, Segment } from '../../domain/campaign/campaign';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { PULL_WORK_MEM, SqlParams, eligible } from '../../db/campaign/segment-sql';
import { COUNT_LISTED, HELD_OUT, HOLDOUT_SHARE_OF_CAMPAIGN, leadStateAtPull } from '../../db/campaign/holdout-sql';
import { LOCK_CAMPAIGN, RECORD_SETTINGS_VERSION, recordCampaignRowExtras } from '../../db/campaign/settings-versions-sql';

/** A change of a running campaign's settings, as its version is kept: ids and settings, no personal data. */
export interface SettingsVersionInput {
  campaignId: string;
  /** The workflow's update id: a retried activity records the change once. */
  changeId: string;
  /** The settings in force after the change. */
  settings: Pick<CampaignDefinition, 'dialing' | 'pacing' | 'window'>;
  change: unknown;
  by?: Actor;
  /** When the workflow applied it (ISO). */
  at: string;
}

/**
 * What a list pull wrote: `listed`, the leads the campaign calls (what its progress and funnel count
 * as listed), and `heldOut`, its control group (0 without a holdout), never called.
 */
export interface PullResult {
  listed: number;
  heldOut: number;
}

/** Where a list pull has got to: what it heartbeats, and where a retried pull resumes. */
export interface PullProgress {
  /** Every candidate up to this customer id is listed or skipped, committed. */
  cursor: number;
  listed: number;
}

export interface CampaignActivityOptions {
  /** Candidates per transaction of a pull: a crash loses at most one chunk's work. */
  pullChunk?: number;
  /** How often a pull heartbeats while a statement runs (a chunk also heartbeats as it commits). */
  pullHeartbeatMs?: number;
}

/** A 1M-lead pull commits about ten times (each ~3 s in docs/benchmarks.md's list-pull). */
const PULL_CHUNK = 100_000;
const PULL_HEARTBEAT_MS = 5_000;
/** First key of the pull's advisory lock (the second is the campaign's); infra/db.ts's migrations use 727001. */
const PULL_LOCK = 727002;

/** The activity's context, or none when the pull runs outside a worker (the list-pull bench). */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Campaign-level data: the campaign's row, the list pull and the campaign's recorded status. */
export function createCampaignActivities(db: Db, opts: CampaignActivityOptions = {}) {
  const chunk = opts.pullChunk ?? PULL_CHUNK;
  return {
    /**
     * The campaign's row, as the API writes it after starting the workflow: the API may die between
     * the two, so the workflow makes sure of it itself. Whoever comes first writes it; the other
     * finds it. A row refused because its Idempotency-Key already names another campaign means this
     * launch repeats that one under a different id: it must not run as a second campaign.
     */
    async recordLaunch(input: { definition: CampaignDefinition; idempotencyKey: string | null }): Promise<void> {
      const { definition, idempotencyKey } = input;
      await db.query(
        `INSERT INTO campaigns (id, idempotency_key, name, definition, status, workflow_id)
         VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT DO NOTHING`,
        [definition.id, idempotencyKey, definition.name, JSON.stringify(definition), campaignWorkflowId(definition.id)],
      );
      const { rowCount } = await db.query('SELECT 1 FROM campaigns WHERE id = $1', [definition.id]);
      if (!rowCount) {
        throw ApplicationFailure.nonRetryable(`Idempotency-Key '${idempotencyKey}' already launched another campaign`, 'DuplicateLaunch');
      }
      await recordCampaignRowExtras(db, definition);
    },

    /**
     * A change of settings kept as the campaign's next version, with who made it and when: the
     * audit rebuilds from these what was in force at any time (version 1 is the launch's).
     */
    async recordSettingsVersion(input: SettingsVersionInput): Promise<void> {
      await inTransaction(db, async (tx) => {
        await tx.query(LOCK_CAMPAIGN, [input.campaignId]);
        await recordCampaignRowExtras(tx, { id: input.campaignId }); // version 1, for a campaign whose launch did not write it
        await tx.query(RECORD_SETTINGS_VERSION, [input.campaignId, input.changeId, JSON.stringify(input.settings),
          JSON.stringify(input.change ?? null), input.by ? JSON.stringify(input.by) : null, input.at]);
      });
    },

    /**
     * Writes the campaign's leads, set-based: the segment's customers with a valid number, not on
     * the DNC register, not flagged do-not-call, not already owning the offer, not called up to the
     * contact cap lately by any campaign, one lead per number.
     *
     * One lead per number comes from the unique (campaign, number) key: candidates go in by customer
     * id and a later customer with a number already listed is skipped (ON CONFLICT DO NOTHING). A
     * skipped candidate still took a place under the LIMIT, so the pull tops up from after the last
     * candidate until maxLeads are listed or the segment is exhausted; the top-ups are as small as
     * the duplicates were few. (A per-row "no lower id has this number" probe cost 1M random index
     * reads: see docs/benchmarks.md.)
     *
     * A pull of a million leads runs for minutes, so it goes in chunks of candidates in id order,
     * each its own transaction, and heartbeats after each commit with the cursor it reached: a pull
     * retried after its worker died resumes there instead of starting over. Idempotent: whatever
     * the cursor it starts from (none, or a heartbeat older than the last commit), a candidate
     * already listed conflicts and the count of leads is read from the table. Two attempts of one
     * pull (a worker presumed dead that was not) take turns on an advisory lock, so maxLeads holds.
     *
     * A campaign with a holdout (its definition's `holdout.share`) writes the leads whose draw falls
     * under the share as 'held-out' in the same statement (db/campaign/holdout-sql.ts): the split
     * is among the leads that pass every exclusion, and stable, so a resumed pull splits alike.
     * Every lead keeps its customer's monthly spend and network status at the pull, the baseline
     * of the evaluation (GET /reports/evaluation).
     */
    async pullList(input: { campaignId: string; segment: Segment; offerCode: string; contactCap?: ContactCap }): Promise<PullResult> {
      const { campaignId, segment } = input;
      // The holdout is read from the definition the campaign was launched with (its row, written
      // before the pull by the launch and by recordLaunch), so the workflow passes nothing new.
      const { rows: [row] } = await db.query<{ share: number | null }>(HOLDOUT_SHARE_OF_CAMPAIGN, [campaignId]);
      const p = new SqlParams([campaignId]);
      const where = eligible(input, p);
      const state = leadStateAtPull('$1', 'id', p.add(row?.share ?? null, 'float8'));
      const after = p.add(0, 'bigint');
      const limit = p.add(null, 'bigint');
      const sql = `WITH cand AS (
           SELECT c.id, c.msisdn, c.region, c.spend_last_month, c.in_network FROM customers c
            WHERE ${where} AND c.id > ${after} ORDER BY c.id LIMIT ${limit}),
         ins AS (
           INSERT INTO leads (campaign_id, customer_id, msisdn, region, state, spend_at_pull, in_network_at_pull)
           SELECT $1, id, msisdn, region, ${state}, spend_last_month, in_network FROM cand ORDER BY id
           ON CONFLICT DO NOTHING RETURNING state)
         SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM ins WHERE state = '${HELD_OUT}') AS held_out,
                (SELECT count(*) FROM cand) AS scanned, (SELECT max(id) FROM cand) AS last_id`;
      const afterAt = p.values.length - 2;

      const ctx = activityContext();
      const resumed = ctx?.info.heartbeatDetails as PullProgress | undefined;
      let progress: PullProgress = { cursor: resumed?.cursor ?? 0, listed: resumed?.listed ?? 0 };
      // Beats while a statement (or the lock) is awaited too: a chunk of a sparse segment may take long.
      const beat = ctx && setInterval(() => ctx.heartbeat(progress), opts.pullHeartbeatMs ?? PULL_HEARTBEAT_MS);
      const client = await db.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [PULL_LOCK, campaignId]);
        // maxLeads bounds the whole list, both groups: the split is among the leads it would list anyway.
        const { rows: [had] } = await client.query<{ n: string; held_out: string }>(COUNT_LISTED, [campaignId]);
        let listed = Number(had!.n);
        let heldOut = Number(had!.held_out);
        let cursor = progress.cursor;
        progress = { cursor, listed };
        for (;;) {
          const wanted = segment.maxLeads === undefined ? chunk : Math.min(chunk, segment.maxLeads - listed);
          if (wanted <= 0) break;
          p.values[afterAt] = cursor;
          p.values[afterAt + 1] = wanted;
          await client.query('BEGIN');
          try {
            await client.query(`SET LOCAL work_mem = '${PULL_WORK_MEM}'`);
            const { rows: [r] } = await client.query<{ inserted: string; held_out: string; scanned: string; last_id: string | null }>(sql, p.values);
            await client.query('COMMIT');
            listed += Number(r!.inserted);
            heldOut += Number(r!.held_out);
            if (Number(r!.scanned) < wanted || r!.last_id === null) break; // segment exhausted
            cursor = Number(r!.last_id);
          } catch (err) {
            await client.query('ROLLBACK').catch(() => {});
            throw err;
          }
          progress = { cursor, listed };
          ctx?.heartbeat(progress);
          // Temporal gave up on this attempt (its heartbeats stopped reaching the server): leave the rest to the retry.
          ctx?.cancellationSignal.throwIfAborted();
        }
        return { listed: listed - heldOut, heldOut };
      } finally {
        if (beat) clearInterval(beat);
        // The lock is the session's: unlock, or drop the connection (which unlocks) if that fails.
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [PULL_LOCK, campaignId])
          .then(() => client.release(), (err: Error) => client.release(err));
      }
    },

    async setCampaignStatus(input: { campaignId: string; status: CampaignStatus; endedBecause?: EndReason }): Promise<void> {
      await db.query(
        'UPDATE campaigns SET status = $2, ended_because = COALESCE($3, ended_because), updated_at = now() WHERE id = $1',
        [input.campaignId, input.status, input.endedBecause ?? null],
      );
    },

    /** One lead's step failed for good: recorded on the lead (the first record of a stage stays). */
    async recordLeadFailure(input: { campaignId: string; leadId: number; stage: 'order'; reason: string }): Promise<void> {
      await db.query(
        `INSERT INTO lead_failures (campaign_id, lead_id, stage, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (campaign_id, lead_id, stage) DO NOTHING`,
        [input.campaignId, input.leadId, input.stage, input.reason.slice(0, 1000)],
      );
    },
  };
}
