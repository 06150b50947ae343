import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { stringify } from "yaml";
import type { ChartAddonName } from "./addon-names.js";
import { ADDON_CHARTS, type PinnedChart } from "./charts.js";
import { Release } from "./helm-resources.js";

/** Props of {@link AddonRelease}. */
export interface AddonReleaseProps {
  /** The namespace the chart is installed in; the release creates it when it does not exist. */
  readonly namespace: string;
  /** The chart's values, written to the release as one YAML document. */
  readonly values: Readonly<Record<string, unknown>>;
  /**
   * What must be installed first: the mesh's control plane, for an add-on whose pods join
   * the mesh (its injector adds their proxy when they start).
   * @default none - Terraform installs it in any order
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * One add-on as a `helm_release` of its pinned chart (see charts.ts): the release is named
 * after the add-on, waits until the chart's workloads are ready and rolls back an install
 * or upgrade that fails (`atomic`), so that the service stack, applied after it, meets a
 * working operator. Its values are one YAML document, so that a changed value is one line
 * of `infra:diff`.
 */
export class AddonRelease extends Construct {
  readonly release: Release;

  constructor(scope: Construct, addon: ChartAddonName, props: AddonReleaseProps) {
    super(scope, addon);
    this.release = pinnedRelease(this, "release", addon, ADDON_CHARTS[addon], props);
  }
}

/**
 * The `helm_release` `name` of `chart`, as every add-on's release is made: it creates its
 * namespace, waits for its workloads and rolls back a failed install or upgrade.
 */
export function pinnedRelease(
  scope: Construct,
  id: string,
  name: string,
  chart: PinnedChart,
  props: AddonReleaseProps,
): Release {
  return new Release(scope, id, {
    name,
    chart: chart.chart,
    repository: chart.repository,
    version: chart.version,
    namespace: props.namespace,
    createNamespace: true,
    atomic: true,
    wait: true,
    values: [stringify(props.values, { aliasDuplicateObjects: false })],
    ...(props.dependsOn ? { dependsOn: [...props.dependsOn] } : {}),
  });
}
