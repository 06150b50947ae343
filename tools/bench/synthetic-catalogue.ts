/**
 * Synthetic service catalogues for the benchmark: any number of services that use every
 * part of the spec the targets turn into resources (dependencies, scaling, monitoring,
 * environment overrides, public exposure, egress, secrets, built and pulled images).
 * Pure: it returns the files, the caller decides where they go.
 */

/** A file of the catalogue, relative to the repository root. */
export interface CatalogueFile {
  readonly path: string;
  readonly content: string;
}

/** Options of {@link syntheticCatalogue}. */
export interface SyntheticCatalogueOptions {
  /** How many services. */
  readonly services: number;
  /**
   * 1 is the base; 2 is a later revision of the same catalogue, as a pull request would
   * change it: the first service scales further in production and its description changes.
   * @default 1
   */
  readonly revision?: 1 | 2;
  /**
   * Gives every service a PostgreSQL database of its own (`backingServices.db`), to
   * measure what the data resources cost a synth.
   * @default false
   */
  readonly withDatabases?: boolean;
}

/** A generated catalogue: its files and what it holds, for checking the synthesized output. */
export interface SyntheticCatalogue {
  readonly files: readonly CatalogueFile[];
  /** Service names, sorted. */
  readonly serviceNames: readonly string[];
  /** Number of service-to-service edges (`dependsOn` entries). */
  readonly edges: number;
  /** Services exposed publicly. */
  readonly publicServices: number;
  /** Services that pull an image instead of building one. */
  readonly imageServices: number;
}

/** Every how-many-th service is public, pulls an image, declares egress, holds a secret. */
const EVERY = { public: 10, image: 5, egress: 7, secret: 3 } as const;
/** Latency SLOs, each a bound of the platform's latency histogram (the monitoring accepts only those). */
const LATENCY_BOUNDS_MS = [200, 300, 400, 500, 750] as const;
/** First local port of the public services (each publishes its own on 127.0.0.1). */
const FIRST_LOCAL_PORT = 20000;

/** The name of service `index` (1-based): `svc-0001`, a DNS-1035 label, sorted as numbered. */
export function syntheticServiceName(index: number): string {
  return `svc-${String(index).padStart(4, "0")}`;
}

/**
 * The services service `index` calls: up to three distinct lower-numbered services
 * (its predecessor, and those at a half and a third of its number), so the graph has no
 * cycles, every service but the first calls someone, and early services are called by many,
 * like shared back ends in a real catalogue.
 */
export function syntheticDependencies(index: number): number[] {
  const candidates = [index - 1, Math.floor(index / 2), Math.floor(index / 3)];
  return [...new Set(candidates.filter((candidate) => candidate >= 1 && candidate < index))].sort((a, b) => a - b);
}

/** Generates a catalogue of `services` services, always the same files for the same options. */
export function syntheticCatalogue(options: SyntheticCatalogueOptions): SyntheticCatalogue {
  if (!Number.isInteger(options.services) || options.services < 1 || options.services > 9999) {
    throw new RangeError(
      `syntheticCatalogue: services must be a whole number from 1 to 9999 (got ${options.services})`,
    );
  }
  const revision = options.revision ?? 1;
  const files: CatalogueFile[] = [];
  let edges = 0;
  let publicServices = 0;
  let imageServices = 0;
  for (let index = 1; index <= options.services; index++) {
    const name = syntheticServiceName(index);
    const dependencies = syntheticDependencies(index).map(syntheticServiceName);
    const isPublic = index % EVERY.public === 0;
    const pullsImage = index % EVERY.image === 0;
    edges += dependencies.length;
    if (isPublic) publicServices++;
    if (pullsImage) imageServices++;
    files.push({
      path: `services/${name}/service.ts`,
      content: serviceFile(index, name, dependencies, {
        isPublic,
        pullsImage,
        revision,
        withDatabase: options.withDatabases ?? false,
      }),
    });
    files.push({
      path: `services/${name}/package.json`,
      content: `${JSON.stringify({ name: `@bench/${name}`, version: `1.${index % 10}.0`, private: true, type: "module" }, null, 2)}\n`,
    });
    if (!pullsImage) files.push({ path: `services/${name}/Dockerfile`, content: DOCKERFILE });
  }
  return {
    files,
    serviceNames: Array.from({ length: options.services }, (_, i) => syntheticServiceName(i + 1)),
    edges,
    publicServices,
    imageServices,
  };
}

