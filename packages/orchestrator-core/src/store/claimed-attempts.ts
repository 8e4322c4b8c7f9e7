/**
 * What complete() needs to know about an attempt this store handed out: who holds it and its
 * split's inputs. These facts never change once the attempt exists, so a complete of an attempt
 * claimed through this store skips the lookup read (complete_lookup_many.sql) and its round trip;
 * an attempt it has not seen (claimed through another store or process, or evicted) is looked up
 * as before. Held until the attempt's complete is answered, or evicted oldest first once the
 * entries hold more than `maxInputs` inputs together (task managers that vanish never complete).
 */
export interface AttemptFacts {
  readonly jobId: string;
  readonly taskManagerId: string;
  readonly firstIndex: number;
  readonly inputs: readonly string[];
}

export class ClaimedAttempts {
  /** Insertion order = claim order: the first key is the oldest. */
  private readonly facts = new Map<string, AttemptFacts>();
  private heldInputs = 0;

  constructor(private readonly maxInputs: number) {}

  get size(): number {
    return this.facts.size;
  }

  remember(attemptId: string, facts: AttemptFacts): void {
    this.forget(attemptId);
    this.facts.set(attemptId, facts);
    this.heldInputs += facts.inputs.length;
    for (const [oldest, held] of this.facts) {
      if (this.heldInputs <= this.maxInputs) break;
      this.facts.delete(oldest);
      this.heldInputs -= held.inputs.length;
    }
  }

  get(attemptId: string): AttemptFacts | undefined {
    return this.facts.get(attemptId);
  }

  forget(attemptId: string): void {
    const held = this.facts.get(attemptId);
    if (held === undefined) return;
    this.facts.delete(attemptId);
    this.heldInputs -= held.inputs.length;
  }
}
