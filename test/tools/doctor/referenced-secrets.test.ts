import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AddonSecret, ReferencedSecret } from "../../../infra/targets/kubernetes/referenced-secrets.js";
import type { ClusterConnection } from "../../../tools/doctor/kubeconfig.js";
import { checkReferencedSecrets } from "../../../tools/doctor/referenced-secrets.js";
import {
  connectWithToken,
  type KubernetesApiServerStandIn,
  startKubernetesApiServer,
} from "../../support/kubernetes-api-server.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();
let apiServer: KubernetesApiServerStandIn;
let deployer: ClusterConnection;

const PAYMENTS_API: ReferencedSecret = { name: "payments-api", keys: ["token"], readBy: ["orders"] };
const BILLING_DB: ReferencedSecret = {
  name: "billing-db",
  keys: ["dbname", "host", "password", "port", "uri", "user"],
  readBy: ["billing"],
};

beforeAll(async () => {
  const sandbox = folder("doctor-secrets-");
  // GIVEN a namespace holding payments-api (with its key) and billing-db without its password
  apiServer = await startKubernetesApiServer(sandbox, {
    token: "deployer-token",
    namespaces: ["platform-staging"],
    secrets: {
      "platform-staging/payments-api": { token: "s3cr3t" },
      "platform-staging/billing-db": {
        dbname: "billing",
        host: "db",
        port: "5432",
        uri: "postgres://",
        user: "billing",
      },
      "linkerd/linkerd-identity-issuer": { "tls.crt": "-----BEGIN CERTIFICATE-----", "tls.key": "-----BEGIN EC" },
    },
  });
  deployer = await connectWithToken(apiServer, sandbox, "deployer-token");
});
afterAll(() => apiServer.close());

describe("checkReferencedSecrets", () => {
  it("GIVEN each Secret is there with the keys the specs read WHEN checked THEN the line passes", async () => {
    const result = await checkReferencedSecrets(deployer, "platform-staging", true, [PAYMENTS_API]);
    expect(result).toEqual({
      ok: true,
      line: "secrets: payments-api in platform-staging, with the keys the specs read",
    });
    expect(apiServer.requests.at(-1)).toBe("/api/v1/namespaces/platform-staging/secrets/payments-api");
  });

  it("GIVEN a Secret that is missing and one that lacks a key WHEN checked THEN each is named with who reads it and the kubectl fix", async () => {
    const missing: ReferencedSecret = { name: "mail-relay", keys: ["password", "user"], readBy: ["notify", "orders"] };
    const result = await checkReferencedSecrets(deployer, "platform-staging", true, [
      BILLING_DB,
      missing,
      PAYMENTS_API,
    ]);
    expect(result).toEqual({
      ok: false,
      line: `secrets: billing-db in platform-staging lacks the key password (read by billing); mail-relay (read by notify, orders) is not in platform-staging; the pods that read them would never start: kubectl patch secret billing-db -n platform-staging --type merge -p '{"stringData":{"password":"..."}}'; kubectl create secret generic mail-relay -n platform-staging --from-literal=password=... --from-literal=user=...`,
    });
  });

  it("GIVEN the namespace is not made yet WHEN checked THEN it passes without asking, saying what to create after the deploy made it", async () => {
    const asked = apiServer.requests.length;
    const result = await checkReferencedSecrets(deployer, "platform-production", false, [PAYMENTS_API]);
    expect(result).toEqual({
      ok: true,
      line: "secrets: namespace platform-production is not there yet, so neither are payments-api: the services that read them start once they exist; right after the deploy creates the namespace: kubectl create secret generic payments-api -n platform-production --from-literal=token=...",
    });
    expect(apiServer.requests.length).toBe(asked);
  });

  it("GIVEN Linkerd's identity issuer Secret without its ca.crt, or absent from another cluster's linkerd namespace WHEN checked in linkerd THEN the line names it and the kubectl fix of a kubernetes.io/tls Secret made from files", async () => {
    const issuer: AddonSecret = {
      name: "linkerd-identity-issuer",
      namespace: "linkerd",
      type: "kubernetes.io/tls",
      keys: ["ca.crt", "tls.crt", "tls.key"],
      readBy: ["Linkerd's identity service (linkerd-control-plane)"],
    };
    expect(await checkReferencedSecrets(deployer, "linkerd", true, [issuer])).toEqual({
      ok: false,
      line: `secrets: linkerd-identity-issuer in linkerd lacks the key ca.crt (read by Linkerd's identity service (linkerd-control-plane)); the pods that read them would never start: kubectl patch secret linkerd-identity-issuer -n linkerd --type merge -p '{"stringData":{"ca.crt":"..."}}'`,
    });
    expect(apiServer.requests.at(-1)).toBe("/api/v1/namespaces/linkerd/secrets/linkerd-identity-issuer");
    const moved: AddonSecret = { ...issuer, namespace: "linkerd-prod" };
    const elsewhere = await checkReferencedSecrets(deployer, moved.namespace, true, [moved], true);
    expect(elsewhere.ok).toBe(false);
    // The add-on's namespace may not be there before its first deploy: the fix makes it first, idempotently.
    expect(elsewhere.line).toContain(
      "kubectl create namespace linkerd-prod --dry-run=client -o yaml | kubectl apply -f - && kubectl create secret generic linkerd-identity-issuer -n linkerd-prod --type=kubernetes.io/tls --from-file=ca.crt=... --from-file=tls.crt=... --from-file=tls.key=...",
    );
  });
});
