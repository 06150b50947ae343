import type { Construct } from "constructs";
import {
  GcsBackend,
  LocalBackend,
  S3Backend,
  TerraformBackend,
  type TerraformRemoteState,
  type TerraformStack,
} from "./engine/cdk.js";
import type { BackendSettings } from "./environments.js";

/**
 * A backend that cdktf 0.21 has no class for (kubernetes), or whose class requires a
 * setting that must stay out of the synthesized JSON (pg's connection string, which
 * Terraform reads from PG_CONN_STR). Stacks here read no remote state, so it offers none.
 */
class PlainBackend extends TerraformBackend {
  constructor(
    scope: Construct,
    type: string,
    private readonly attributes: Record<string, string>,
  ) {
    super(scope, "backend", type);
  }

  protected override synthesizeAttributes(): Record<string, string> {
    return { ...this.attributes };
  }

  protected override synthesizeHclAttributes(): Record<string, string> {
    return { ...this.attributes };
  }

  override getRemoteStateDataSource(): TerraformRemoteState {
    throw new Error(`reading remote state from a ${this.name} backend is not supported by this platform`);
  }
}

/**
 * Declares where the stack keeps its state. Every backend for a shared environment
 * locks the state while Terraform runs (guardrail TF-01): S3 through a lock file next
 * to the state (`use_lockfile`), GCS and pg natively, kubernetes through a Lease.
 */
export function configureStateBackend(stack: TerraformStack, settings: BackendSettings): void {
  switch (settings.type) {
    case "local":
      // Terraform runs in cdktf.out/stacks/<env>: keep the state at the repository root.
      new LocalBackend(stack, { path: `../../../${settings.path}` });
      return;
    case "s3":
      new S3Backend(stack, { bucket: settings.bucket, key: settings.key, region: settings.region, encrypt: true });
      // cdktf 0.21's S3Backend has no field for S3-native locking.
      stack.addOverride("terraform.backend.s3.use_lockfile", true);
      return;
    case "gcs":
      new GcsBackend(stack, { bucket: settings.bucket, prefix: settings.prefix });
      return;
    case "pg":
      new PlainBackend(stack, "pg", { schema_name: settings.schemaName });
      return;
    case "kubernetes":
      new PlainBackend(stack, "kubernetes", {
        secret_suffix: settings.secretSuffix,
        namespace: settings.namespace,
        config_path: settings.configPath,
        config_context: settings.configContext,
      });
      return;
  }
}