const DOCKERFILE = `ARG BASE_IMAGE=node:20.19.5-bookworm-slim
FROM \${BASE_IMAGE}
WORKDIR /app
COPY . .
USER 10001:10001
CMD ["node", "src/server.js"]
`;

function serviceFile(
  index: number,
  name: string,
  dependencies: readonly string[],
  shape: { isPublic: boolean; pullsImage: boolean; revision: 1 | 2; withDatabase: boolean },
): string {
  const changed = shape.revision === 2 && index === 1;
  const port = 8000 + (index % 1000);
  const min = 2 + (index % 3);
  const max = min + 2 + (index % 5);
  const lines = [
    `  name: ${JSON.stringify(name)},`,
    `  description: ${JSON.stringify(changed ? `Synthetic service ${index}, revised.` : `Synthetic service ${index} of the benchmark catalogue.`)},`,
    shape.pullsImage ? `  image: "ghcr.io/acme/${name}:1.${index % 10}.0",` : `  build: {},`,
    `  port: ${port},`,
    // A pulled image may have no node for the default Docker healthcheck (guardrail DKR-07).
    ...(shape.pullsImage
      ? [`  health: { dockerCheck: ["wget", "-q", "-O-", "http://127.0.0.1:${port}/healthz"] },`]
      : []),
    `  env: { LOG_LEVEL: "info", FEATURE_FLAGS: "f${index % 4}" },`,
    ...(index % EVERY.secret === 0
      ? [`  secrets: { DATABASE_PASSWORD: { secretName: "${name}-db", key: "password" } },`]
      : []),
    // Storage grows with the number, so that no two databases are alike.
    ...(shape.withDatabase
      ? [`  backingServices: { db: { type: "postgres", storage: "${1 + (index % 8)}Gi" } },`]
      : []),
    `  resources: { cpu: "${100 + (index % 4) * 50}m", memory: "${128 * (1 + (index % 3))}Mi" },`,
    `  scaling: { min: ${min}, max: ${max}, cpuPercent: ${60 + (index % 4) * 5}${index % 2 === 0 ? ", memoryPercent: 80" : ""} },`,
    ...(shape.isPublic
      ? [`  expose: { public: { host: "${name}.example.com", path: "/", localPort: ${FIRST_LOCAL_PORT + index} } },`]
      : []),
    ...(dependencies.length > 0 ? [`  dependsOn: ${JSON.stringify(dependencies)},`] : []),
    ...(index % EVERY.egress === 0
      ? [`  egress: [{ cidr: "203.0.113.0/24", ports: [443], description: "partner API" }],`]
      : []),
    `  monitoring: { slo: { availability: ${index % 2 === 0 ? 99.9 : 99.5}, latencyMs: ${LATENCY_BOUNDS_MS[index % LATENCY_BOUNDS_MS.length]} }, owner: "team-${1 + (index % 12)}" },`,
    `  environments: {`,
    `    local: { scaling: { min: 1, max: 1 }, env: { LOG_LEVEL: "debug" } },`,
    // Each environment serves its own host: two may not serve one.
    `    staging: { scaling: { min: 2, max: ${max} }${shape.isPublic ? `, expose: { public: { host: "${name}.staging.example.com" } }` : ""} },`,
    `    production: { scaling: { min: ${min + 1}, max: ${max * 2 + (changed ? 10 : 0)} }, resources: { cpu: "${200 + (index % 4) * 100}m", memory: "${256 * (1 + (index % 3))}Mi" } },`,
    `  },`,
  ];
  return `import { defineService } from "../../infra/spec/index.js";\n\nexport default defineService({\n${lines.join("\n")}\n});\n`;
}
