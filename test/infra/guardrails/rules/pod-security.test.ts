import { beforeAll, describe, expect, it } from "vitest";
import { runAsNonRoot } from "../../../../infra/guardrails/rules/k8s-01-run-as-non-root.js";
import { noPrivilegeEscalation } from "../../../../infra/guardrails/rules/k8s-02-no-privilege-escalation.js";
import { noPrivilegedOrHostNamespaces } from "../../../../infra/guardrails/rules/k8s-03-no-privileged-or-host-namespaces.js";
import { dropAllCapabilities } from "../../../../infra/guardrails/rules/k8s-04-drop-all-capabilities.js";
import { seccompRuntimeDefault } from "../../../../infra/guardrails/rules/k8s-05-seccomp-runtime-default.js";
import { readOnlyRootFilesystem } from "../../../../infra/guardrails/rules/k8s-06-read-only-root-filesystem.js";
import { noHostVolumes } from "../../../../infra/guardrails/rules/k8s-07-no-host-volumes.js";
import { noHostPorts } from "../../../../infra/guardrails/rules/k8s-08-no-host-ports.js";
import { CONTAINER, guardrailsFixture, K8S, POD, type GuardrailsFixture } from "../../../support/guardrails.js";

const ORDERS = K8S.deployment("orders");

/** WHEN helper: the staging stack with escape hatches on the orders Deployment, checked. */
function ordersWith(overrides: Record<string, unknown>): GuardrailsFixture {
  const fixture = guardrailsFixture("staging");
  for (const [field, value] of Object.entries(overrides)) fixture.resource(ORDERS).addOverride(field, value);
  return fixture;
}

