import type { Db } from '../../infra/db';
import { inTransaction } from '../../infra/db';
import { expireReferral, type Expiry } from '../../db/hotline/referrals-sql';

/** The interaction workflow's activities: what it records when a referral's window closes. */
export function createReferralActivities(db: Db) {
  return {
    /**
     * The referral's window closed: recorded as expired (never completed) unless an order completed
     * it first, which is answered instead. Idempotent: a retry finds what the first recorded.
     */
    async expireReferral(input: { recommendationId: number }): Promise<Expiry> {
      return inTransaction(db, (tx) => expireReferral(tx, input.recommendationId));
    },
  };
}
