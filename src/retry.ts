// The one place that decides whether a failed GitHub API call is retried and
// after how long. Everything else (the octokit plugin in github.ts, the
// release flow) asks classify() or isAlreadyExists(); nothing else retries
// on its own.
//
// Retried: network errors (no response), 5xx, 429, and rate limits (primary:
// x-ratelimit-remaining 0; secondary: "secondary rate limit" in the message),
// with exponential backoff, honouring Retry-After and x-ratelimit-reset.
// Never retried: 401, 403 (other than rate limits), 404, 422 and every other
// 4xx. The 422 already_exists race is not a transient failure: the release
// flow resolves it (re-list, delete, upload once more), see release.ts.

export const MAX_RETRIES = 5;
/** Exponential backoff for errors without Retry-After: 1, 2, 4, 8, 16 s. */
const BASE_DELAY_S = 1;
const MAX_BACKOFF_S = 60;
/** GitHub asks to wait at least a minute after a secondary rate limit without Retry-After. */
const SECONDARY_FALLBACK_S = 60;
/** Longer waits than this fail now rather than hold a runner. */
export const MAX_WAIT_S = 15 * 60;

export interface Failure {
  /** HTTP status; undefined when no response arrived (connection refused, reset, timeout). */
  status: number | undefined;
  headers: Record<string, string | undefined>;
  message: string;
  /** The response body's `errors[].code`, when any. */
  codes: string[];
  /** Set when retries were given up on: why. */
  gaveUp?: string;
}

export type Verdict =
  | { retry: true; delaySeconds: number; reason: string }
  /** gaveUp: the failure is retryable, but not again (attempts used up, or too long a wait). */
  | { retry: false; reason: string; gaveUp?: boolean };

/** Whole seconds to wait, from Retry-After (seconds or an HTTP date). */
function retryAfter(headers: Failure['headers'], now: number): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function backoff(attempt: number): number {
  return Math.min(MAX_BACKOFF_S, BASE_DELAY_S * 2 ** attempt);
}

/**
 * Decides about one failure. `attempt` counts the retries already made for
 * this request (0 on the first failure).
 */
export function classify(failure: Failure, attempt: number, now: number = Date.now()): Verdict {
  const { status, headers, message } = failure;
  const verdict = ((): Verdict => {
    if (status === undefined) return { retry: true, delaySeconds: backoff(attempt), reason: `network error (${message})` };
    if (/secondary rate limit/i.test(message) && (status === 403 || status === 429)) {
      const wait = retryAfter(headers, now) ?? SECONDARY_FALLBACK_S;
      return { retry: true, delaySeconds: wait, reason: `secondary rate limit, Retry-After ${wait} s` };
    }
    if ((status === 403 || status === 429) && headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(headers['x-ratelimit-reset'] ?? '0') * 1000;
      const wait = retryAfter(headers, now) ?? Math.max(1, Math.ceil((reset - now) / 1000) + 1);
      return { retry: true, delaySeconds: wait, reason: `rate limit exhausted, resets in ${wait} s` };
    }
    if (status === 429) {
      const wait = retryAfter(headers, now) ?? backoff(attempt);
      return { retry: true, delaySeconds: wait, reason: `429 too many requests` };
    }
    if (status >= 500) {
      const wait = retryAfter(headers, now) ?? backoff(attempt);
      return { retry: true, delaySeconds: wait, reason: `server error ${status}` };
    }
    return { retry: false, reason: `HTTP ${status} is not retried` };
  })();
  if (!verdict.retry) return verdict;
  if (attempt >= MAX_RETRIES) return { retry: false, gaveUp: true, reason: `${verdict.reason}; gave up after ${attempt + 1} attempts` };
  if (verdict.delaySeconds > MAX_WAIT_S) {
    return { retry: false, gaveUp: true, reason: `${verdict.reason}; that is longer than the ${MAX_WAIT_S / 60} minutes this action waits` };
  }
  return verdict;
}

/** A 422 whose errors say the thing (an asset name, a release tag) already exists. */
export function isAlreadyExists(failure: Failure): boolean {
  return failure.status === 422 && failure.codes.includes('already_exists');
}

/** Reads a Failure out of an octokit RequestError (or any thrown value). */
export function failureOf(error: unknown): Failure {
  const e = error as {
    status?: number;
    message?: string;
    response?: { status?: number; headers?: Record<string, string>; data?: unknown };
  };
  const data = e.response?.data as { message?: string; errors?: { code?: string }[] } | undefined;
  const codes = Array.isArray(data?.errors) ? data.errors.map((x) => x.code ?? '').filter((c) => c !== '') : [];
  // @octokit/request reports a request that got no response as status 500
  // without a response object: that is a network error, not a server error.
  const status = e.response === undefined ? undefined : (e.response.status ?? e.status);
  const gaveUp = (error as { packActionGaveUp?: string }).packActionGaveUp;
  return {
    status,
    headers: e.response?.headers ?? {},
    message: (typeof data?.message === 'string' ? data.message : undefined) ?? e.message ?? String(error),
    codes,
    ...(gaveUp ? { gaveUp } : {}),
  };
}
