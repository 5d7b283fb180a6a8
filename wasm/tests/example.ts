// A TypeScript booth flow, type-checked against the generated declarations by
// scripts/test-wasm (tsc --strict); never run. It is the README's example.
import {
  Election,
  verifyRecord,
  type CastSubmission,
  type ChallengeCheck,
  type OstraconError,
  type Plaintext,
  type VerificationReport,
} from "../pkg/node/ostracon_wasm.js";
import initBooth, { Election as BoothElection } from "../pkg/booth/web/ostracon_wasm.js";

function isOstraconError(e: unknown): e is OstraconError {
  return e instanceof Error && e.name === "OstraconError";
}

export function vote(electionJson: string, choice: Plaintext): CastSubmission | undefined {
  const election = Election.fromJson(electionJson);
  try {
    election.checkSelection(choice);
  } catch (e) {
    if (isOstraconError(e) && e.code === "selection.invalid") {
      console.log(`contest ${e.contest}: ${e.message}`);
      return undefined;
    }
    throw e;
  }
  const ballot = election.encryptBallot("ballot-1", choice);
  const code: string = ballot.trackingCode;
  console.log(code, ballot.trackingCodeHex, ballot.state);
  const bytes: Uint8Array = ballot.toBytes();
  const opening: string = ballot.challenge();
  const check: ChallengeCheck = election.verifyOpening(bytes, opening);
  console.log(check.choices["board"]?.[0]);
  ballot.free();

  const second = election.encryptBallot("ballot-2", choice, code);
  const submission = second.cast("voter-1", new Uint8Array(32));
  const signature: string | undefined = submission.signature;
  console.log(signature, election.validateBallot(submission.ballot).trackingCode);
  second.free();
  election.free();
  return submission;
}

export function verify(record: Uint8Array): boolean {
  const report: VerificationReport = verifyRecord(record);
  for (const f of report.failures) console.log(`check ${f.check}: ${f.object}: ${f.reason}`);
  return report.ok;
}

export async function browserBooth(electionJson: string): Promise<string> {
  await initBooth();
  const election = BoothElection.fromJson(electionJson);
  const contest = election.manifest.contests[0];
  const rule = contest.rule;
  const max = rule.type === "approval" ? rule.max : 0;
  const ballot = election.encryptBallot("b", { [contest.id]: contest.options.map((_, i) => (i < max ? 1 : 0)) });
  return ballot.trackingCode;
}
