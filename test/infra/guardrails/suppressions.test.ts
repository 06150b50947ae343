import { describe, expect, it } from "vitest";
import { thrownBy } from "../../support/thrown.js";
import { service } from "../../support/platform.js";
import { synthWithGuardrails } from "../../support/guardrails.js";

/** A service that runs one replica in production: a real K8S-15 finding, from the spec alone. */
const singleReplica = (name: string, guardrails?: { suppress: Array<{ rule: string; reason: string }> }) =>
  service({ name, build: {}, port: 8080, scaling: { min: 1, max: 1 }, guardrails });

const REASON = "a singleton job runner: a second replica would run every job twice";

describe("suppressions", () => {
  it("GIVEN a suppression with a reason for a real finding WHEN synthesized THEN the finding is marked suppressed with the reason and nothing fails", () => {
    const { run, annotations } = synthWithGuardrails([
      singleReplica("jobs", { suppress: [{ rule: "K8S-15", reason: REASON }] }),
    ]);
    expect(
      run.findings.map(({ rule, environment, service: owner, suppressed, reason }) => ({
        rule,
        environment,
        service: owner,
        suppressed,
        reason,
      })),
    ).toEqual([{ rule: "K8S-15", environment: "production", service: "jobs", suppressed: true, reason: REASON }]);
    expect(annotations.production).toEqual([]);
  });

  it("GIVEN a suppression in one service WHEN another service has the same finding THEN the other's finding still fails", () => {
    const { run, annotations } = synthWithGuardrails([
      singleReplica("jobs", { suppress: [{ rule: "K8S-15", reason: REASON }] }),
      singleReplica("mailer"),
    ]);
    expect(
      run.findings.filter((f) => !f.suppressed).map((f) => `${f.rule} ${f.level} ${f.environment} ${f.service}`),
    ).toEqual(["K8S-15 error production mailer"]);
    expect(annotations.production).toEqual([
      {
        constructPath: "production/kubernetes/mailer/workload/deployment",
        level: "@cdktf/error",
        message: expect.stringMatching(
          /^K8S-15 error production mailer kubernetes_deployment_v1\.kubernetes_mailer_workload_deployment_[0-9A-F]{8}: runs 1 replica in production \(spec\.replicas\), so a rollout or a node drain is an outage; fix: set scaling\.min to 2 or more for production$/,
        ),
        stacktrace: undefined,
      },
    ]);
  });

  it("GIVEN a suppression without a reason, or with a short one WHEN the spec is defined THEN it is a spec error", () => {
    expect(
      thrownBy(() =>
        service({ name: "jobs", build: {}, port: 8080, guardrails: { suppress: [{ rule: "K8S-15" } as never] } }),
      ),
    ).toMatchObject({ code: "SPEC_INVALID", problems: [{ field: "guardrails.suppress[0].reason", value: "nothing" }] });
    expect(() =>
      service({ name: "jobs", build: {}, port: 8080, guardrails: { suppress: [{ rule: "K8S-15" } as never] } }),
    ).toThrow(
      "service spec: guardrails.suppress[0].reason: must explain the exception in at least 10 characters (got nothing)",
    );
    expect(() =>
      service({
        name: "jobs",
        build: {},
        port: 8080,
        guardrails: { suppress: [{ rule: "K8S-15", reason: "legacy" }] },
      }),
    ).toThrow(
      'service spec: guardrails.suppress[0].reason: must explain the exception in at least 10 characters (got "legacy")',
    );
  });

  it("GIVEN a suppression of a rule that does not exist WHEN synthesized THEN it is an error finding", () => {
    const { run, annotations } = synthWithGuardrails([
      service({
        name: "api",
        build: {},
        port: 8080,
        guardrails: { suppress: [{ rule: "K8S-99", reason: "copied from another project" }] },
      }),
    ]);
    expect(run.suppressionFindings).toEqual([
      {
        rule: "suppression",
        level: "error",
        environment: "all",
        service: "api",
        resource: "guardrails.suppress[0]",
        path: "",
        message: "suppresses K8S-99, which is not a guardrail rule",
        fix: expect.stringMatching(
          /^name a rule of the pack \(README, Guardrails\): K8S-01, K8S-02, .*, TF-01, DATA-01, .*, DATA-05, NET-01, MESH-01, MESH-02$/,
        ),
        suppressed: false,
      },
    ]);
    expect(
      Object.values(annotations)
        .flat()
        .map((a) => [a.constructPath, a.level]),
    ).toEqual([["production", "@cdktf/error"]]);
  });

  it("GIVEN a suppression that matches no finding in any environment WHEN synthesized THEN it is an error finding", () => {
    const { run } = synthWithGuardrails([
      service({
        name: "api",
        build: {},
        port: 8080,
        guardrails: { suppress: [{ rule: "K8S-03", reason: "needed privileged mode once" }] },
      }),
    ]);
    expect(
      run.suppressionFindings.map(
        (f) => `${f.rule} ${f.environment} ${f.service} ${f.resource}: ${f.message}; fix: ${f.fix}`,
      ),
    ).toEqual([
      "suppression all api guardrails.suppress[0]: suppresses K8S-03, which finds nothing in api in any environment (local, staging, production); fix: remove the suppression: the service now complies",
    ]);
  });

  it("GIVEN a suppression used in production only WHEN synthesized THEN it counts as matched", () => {
    const { run } = synthWithGuardrails([
      service({
        name: "jobs",
        build: {},
        port: 8080,
        environments: { production: { scaling: { min: 1, max: 1 } } },
        guardrails: { suppress: [{ rule: "K8S-15", reason: REASON }] },
      }),
    ]);
    expect(run.suppressionFindings).toEqual([]);
    expect(run.findings.filter((f) => f.suppressed).map((f) => f.environment)).toEqual(["production"]);
  });
});
