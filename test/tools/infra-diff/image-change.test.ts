import { describe, expect, it } from "vitest";
import {
  deploymentImageChange,
  imageVersionChange,
  parseImageReference,
} from "../../../tools/infra-diff/image-change.js";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const OTHER = `sha256:${"fedcba9876543210".repeat(4)}`;
const ORDERS = "registry.example.com:5000/platform/orders";

describe("image changes as a reviewer reads them", () => {
  it("GIVEN references with a registry port, a tag and a digest WHEN parsed THEN each part is found", () => {
    expect(parseImageReference(`${ORDERS}:1.1.0@${DIGEST}`)).toEqual({
      repository: ORDERS,
      tag: "1.1.0",
      digest: DIGEST,
    });
    expect(parseImageReference(ORDERS)).toEqual({ repository: ORDERS, tag: undefined, digest: undefined });
  });

  it("GIVEN a tag that gets a digest, and a version bumped with its digest WHEN described THEN each side is its version and short digest", () => {
    expect(imageVersionChange(`${ORDERS}:1.0.0`, `${ORDERS}:1.0.0@${DIGEST}`)).toEqual({
      repository: ORDERS,
      before: "1.0.0 (no digest)",
      after: "1.0.0 (sha256:0123456789ab)",
    });
    expect(imageVersionChange(`${ORDERS}:1.0.0@${DIGEST}`, `${ORDERS}:1.1.0@${OTHER}`)).toEqual({
      repository: ORDERS,
      before: "1.0.0 (sha256:0123456789ab)",
      after: "1.1.0 (sha256:fedcba987654)",
    });
    expect(imageVersionChange(`${ORDERS}:1.0.0`, `${ORDERS}:1.1.0`)).toEqual({
      repository: ORDERS,
      before: "1.0.0",
      after: "1.1.0",
    });
  });

  it("GIVEN another repository, another attribute or a change without any digest WHEN asked for a Deployment's image change THEN there is none", () => {
    const attribute = (path: string, before: string, after: string) => ({ path, before, after });
    const image = "spec.template.spec.container.image";
    expect(
      deploymentImageChange(
        "kubernetes_deployment_v1",
        attribute(image, `${ORDERS}:1.0.0`, `${ORDERS}:1.0.0@${DIGEST}`),
      )?.after,
    ).toBe("1.0.0 (sha256:0123456789ab)");
    expect(
      deploymentImageChange(
        "kubernetes_deployment_v1",
        attribute("spec.template.spec.container[orders].image", `${ORDERS}:1.0.0`, `${ORDERS}:1.0.0@${DIGEST}`),
      )?.before,
    ).toBe("1.0.0 (no digest)");
    expect(
      deploymentImageChange("kubernetes_deployment_v1", attribute(image, `ghcr.io/a/b:1@${DIGEST}`, `${ORDERS}:1`)),
    ).toBeUndefined();
    expect(
      deploymentImageChange("kubernetes_deployment_v1", attribute(image, `${ORDERS}:1.0.0`, `${ORDERS}:1.1.0`)),
    ).toBeUndefined();
    expect(
      deploymentImageChange(
        "kubernetes_stateful_set_v1",
        attribute(image, `${ORDERS}:1.0.0`, `${ORDERS}:1.0.0@${DIGEST}`),
      ),
    ).toBeUndefined();
    expect(
      deploymentImageChange(
        "kubernetes_deployment_v1",
        attribute("metadata.name", `${ORDERS}:1`, `${ORDERS}:1@${DIGEST}`),
      ),
    ).toBeUndefined();
  });
});
