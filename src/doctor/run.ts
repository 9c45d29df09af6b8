// doctor's checklist, in the order a client meets each piece: the server, the issuer it names, then (with M2M
// credentials) what Logto holds for the server and its app.
import type { McpTransport } from '../try/target.js';
import { Checklist, type Check } from './check.js';
import { checkIssuer } from './issuer-checks.js';
import { checkServer } from './server-checks.js';

export interface DoctorInput {
  url: string;
  transport: McpTransport;
  /** LOGTO_ISSUER (the project's .env or the environment) or --issuer, as written. */
  configuredIssuer?: string;
  /** Runs the Logto checks, or adds them as skipped with the reason. */
  logto: (list: Checklist, issuer: string | undefined) => Promise<void>;
  fetch?: typeof fetch;
}

export interface DoctorReport {
  url: string;
  ok: boolean;
  checks: Check[];
}

export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const list = new Checklist();
  const server = await checkServer(list, input.url, input.transport, input.fetch);
  const { issuer } = await checkIssuer(
    list,
    { advertised: server.authorizationServer, configured: input.configuredIssuer },
    input.fetch,
  );
  await input.logto(list, input.configuredIssuer ?? issuer);
  return { url: input.url, ok: !list.failed, checks: list.checks };
}
