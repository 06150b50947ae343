/** The outcome of one check of the doctor. */
export interface CheckResult {
  readonly ok: boolean;
  /** What was found, or what is missing and how to fix it. */
  readonly line: string;
}
