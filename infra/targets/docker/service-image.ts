import { Construct } from "constructs";
import type { DockerEnvironment } from "../../environments.js";
import type { ServiceSpec } from "../../spec/index.js";
import { localImageName } from "./names.js";
import { Image } from "./resources.js";

/** Props of {@link ServiceImage}. */
export interface ServiceImageProps {
  readonly spec: ServiceSpec;
  readonly environment: DockerEnvironment;
}

/** Where Terraform runs (cdktf.out/stacks/<env>) relative to the repository root. */
export const REPOSITORY_ROOT_FROM_STACK = "../../..";

/**
 * The service's image on the local engine. A `build` service is built from
 * `services/<name>/Dockerfile` with the repository root as context (so the root
 * lockfile serves the npm workspaces) and the environment's base image as the
 * `BASE_IMAGE` build argument; it is rebuilt when its Dockerfile, package.json or
 * sources change. An `image` service's pinned image is pulled.
 */
export class ServiceImage extends Construct {
  readonly image: Image;

  constructor(scope: Construct, id: string, props: ServiceImageProps) {
    super(scope, id);
    const { spec, environment } = props;
    if (spec.source.kind === "image") {
      this.image = new Image(this, "image", { name: spec.source.image, keepLocally: true });
      return;
    }
    const folder = `${REPOSITORY_ROOT_FROM_STACK}/services/${spec.name}`;
    this.image = new Image(this, "image", {
      name: localImageName(environment, spec.name, spec.version),
      keepLocally: false,
      buildAttribute: {
        context: REPOSITORY_ROOT_FROM_STACK,
        dockerfile: `services/${spec.name}/${spec.source.dockerfile}`,
        buildArgs: { BASE_IMAGE: environment.docker.baseImage },
        label: { "app.kubernetes.io/name": spec.name, "app.kubernetes.io/version": spec.version },
      },
      triggers: {
        sources: `\${sha1(join(",", concat([for f in sort(fileset("${folder}/src", "**")) : filesha1("${folder}/src/\${f}")], [filesha1("${folder}/${spec.source.dockerfile}"), filesha1("${folder}/package.json")])))}`,
      },
    });
  }
}
