import { Construct } from "constructs";
import { stringify } from "yaml";
import type { AddonName } from "./addon-names.js";
import { ADDON_CHARTS } from "./charts.js";
import { Release } from "./helm-resources.js";

/** Props of {@link AddonRelease}. */
export interface AddonReleaseProps {
  /** The namespace the chart is installed in; the release creates it when it does not exist. */
  readonly namespace: string;
  /** The chart's values, written to the release as one YAML document. */
  readonly values: Readonly<Record<string, unknown>>;
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

  constructor(scope: Construct, addon: AddonName, props: AddonReleaseProps) {
    super(scope, addon);
    const chart = ADDON_CHARTS[addon];
    this.release = new Release(this, "release", {
      name: addon,
      chart: chart.chart,
      repository: chart.repository,
      version: chart.version,
      namespace: props.namespace,
      createNamespace: true,
      atomic: true,
      wait: true,
      values: [stringify(props.values, { aliasDuplicateObjects: false })],
    });
  }
}
