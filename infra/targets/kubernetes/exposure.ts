import { Construct } from "constructs";
import { ownershipLabels, selectorLabels } from "../hardening.js";
import { meshIngressAnnotations } from "./mesh/mesh-injection.js";
import { IngressV1, ServiceV1 } from "./resources.js";
import type { KubernetesServicePartProps } from "./workload.js";

/** The annotation by which cert-manager's ingress-shim issues an Ingress's certificate from a ClusterIssuer. */
export const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";

/** Props of {@link Exposure}. */
export type ExposureProps = Omit<KubernetesServicePartProps, "variables">;

/**
 * How the service is reached: a ClusterIP Service named after it (its DNS name for
 * the services that call it), and an Ingress on its host and path only when the spec
 * says `expose: { public: ... }`. The Ingress asks cert-manager for its certificate
 * (`cert-manager.io/cluster-issuer`, the environment's ClusterIssuer), and cert-manager
 * creates the TLS Secret `<service>-tls` its `tls` block names (guardrail NET-01). In a
 * mesh, the Ingress also tells ingress-nginx to call the Service through the mesh
 * (`meshIngressAnnotations`).
 */
export class Exposure extends Construct {
  readonly service: ServiceV1;
  readonly ingress?: IngressV1;

  constructor(scope: Construct, id: string, props: ExposureProps) {
    super(scope, id);
    const { spec, environment } = props;
    const metadata = {
      name: spec.name,
      namespace: environment.namespace,
      labels: ownershipLabels(spec.name, environment.name),
    };
    const ports = [{ name: "http", port: spec.port, targetPort: "http", protocol: "TCP" }];
    if (spec.monitoring.metricsPort !== spec.port)
      ports.push({ name: "metrics", port: spec.monitoring.metricsPort, targetPort: "metrics", protocol: "TCP" });

    this.service = new ServiceV1(this, "service", {
      metadata,
      spec: { type: "ClusterIP", selector: selectorLabels(spec.name), port: ports },
    });

    if (spec.expose.kind === "public") {
      this.ingress = new IngressV1(this, "ingress", {
        metadata: {
          ...metadata,
          annotations: {
            [CLUSTER_ISSUER_ANNOTATION]: environment.kubernetes.clusterIssuer,
            ...meshIngressAnnotations(environment.kubernetes.mesh, spec.name, environment.namespace),
          },
        },
        spec: {
          ingressClassName: environment.kubernetes.ingressClassName,
          tls: [{ hosts: [spec.expose.host], secretName: `${spec.name}-tls` }],
          rule: [
            {
              host: spec.expose.host,
              http: {
                path: [
                  {
                    path: spec.expose.path,
                    pathType: "Prefix",
                    backend: { service: { name: spec.name, port: { number: spec.port } } },
                  },
                ],
              },
            },
          ],
        },
      });
    }
  }
}
