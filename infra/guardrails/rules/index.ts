/** The rule pack: one rule per file, listed here in catalogue order. */
import { PLATFORM_PACK_ID, type GuardrailPack } from "../pack.js";
import { deepFreeze, type GuardrailRule } from "../rule.js";
import { runAsNonRoot } from "./k8s-01-run-as-non-root.js";
import { noPrivilegeEscalation } from "./k8s-02-no-privilege-escalation.js";
import { noPrivilegedOrHostNamespaces } from "./k8s-03-no-privileged-or-host-namespaces.js";
import { dropAllCapabilities } from "./k8s-04-drop-all-capabilities.js";
import { seccompRuntimeDefault } from "./k8s-05-seccomp-runtime-default.js";
import { readOnlyRootFilesystem } from "./k8s-06-read-only-root-filesystem.js";
import { noHostVolumes } from "./k8s-07-no-host-volumes.js";
import { noHostPorts } from "./k8s-08-no-host-ports.js";
import { resourceRequestsAndLimits } from "./k8s-09-resource-requests-and-limits.js";
import { probesOnDeclaredPorts } from "./k8s-10-probes-on-declared-ports.js";
import { pinnedImage } from "./k8s-11-pinned-image.js";
import { noServiceAccountToken } from "./k8s-12-no-service-account-token.js";
import { environmentNamespace } from "./k8s-13-environment-namespace.js";
import { noLiteralSecrets } from "./k8s-14-no-literal-secrets.js";
import { productionReplicas } from "./k8s-15-production-replicas.js";
import { spreadReplicas } from "./k8s-16-spread-replicas.js";
import { rollingUpdateAndSelector } from "./k8s-17-rolling-update-and-selector.js";
import { disruptionBudget } from "./k8s-18-disruption-budget.js";
import { nonBlockingDisruptionBudget } from "./k8s-19-non-blocking-disruption-budget.js";
import { autoscalerBoundsAndTarget } from "./k8s-20-autoscaler-bounds-and-target.js";
import { networkIsolation } from "./k8s-21-network-isolation.js";
import { noOpenCidr } from "./k8s-22-no-open-cidr.js";
import { clusterIpServices } from "./k8s-23-cluster-ip-services.js";
import { dockerNoPrivilegedOrHostNamespaces } from "./dkr-01-no-privileged-or-host-namespaces.js";
import { dockerReadOnlyRootFilesystem } from "./dkr-02-read-only-root-filesystem.js";
import { dockerNoNewPrivilegesAndSeccomp } from "./dkr-03-no-new-privileges-and-seccomp.js";
import { dockerDropAllCapabilities } from "./dkr-04-drop-all-capabilities.js";
import { dockerMemoryAndCpuLimits } from "./dkr-05-memory-and-cpu-limits.js";
import { dockerRestartOnFailure } from "./dkr-06-restart-on-failure.js";
import { dockerHealthcheck } from "./dkr-07-healthcheck.js";
import { dockerNonRootUser } from "./dkr-08-non-root-user.js";
import { dockerNoHostPathsOrDevices } from "./dkr-09-no-host-paths-or-devices.js";
import { dockerLocalPortsAndUserNetworks } from "./dkr-10-local-ports-and-user-networks.js";
import { dockerPinnedImageById } from "./dkr-11-pinned-image-by-id.js";
import { lockingStateBackend } from "./tf-01-locking-state-backend.js";
import { persistentStorage } from "./data-01-persistent-storage.js";
import { productionPostgres } from "./data-02-production-postgres.js";
import { preventDestroy } from "./data-03-prevent-destroy.js";
import { privateBackingServices } from "./data-04-private-backing-services.js";
import { credentialsByReference } from "./data-05-credentials-by-reference.js";
import { ingressTlsFromCertManager } from "./net-01-ingress-tls-from-cert-manager.js";
import { strictMutualTls } from "./mesh-01-strict-mutual-tls.js";
import { authorizedCallers } from "./mesh-02-authorized-callers.js";

/**
 * Every guardrail rule, in catalogue order (K8S, DKR, TF, DATA, NET, MESH); the README's table lists them.
 * Frozen, rules and all: nothing that runs in the synth (a service file included) can
 * take a rule out, add one, or change what a rule is.
 */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = deepFreeze([
  runAsNonRoot,
  noPrivilegeEscalation,
  noPrivilegedOrHostNamespaces,
  dropAllCapabilities,
  seccompRuntimeDefault,
  readOnlyRootFilesystem,
  noHostVolumes,
  noHostPorts,
  resourceRequestsAndLimits,
  probesOnDeclaredPorts,
  pinnedImage,
  noServiceAccountToken,
  environmentNamespace,
  noLiteralSecrets,
  productionReplicas,
  spreadReplicas,
  rollingUpdateAndSelector,
  disruptionBudget,
  nonBlockingDisruptionBudget,
  autoscalerBoundsAndTarget,
  networkIsolation,
  noOpenCidr,
  clusterIpServices,
  dockerNoPrivilegedOrHostNamespaces,
  dockerReadOnlyRootFilesystem,
  dockerNoNewPrivilegesAndSeccomp,
  dockerDropAllCapabilities,
  dockerMemoryAndCpuLimits,
  dockerRestartOnFailure,
  dockerHealthcheck,
  dockerNonRootUser,
  dockerNoHostPathsOrDevices,
  dockerLocalPortsAndUserNetworks,
  dockerPinnedImageById,
  lockingStateBackend,
  persistentStorage,
  productionPostgres,
  preventDestroy,
  privateBackingServices,
  credentialsByReference,
  ingressTlsFromCertManager,
  strictMutualTls,
  authorizedCallers,
]);

/** The platform's rules as a pack: the first of every run, before the team's packs. */
export const PLATFORM_PACK: GuardrailPack = Object.freeze({
  id: PLATFORM_PACK_ID,
  description:
    "The platform's security and reliability rules (Pod Security Standards, CIS Docker, network isolation, state locking, data, service mesh)",
  rules: GUARDRAIL_RULES,
});
