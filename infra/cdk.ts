/**
 * The one module that imports the CDK for Terraform core. CDKTF 0.21 is its final
 * release; a move to its community continuation changes the import below and the
 * provider imports in `targets/<target>/resources.ts`, nothing else.
 */
export {
  App,
  Annotations,
  Aspects,
  GcsBackend,
  LocalBackend,
  PgBackend,
  S3Backend,
  TerraformBackend,
  TerraformElement,
  TerraformRemoteState,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Testing,
  Token,
} from "cdktf";
export type { IAspect } from "cdktf";
