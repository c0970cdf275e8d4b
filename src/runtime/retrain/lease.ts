/**
 * Leases on handed-off jobs, so several workers on several machines share one store's jobs: a worker
 * claims a job by writing `jobs/claims/<id>.json` only if absent; it renews the claim by compare-and-swap
 * while it works; a claim whose expiry has passed (its worker died) is taken over, again by
 * compare-and-swap, so of two workers racing for it exactly one wins. Expiry is wall-clock time, so the
 * lease must be much longer than the clock skew between machines.
 */
import { z } from 'zod';
import type { CheckpointStore } from '../checkpoint/store.js';
import { claimKey, decodeJson } from './hand-off.js';

/** `jobs/claims/<id>.json`. */
export const LeaseSchema = z
  .object({
    job: z.string().min(1),
    owner: z.string().min(1),
    acquired_at: z.string(),
    expires_at: z.string(),
    /** How many times the job was taken over from an expired lease. */
    takeovers: z.number().int().min(0),
  })
  .strict();
/** A lease as stored. */
export type Lease = z.output<typeof LeaseSchema>;

/** A lease this worker holds: the stored object plus the etag its next renewal must match. */
export interface HeldLease {
  lease: Lease;
  etag: string;
}

const encode = (lease: Lease) => new TextEncoder().encode(JSON.stringify(lease));

function leaseFor(job: string, owner: string, now: Date, ttlMs: number, takeovers: number): Lease {
  return {
    job,
    owner,
    acquired_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ttlMs).toISOString(),
    takeovers,
  };
}

/** Why a claim could not be taken: held by a live lease of another worker. */
export interface LeaseBusy {
  owner: string;
  expires_at: string;
}

/**
 * Claims job `job` for `owner` for `ttlMs`: put-if-absent, or a compare-and-swap over a lease that has
 * expired (or cannot be read, so a corrupt claim never blocks a job for ever).
 * @returns the held lease, or who holds it when it is live.
 */
export async function acquireLease(
  store: CheckpointStore,
  job: string,
  owner: string,
  ttlMs: number,
  now: Date,
): Promise<HeldLease | LeaseBusy> {
  const key = claimKey(job);
  const fresh = leaseFor(job, owner, now, ttlMs, 0);
  const etag = await store.put(key, encode(fresh), { ifMatch: null });
  if (etag) return { lease: fresh, etag };
  const current = await store.get(key);
  if (!current) {
    // Released between the two calls: one more put-if-absent decides.
    const again = await store.put(key, encode(fresh), { ifMatch: null });
    return again
      ? { lease: fresh, etag: again }
      : { owner: '(another worker)', expires_at: now.toISOString() };
  }
  const parsed = LeaseSchema.safeParse(decodeJson(current.bytes));
  if (parsed.success && Date.parse(parsed.data.expires_at) > now.getTime()) {
    return { owner: parsed.data.owner, expires_at: parsed.data.expires_at };
  }
  const takeover = leaseFor(job, owner, now, ttlMs, (parsed.success ? parsed.data.takeovers : 0) + 1);
  const taken = await store.put(key, encode(takeover), { ifMatch: current.etag });
  if (taken) return { lease: takeover, etag: taken };
  return { owner: '(another worker, just now)', expires_at: now.toISOString() };
}

/** Whether `acquireLease` got the lease. */
export const isHeld = (claim: HeldLease | LeaseBusy): claim is HeldLease => 'etag' in claim;

/**
 * Extends a held lease by `ttlMs` from `now`, by compare-and-swap on its etag.
 * @returns the renewed lease, or `undefined` when it was lost (taken over after it expired).
 */
export async function renewLease(
  store: CheckpointStore,
  held: HeldLease,
  ttlMs: number,
  now: Date,
): Promise<HeldLease | undefined> {
  const lease = { ...held.lease, expires_at: new Date(now.getTime() + ttlMs).toISOString() };
  const etag = await store.put(claimKey(lease.job), encode(lease), { ifMatch: held.etag });
  return etag ? { lease, etag } : undefined;
}

/**
 * Gives a held lease up so another worker can claim the job at once: deleted only while it is still this
 * worker's (same etag). Between that check and the delete another worker could only have taken it over
 * if it had expired, which a renewing worker's lease does not.
 * @returns whether it was still held and is now removed.
 */
export async function releaseLease(store: CheckpointStore, held: HeldLease): Promise<boolean> {
  const key = claimKey(held.lease.job);
  const info = await store.head(key);
  if (!info || info.etag !== held.etag) return false;
  await store.delete(key);
  return true;
}

/** The lease on job `job`, if any and readable (for status counts). */
export async function readLease(store: CheckpointStore, job: string): Promise<Lease | undefined> {
  const found = await store.get(claimKey(job));
  if (!found) return undefined;
  const parsed = LeaseSchema.safeParse(decodeJson(found.bytes));
  return parsed.success ? parsed.data : undefined;
}
