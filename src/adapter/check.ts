/**
 * Check outcomes: what a vendor (or polyverify's own code store) answered to a code, and the
 * one mapping of an outcome to a `CheckResult`.
 */
import type { CheckReason, CheckResult, Verification } from '../model.js';

/** What a vendor's check answered: verified, or why not. */
export type CheckOutcome =
  | {
      /** The code was right. */
      readonly verified: true;
      /** The verification as the vendor returned it, where it does. */
      readonly verification?: Verification;
    }
  | {
      /** The code was not accepted. */
      readonly verified: false;
      /** Why. */
      readonly reason: CheckReason;
      /** Wrong codes still allowed, where the vendor says. */
      readonly attemptsRemaining?: number;
      /** The verification as the vendor returned it, where it does. */
      readonly verification?: Verification;
    };

/**
 * The one mapping of a check outcome to a `CheckResult`: a wrong code leaves the verification
 * pending while tries remain (`failed` at 0, or when the vendor says so); each other reason
 * has its one status. The vendor's record, where it came with the answer, decides the status
 * and stays here: a `CheckResult` has one shape on every vendor and is safe to hand to a client.
 */
export function checkResult(outcome: CheckOutcome): CheckResult {
  if (outcome.verified) return { verified: true, status: 'verified' };
  const { reason, attemptsRemaining } = outcome;
  switch (reason) {
    case 'incorrect_code': {
      const status = attemptsRemaining === 0 || outcome.verification?.status === 'failed' ? 'failed' : 'pending';
      return { verified: false, status, reason, ...(attemptsRemaining !== undefined && { attemptsRemaining }) };
    }
    case 'max_attempts':
      return { verified: false, status: 'failed', reason, attemptsRemaining: 0 };
    case 'expired':
      return { verified: false, status: 'expired', reason };
    case 'canceled':
      return { verified: false, status: 'canceled', reason };
    case 'already_verified':
      return { verified: false, status: 'verified', reason };
    case 'not_found':
      return { verified: false, status: 'failed', reason };
  }
}
