import path from "node:path";
import { App } from "./engine/cdk.js";
import { AddonsStack } from "./addons-stack.js";
import type { Environment } from "./environments.js";
import type { ImagesLock } from "./images-lock.js";
import type { Adjustment } from "./adjustments.js";
import { GuardrailsRun, type GuardrailRule } from "./guardrails/index.js";
import { renderMonitoring, type RenderedMonitoring } from "./monitoring/monitoring-files.js";
import { replaceFolder } from "./engine/output-files.js";
import { PlatformStack, type PlatformStackProps } from "./platform-stack.js";
import {
  SpecError,
  defaultEnvironmentTraits,
  hostClashesAcrossEnvironments,
  resolveCatalogue,
  type Catalogue,
  type DiscoveredService,
} from "./spec/model.js";

/** Props of {@link buildPlatformApp}. */
export interface PlatformAppProps {
  readonly services: readonly DiscoveredService[];
  readonly environments: readonly Environment[];
  /**
   * The names a spec's `environments.<env>` overrides may use: every environment of the
   * platform, also when `environments` holds only some of them.
   * @default the names of `environments`
   */
  readonly knownEnvironments?: readonly string[];
  /**
   * The rules the guardrails run: the platform's pack and the team's packs (see
   * `discoverGuardrailRules`).
   * @default GUARDRAIL_RULES - the platform's pack alone
   */
  readonly guardrailRules?: readonly GuardrailRule[];
  /**
   * The platform team's adjustments, applied to each environment's stack before the
   * guardrails check it.
   * @default - none
   */
  readonly adjustments?: readonly Adjustment[];
  /**
   * The digests of the pushed images (`images.lock.json`), which the Kubernetes
   * Deployments reference.
   * @default EMPTY_IMAGES_LOCK - every image by its tag, and synth warns of each
   */
  readonly imageLock?: ImagesLock;
  /** Where `synth()` writes. @default "cdktf.out" (or CDKTF_OUTDIR, as the cdktf CLI sets it) */
  readonly outdir?: string;
  /**
   * Synthesizes one environment at a time: each stack builds its constructs and renders
   * its monitoring only when `app.synth()` reaches it, its monitoring files are written
   * to `<monitoringOutdir>/<env>/` right then (replacing that folder), and it lets go of
   * both once its `cdk.tf.json` is written. A synth then holds one environment's
   * constructs and files at a time, not all of them. `stacks` have no target before
   * synth, and `monitoring` stays empty.
   * @default undefined - every stack is built here and kept, and `monitoring` holds each environment's files for the
   * caller to write
   */
  readonly monitoringOutdir?: string;
}

/** The app and what it was built from. */
export interface PlatformApp {
  readonly app: App;
  readonly stacks: readonly PlatformStack[];
  /** The add-ons stack of each Kubernetes environment; its service stack depends on it. */
  readonly addonsStacks: readonly AddonsStack[];
  /** The catalogue of each environment, by environment name. */
  readonly catalogues: ReadonlyMap<string, Catalogue>;
  /** The monitoring of each environment, rendered once: its files go to `cdktf.out/monitoring/<env>/`. */
  readonly monitoring: ReadonlyMap<string, RenderedMonitoring>;
  /** The guardrails: every stack's findings once `app.synth()` ran. */
  readonly guardrails: GuardrailsRun;
}

/**
 * Builds one stack per environment from the discovered services, and before each
 * Kubernetes environment's stack its add-ons stack, on which it depends (`cdktf deploy`
 * applies the add-ons first). Every spec problem of
 * every environment is collected first and thrown as one `SpecError`, so a user sees
 * them all at once; nothing is synthesized from a catalogue with problems. Public hosts
 * are checked across every known environment (two may not serve one host), also those
 * this synth does not build.
 */
export function buildPlatformApp(props: PlatformAppProps): PlatformApp {
  const names = props.knownEnvironments ?? props.environments.map((e) => e.name);
  const catalogues = new Map<string, Catalogue>();
  const problems: SpecError[] = [];
  for (const environment of props.environments) {
    try {
      catalogues.set(
        environment.name,
        resolveCatalogue(props.services, environment.name, names, {
          production: environment.production,
          target: environment.target,
        }),
      );
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      problems.push(error);
    }
  }
  // Every known environment's hosts, also when this synth builds only some of them.
  const hostProblems = hostClashesAcrossEnvironments(
    props.services,
    names.map((name) => props.environments.find((e) => e.name === name) ?? { name, ...defaultEnvironmentTraits(name) }),
  );
  if (hostProblems.length > 0) problems.push(new SpecError(hostProblems));
  if (problems.length > 0) {
    const unique = new Map(
      problems.flatMap((e) => e.problems).map((p) => [`${p.file}|${p.field}|${p.message}|${p.value}`, p]),
    );
    throw new SpecError([...unique.values()]);
  }

  const app = new App({ outdir: props.outdir, stackTraces: false });
  const guardrails = new GuardrailsRun(props.guardrailRules);
  const { monitoringOutdir } = props;
  const addonsStacks: AddonsStack[] = [];
  // Made just before the environment's service stack, so that the stacks synthesize
  // (and are checked, and listed) in deploy order.
  const withAddons = (environment: Environment, stack: () => PlatformStack): PlatformStack => {
    if (environment.target !== "kubernetes") return stack();
    const addons = new AddonsStack(app, {
      environment,
      guardrails,
      catalogue: catalogues.get(environment.name)!,
    });
    addonsStacks.push(addons);
    const platform = stack();
    platform.addDependency(addons);
    return platform;
  };
  // The environment's service stack, after its add-ons stack; `own` is how it gets its monitoring.
  const platformStack = (environment: Environment, own: Pick<PlatformStackProps, "monitoring" | "buildAtSynth">) =>
    withAddons(
      environment,
      () =>
        new PlatformStack(app, {
          environment,
          adjustments: props.adjustments,
          catalogue: catalogues.get(environment.name)!,
          imageLock: props.imageLock,
          guardrails,
          ...own,
        }),
    );
  if (monitoringOutdir !== undefined) {
    const stacks = props.environments.map((environment) =>
      platformStack(environment, {
        buildAtSynth: (rendered) => replaceFolder(path.join(monitoringOutdir, environment.name), rendered.files),
      }),
    );
    return { app, stacks, addonsStacks, catalogues, monitoring: new Map(), guardrails };
  }
  const monitoring = new Map(
    props.environments.map((environment) => [
      environment.name,
      renderMonitoring(environment, catalogues.get(environment.name)!),
    ]),
  );
  const stacks = props.environments.map((environment) =>
    platformStack(environment, { monitoring: monitoring.get(environment.name)! }),
  );
  return { app, stacks, addonsStacks, catalogues, monitoring, guardrails };
}
