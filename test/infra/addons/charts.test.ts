import { describe, expect, it } from "vitest";
import { MESH_ADDON_NAMES } from "../../../infra/addons/addon-names.js";
import { ISTIO_VERSION, LINKERD_EDGE_VERSION, MESH_CHARTS } from "../../../infra/addons/charts.js";

describe("the mesh charts", () => {
  it("GIVEN each mesh WHEN its charts are read THEN its CRDs chart, its CNI plugin, then its control plane, one pinned version for all, from the mesh's own repository", () => {
    expect(Object.keys(MESH_CHARTS).sort()).toEqual([...MESH_ADDON_NAMES].sort());
    expect(MESH_CHARTS.istio.map((c) => [c.release, c.chart, c.version])).toEqual([
      ["istio-base", "base", ISTIO_VERSION],
      ["istio-cni", "cni", ISTIO_VERSION],
      ["istiod", "istiod", ISTIO_VERSION],
    ]);
    expect(MESH_CHARTS.linkerd.map((c) => [c.release, c.chart, c.version])).toEqual([
      ["linkerd-crds", "linkerd-crds", LINKERD_EDGE_VERSION],
      ["linkerd2-cni", "linkerd2-cni", LINKERD_EDGE_VERSION],
      ["linkerd-control-plane", "linkerd-control-plane", LINKERD_EDGE_VERSION],
    ]);
    expect(new Set(MESH_CHARTS.istio.map((c) => c.repository))).toEqual(
      new Set(["https://istio-release.storage.googleapis.com/charts"]),
    );
    expect(new Set(MESH_CHARTS.linkerd.map((c) => c.repository))).toEqual(new Set(["https://helm.linkerd.io/edge"]));
  });

  it("GIVEN the pinned versions WHEN read THEN an Istio 1.2x release and the chart version of a Linkerd edge release (edge-YY.M.N is chart 20YY.M.N)", () => {
    expect(ISTIO_VERSION).toMatch(/^1\.2\d\.\d+$/);
    expect(LINKERD_EDGE_VERSION).toMatch(/^20\d\d\.(1[0-2]|[1-9])\.\d+$/);
  });
});
