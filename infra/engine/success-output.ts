/**
 * Where the synth prints what went well (the guardrails' summary without errors, the
 * "synthesized ..." line) and the warnings it also added as cdktf annotations.
 *
 * `npm run synth` prints them all on stderr, as the tests and the README read them. The
 * cdktf CLI (`cdktf synth|deploy|destroy`) logs every line its app prints on stderr at
 * error level (`[ERROR] default - synthesized local ...`), prints what the app prints on
 * stdout as it is, and prints the stacks' warning annotations itself (`WARN [path]: ...`).
 * Run by the CLI, the synth prints its successes and its other warnings (each starts
 * with `warning:`) on stdout and leaves the annotated warnings to the CLI, so that no
 * success and no warning is shown as an error.
 */
export interface SynthOutput {
  /** Prints a line that says something went well. */
  readonly success: (text: string) => void;
  /** Prints a warning that is also a warning annotation of a stack. */
  readonly annotatedWarning: (text: string) => void;
  /** Prints a warning that is no annotation (a folder left out, a `dependsOn` cycle). */
  readonly warning: (text: string) => void;
}

/** The synth's output channels for this run (see `SynthOutput`). */
export function synthOutput(variables: NodeJS.ProcessEnv = process.env): SynthOutput {
  const toStderr = (text: string) => console.error(text);
  return runByCdktfCli(variables)
    ? { success: (text) => console.log(text), annotatedWarning: () => {}, warning: (text) => console.log(text) }
    : { success: toStderr, annotatedWarning: toStderr, warning: toStderr };
}

/**
 * Whether the cdktf CLI runs this app: it always sets SYNTH_HCL_OUTPUT ("true" or "false")
 * and CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS for its app command (cli-core's
 * `SynthStack.synth`). Read before the synth sets the second one itself.
 */
export function runByCdktfCli(variables: NodeJS.ProcessEnv): boolean {
  return variables.SYNTH_HCL_OUTPUT !== undefined && variables.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined;
}
