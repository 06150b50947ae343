import { podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { block, blocks, isUnresolved, show } from "../values.js";

/** Volume sources the restricted Pod Security Standard allows. */
const ALLOWED_VOLUME_SOURCES = new Set([
  "config_map",
  "csi",
  "downward_api",
  "empty_dir",
  "ephemeral",
  "persistent_volume_claim",
  "projected",
  "secret",
]);

/**
 * K8S-07 (error): pods mount only emptyDir, configMap, secret, projected, downwardAPI,
 * CSI, ephemeral and PVC volumes; never a path of the node (`host_path`, the Docker
 * socket above all) nor a node-level network file system.
 * Anchor: PSS restricted, kube-linter host-mounts/docker-sock, checkov CKV_K8S_27.
 */
export const noHostVolumes: ResourceRule = {
  id: "K8S-07",
  level: "error",
  scope: "resource",
  checks:
    "volumes are emptyDir, configMap, secret, projected, downwardAPI, CSI, ephemeral or PVC: no host_path, no docker.sock",
  anchor: "PSS-R; kube-linter docker-sock, sensitive-host-mounts; checkov CKV_K8S_27",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    blocks(pod.spec?.volume).forEach((volume, index) => {
      const name = typeof volume.name === "string" ? volume.name : `#${index}`;
      for (const [source, value] of Object.entries(volume)) {
        if (source === "name" || value === undefined || value === null || ALLOWED_VOLUME_SOURCES.has(source)) continue;
        if (source === "host_path") {
          const path = block(value)?.path;
          if (isUnresolved(path))
            problems.unresolved(
              `volume "${name}": host_path.path`,
              path,
              "use an emptyDir, configMap, secret or PVC volume instead of host_path",
            );
          else if (typeof path === "string" && path.endsWith("docker.sock"))
            problems.add(
              `volume "${name}" mounts the Docker socket ${path}, which is root on the node`,
              `remove volume "${name}"`,
            );
          else
            problems.add(
              `volume "${name}" mounts the node's path ${show(path)}`,
              `replace host_path with an emptyDir, configMap, secret or PVC volume`,
            );
        } else {
          problems.add(
            `volume "${name}" is a ${source} volume, which the restricted Pod Security Standard refuses`,
            "use an emptyDir, configMap, secret, projected, CSI or PVC volume",
          );
        }
      }
    });
    return problems.outcome();
  },
};
