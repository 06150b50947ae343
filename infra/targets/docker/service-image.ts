import { Construct } from "constructs";
import type { DockerEnvironment } from "../../environments.js";
import type { ServiceSpec } from "../../spec/model.js";
import { localImageName } from "./names.js";
import { hclStringLiteral, terraformExpression } from "../../engine/terraform-literals.js";
import { Image } from "./resources.js";

/** Props of {@link ServiceImage}. */
export interface ServiceImageProps {
  readonly spec: ServiceSpec;
  readonly environment: DockerEnvironment;
}

/** Where Terraform runs (cdktf.out/stacks/<env>) relative to the repository root. */
export const REPOSITORY_ROOT_FROM_STACK = "../../..";

/**
 * What goes into every service's image from outside the service's folder, as paths from
 * the repository root: the runtime package (@platform/service-runtime: its sources are
 * bundled into each image by its own bundler, and its package.json pins the libraries
 * bundled with it), the metrics contract the runtime imports, and the spec API that
 * `service.ts` imports (the code derives its manifest from `service.ts`, so the bundle
 * holds it, `defineService` and the spec's runtime defaults). A change to any of them
 * rebuilds every `build` service's image.
 */
export const SHARED_BUILD_INPUTS = {
  /** Folders whose every file counts. */
  folders: ["templates/runtime/src", "templates/runtime/bin"],
  /** Single files. */
  files: [
    "templates/runtime/package.json",
    "infra/monitoring/metrics-contract.ts",
    "infra/spec/index.ts",
    "infra/spec/define-service.ts",
    "infra/spec/runtime-defaults.ts",
  ],
} as const;

/**
 * The service's image on the local engine. A `build` service is built from
 * `services/<name>/Dockerfile` with the repository root as context (so the root
 * lockfile serves the npm workspaces) and the environment's base image as the
 * `BASE_IMAGE` build argument; it is rebuilt when anything its bundle is made of
 * changes: its sources, its migrations, Dockerfile, package.json or service.ts, the
 * service.ts of each owner of a backing service it uses (the code reads the type from
 * it), or a {@link SHARED_BUILD_INPUTS} file. A change of package-lock.json alone does not rebuild it: direct dependencies
 * are pinned exactly in the package.json files hashed here. An `image` service's
 * pinned image is pulled.
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
    const folder = `services/${spec.name}`;
    // One expression: the SHA-1 of the contents of every input, in a fixed order. The
    // spec's Dockerfile path enters it only as a quoted literal (the schema also keeps it
    // a plain relative path).
    // migrations/ too: the bundle carries the SQL files (dist/migrations), so a new
    // migration is a new image. fileset() of a folder that does not exist is empty.
    const folderGlobs = [
      `${folder}/src/**`,
      `${folder}/migrations/**`,
      ...SHARED_BUILD_INPUTS.folders.map((shared) => `${shared}/**`),
    ];
    const inputs = [
      ...folderGlobs.map(
        (glob) => `sort(fileset(${hclStringLiteral(REPOSITORY_ROOT_FROM_STACK)}, ${hclStringLiteral(glob)}))`,
      ),
      `[${[
        `${folder}/${spec.source.dockerfile}`,
        `${folder}/package.json`,
        `${folder}/service.ts`,
        ...usedOwnerSpecs(spec),
        ...SHARED_BUILD_INPUTS.files,
      ]
        .map(hclStringLiteral)
        .join(", ")}]`,
    ];
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
        sources: terraformExpression(
          `\${sha1(join(",", [for f in concat(${inputs.join(", ")}) : filesha1("${REPOSITORY_ROOT_FROM_STACK}/\${f}")]))}`,
        ),
      },
    });
  }
}

/** The service.ts of each owner of a backing service `spec` uses, once each, sorted: its bundle holds them. */
function usedOwnerSpecs(spec: ServiceSpec): string[] {
  return [...new Set(spec.uses.map((used) => `services/${used.owner}/service.ts`))].sort();
}
