import { NOT_APPLICABLE, Problems, type StackRule } from "../rule.js";
import { asBoolean, asString, block, isUnresolved } from "../values.js";

/** Backends that lock the state while Terraform runs, with nothing to configure. */
const NATIVELY_LOCKING = new Set(["kubernetes", "gcs", "pg", "azurerm", "consul", "cos", "oss", "remote"]);

/**
 * TF-01 (error): a shared environment (any but the local one on the developer's own
 * Docker engine) keeps its state in a backend that locks it while Terraform runs, so
 * two deploys cannot interleave and corrupt it: kubernetes (a Lease), gcs, pg, or s3
 * with `use_lockfile` (or a DynamoDB lock table). A local backend, or none (which is
 * local), fails.
 * Anchor: Terraform's backend documentation (state locking).
 */
export const lockingStateBackend: StackRule = {
  id: "TF-01",
  level: "error",
  scope: "stack",
  checks: "shared environments keep their state in a locking backend (kubernetes, s3 with use_lockfile, gcs, pg)",
  anchor: "Terraform backend docs (state locking)",
  check(context) {
    if (!context.environment.shared) return NOT_APPLICABLE;
    const problems = new Problems();
    const fix =
      "set PLATFORM_STATE_BACKEND to kubernetes (default), s3, gcs or pg (README, Environments and state backends)";
    if (block(context.stack.terraform.cloud) !== undefined) return problems.outcome();
    const backends = Object.entries(block(context.stack.terraform.backend) ?? {});
    if (backends.length === 0)
      return problems
        .add("has no backend, so its state is a local file nobody else sees and nothing locks", fix)
        .outcome();
    for (const [type, settings] of backends) {
      const values = block(settings);
      if (type === "s3") {
        const lockfile = values?.use_lockfile;
        if (isUnresolved(lockfile))
          problems.unresolved("terraform.backend.s3.use_lockfile", lockfile, "set use_lockfile = true as a literal");
        else if (asBoolean(lockfile) !== true && asString(values?.dynamodb_table) === undefined) {
          problems.add(
            "the s3 backend locks nothing: use_lockfile is not true and there is no dynamodb_table",
            'set terraform.backend.s3.use_lockfile = true (stack.addOverride("terraform.backend.s3.use_lockfile", true))',
          );
        }
      } else if (!NATIVELY_LOCKING.has(type)) {
        problems.add(`the ${type} backend does not lock the state of a shared environment`, fix);
      }
    }
    return problems.outcome();
  },
};
