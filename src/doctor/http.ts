// Doctor's requests: bounded in time and size, never following redirects (a redirect is itself a finding),
// and never throwing: a network failure is an answer with status 0 and the reason.
export interface Answer {
  url: string;
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body when it is a JSON object. */
  json?: Record<string, unknown>;
  /** Why there was no answer (connection refused, timeout). */
  error?: string;
}

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 1024 * 1024;

export async function request(url: string, init: RequestInit = {}, fetchFn: typeof fetch = fetch): Promise<Answer> {
  try {
    const response = await fetchFn(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS), ...init });
    const text = await readLimited(response);
    let json: Record<string, unknown> | undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) json = value as Record<string, unknown>;
    } catch {
      // Not JSON: the caller says so when it expected JSON.
    }
    return { url, status: response.status, headers: response.headers, text, json };
  } catch (error) {
    return { url, status: 0, headers: new Headers(), text: '', error: describe(error) };
  }
}

async function readLimited(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    chunks.push(value);
    if (size > MAX_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if ((error as Error)?.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000}s`;
  return (error as Error)?.message ?? String(error);
}

/** `HTTP 404`, or the network reason. */
export function said(answer: Answer): string {
  return answer.status === 0 ? `no answer (${answer.error})` : `HTTP ${answer.status}`;
}