describe("pod security rules (K8S-01 to K8S-08)", () => {
  let generated: GuardrailsFixture;
  let deployment: string;
  beforeAll(() => {
    // GIVEN the generated staging stack of the example catalogue
    generated = guardrailsFixture("staging");
    deployment = generated.address(ORDERS);
  });

  it.each([
    runAsNonRoot,
    noPrivilegeEscalation,
    noPrivilegedOrHostNamespaces,
    dropAllCapabilities,
    seccompRuntimeDefault,
    readOnlyRootFilesystem,
    noHostVolumes,
    noHostPorts,
  ])("GIVEN the generated Deployment WHEN $id checks it THEN it is compliant", (rule) => {
    expect(generated.outcome(rule, ORDERS)).toEqual({ status: "compliant" });
  });

  it("GIVEN a container that turns run_as_non_root off and runs as uid 0 WHEN checked THEN K8S-01 reports both", () => {
    const fixture = ordersWith({
      [`${CONTAINER}.security_context.run_as_non_root`]: false,
      [`${CONTAINER}.security_context.run_as_user`]: "0",
    });
    expect(fixture.findingsOf("K8S-01")).toEqual([
      {
        rule: "K8S-01",
        level: "error",
        resource: deployment,
        message: 'container "orders": run_as_non_root is false, so the container may run as root',
      },
      { rule: "K8S-01", level: "error", resource: deployment, message: 'container "orders": run_as_user is 0 (root)' },
    ]);
  });

  it("GIVEN no run_as_user anywhere WHEN checked THEN K8S-01 asks for an explicit uid", () => {
    const fixture = ordersWith({ [`${POD}.security_context.run_as_user`]: undefined });
    expect(fixture.findingsOf("K8S-01")).toEqual([
      {
        rule: "K8S-01",
        level: "error",
        resource: deployment,
        message: 'container "orders": run_as_user is unset; the uid must be explicit',
      },
    ]);
  });

  it("GIVEN a uid Terraform computes WHEN checked THEN K8S-01 warns that it cannot check it", () => {
    const fixture = ordersWith({ [`${POD}.security_context.run_as_user`]: "${var.uid}" });
    expect(fixture.findingsOf("K8S-01")).toEqual([
      {
        rule: "K8S-01",
        level: "warning",
        resource: deployment,
        message:
          'container "orders": run_as_user is computed by Terraform ("${var.uid}") and cannot be checked at synth',
      },
    ]);
  });

  it("GIVEN allow_privilege_escalation removed WHEN checked THEN K8S-02 reports the provider's default", () => {
    const fixture = ordersWith({ [`${CONTAINER}.security_context.allow_privilege_escalation`]: undefined });
    expect(fixture.findingsOf("K8S-02")).toEqual([
      {
        rule: "K8S-02",
        level: "error",
        resource: deployment,
        message:
          'container "orders": allow_privilege_escalation is unset (the provider defaults it to true), so a process can gain privileges through setuid binaries',
      },
    ]);
  });

  it("GIVEN a privileged container sharing the node's process namespace WHEN checked THEN K8S-03 reports both", () => {
    const fixture = ordersWith({ [`${CONTAINER}.security_context.privileged`]: true, [`${POD}.host_pid`]: true });
    expect(fixture.findingsOf("K8S-03")).toEqual([
      {
        rule: "K8S-03",
        level: "error",
        resource: deployment,
        message: `container "orders": privileged is true, which gives it every capability and the node's devices`,
      },
      {
        rule: "K8S-03",
        level: "error",
        resource: deployment,
        message: "pod host_pid is true, so its containers share the node's processes",
      },
    ]);
  });

  it("GIVEN capabilities that keep the defaults and add SYS_ADMIN WHEN checked THEN K8S-04 reports both", () => {
    const fixture = ordersWith({
      [`${CONTAINER}.security_context.capabilities.drop.0`]: "NET_RAW",
      [`${CONTAINER}.security_context.capabilities.add`]: ["SYS_ADMIN", "NET_BIND_SERVICE"],
    });
    expect(fixture.findingsOf("K8S-04")).toEqual([
      {
        rule: "K8S-04",
        level: "error",
        resource: deployment,
        message:
          'container "orders": capabilities.drop is ["NET_RAW"], so it keeps the runtime\'s default capabilities (NET_RAW among them)',
      },
      {
        rule: "K8S-04",
        level: "error",
        resource: deployment,
        message: 'container "orders": capabilities.add has SYS_ADMIN; only NET_BIND_SERVICE may be added back',
      },
    ]);
  });

  it("GIVEN seccomp Unconfined on the container WHEN checked THEN K8S-05 reports it even though the pod sets RuntimeDefault", () => {
    const fixture = ordersWith({ [`${CONTAINER}.security_context.seccomp_profile.type`]: "Unconfined" });
    expect(fixture.findingsOf("K8S-05")).toEqual([
      {
        rule: "K8S-05",
        level: "error",
        resource: deployment,
        message: 'container "orders": seccomp_profile.type is "Unconfined", so its system calls are not filtered',
      },
    ]);
  });

  it("GIVEN no seccomp profile on the pod nor the container WHEN checked THEN K8S-05 reports it unset", () => {
    const fixture = ordersWith({
      [`${CONTAINER}.security_context.seccomp_profile`]: undefined,
      [`${POD}.security_context.seccomp_profile`]: undefined,
    });
    expect(fixture.findingsOf("K8S-05")).toEqual([
      {
        rule: "K8S-05",
        level: "error",
        resource: deployment,
        message: 'container "orders": seccomp_profile.type is unset, so its system calls are not filtered',
      },
    ]);
  });

  it("GIVEN a writable root file system WHEN checked THEN K8S-06 reports it", () => {
    const fixture = ordersWith({ [`${CONTAINER}.security_context.read_only_root_filesystem`]: false });
    expect(fixture.findingsOf("K8S-06")).toEqual([
      {
        rule: "K8S-06",
        level: "error",
        resource: deployment,
        message: 'container "orders": read_only_root_filesystem is false, so an intruder can change the image\'s files',
      },
    ]);
  });

  it("GIVEN the Docker socket and an NFS share mounted WHEN checked THEN K8S-07 reports each volume", () => {
    const fixture = ordersWith({
      [`${POD}.volume`]: [
        { name: "docker", host_path: { path: "/var/run/docker.sock" } },
        { name: "shared", nfs: { server: "10.0.0.5", path: "/exports" } },
      ],
    });
    expect(fixture.findingsOf("K8S-07")).toEqual([
      {
        rule: "K8S-07",
        level: "error",
        resource: deployment,
        message: 'volume "docker" mounts the Docker socket /var/run/docker.sock, which is root on the node',
      },
      {
        rule: "K8S-07",
        level: "error",
        resource: deployment,
        message: 'volume "shared" is a nfs volume, which the restricted Pod Security Standard refuses',
      },
    ]);
  });

  it("GIVEN a container port bound on the node WHEN checked THEN K8S-08 reports it", () => {
    const fixture = ordersWith({ [`${CONTAINER}.port.0.host_port`]: 80 });
    expect(fixture.findingsOf("K8S-08")).toEqual([
      {
        rule: "K8S-08",
        level: "error",
        resource: deployment,
        message: `container "orders": port 8081 is bound on the node's port 80`,
      },
    ]);
  });
});
