import type { ApiChange } from "../../report.js";
import { canonicalJson, operationsOf, type Body, type OpenApiDocument, type Operation } from "./openapi.js";
import { compareSchemas, type SchemaPlace } from "./schema-changes.js";

/**
 * The changes between one service's API contract on the base and on the head, breaking
 * first, each with a sentence: operations removed and added (an operation is its method
 * and path), then per operation its parameters, its JSON request body and every declared
 * response status (see schema-changes.ts for what breaks a caller). A side without a
 * document has no operations: a document removed removes every operation.
 */
export function compareContracts(base: OpenApiDocument | undefined, head: OpenApiDocument | undefined): ApiChange[] {
  const before = base ? operationsOf(base) : new Map<string, Operation>();
  const after = head ? operationsOf(head) : new Map<string, Operation>();
  const changes: ApiChange[] = [];
  const operationChange = (severity: ApiChange["severity"], code: string, operation: Operation, what: string) =>
    changes.push({
      severity,
      code,
      operation: operation.label,
      field: null,
      description: `${operation.label} ${what}`,
    });
  for (const [key, was] of before) {
    const now = after.get(key);
    if (!now) operationChange("breaking", "operation-removed", was, "removed");
    else compareOperation(was, now, base!, head!, changes);
  }
  for (const [key, now] of after) if (!before.has(key)) operationChange("additive", "operation-added", now, "added");
  // Stable: breaking first, then in the order found (operations in document order).
  return [...changes.filter((c) => c.severity === "breaking"), ...changes.filter((c) => c.severity === "additive")];
}

function compareOperation(
  was: Operation,
  now: Operation,
  base: OpenApiDocument,
  head: OpenApiDocument,
  changes: ApiChange[],
): void {
  const operation = now.label;
  const place = (
    direction: SchemaPlace["direction"],
    fieldPrefix: string,
    rootName: string,
    beforeRoot: unknown,
    afterRoot: unknown,
  ): SchemaPlace => ({
    direction,
    operation,
    fieldPrefix,
    rootName,
    before: { document: base, schemaRoot: beforeRoot },
    after: { document: head, schemaRoot: afterRoot },
    changes,
  });
  const change = (severity: ApiChange["severity"], code: string, field: string, what: string) =>
    changes.push({ severity, code, operation, field, description: `${operation}: ${field} ${what}` });

  for (const key of new Set([...was.parameters.keys(), ...now.parameters.keys()])) {
    const a = was.parameters.get(key);
    const b = now.parameters.get(key);
    const parameter = (a ?? b)!;
    const label = `${parameter.in} parameter ${(b ?? a)!.name}`;
    if (a && !b) change("breaking", "request-field-removed", label, "removed: callers that still send it are ignored");
    else if (!a && b)
      change(
        b.required ? "breaking" : "additive",
        b.required ? "request-field-required" : "request-field-added",
        label,
        b.required ? "added as required" : "added (optional)",
      );
    else if (a && b) {
      // The parameter is the field: `query parameter filter`, and below it `query parameter filter.tag`.
      compareSchemas(a.schema, b.schema, b.name, place("request", `${b.in} parameter`, label, a.schema, b.schema));
      // A path parameter is always required: its name alone can change, which a caller does not see.
      if (a.required !== b.required)
        change(
          b.required ? "breaking" : "additive",
          b.required ? "request-field-required" : "request-field-optional",
          label,
          b.required ? "made required" : "made optional",
        );
    }
  }

  compareRequestBody(was.requestBody, now.requestBody, place, change);

  for (const [status, a] of was.responses) {
    const b = now.responses.get(status);
    const name = `response ${status}`;
    if (!b) {
      change(
        "breaking",
        "response-status-removed",
        name,
        "no longer declared: callers that handle it get an answer they did not expect",
      );
      continue;
    }
    if (a.schema !== undefined && b.schema === undefined)
      change("breaking", "response-field-removed", `${name} body`, "removed: the response has no JSON body now");
    else if (a.schema !== undefined && b.schema !== undefined)
      compareSchemas(a.schema, b.schema, "", place("response", `${name} field`, `${name} body`, a.schema, b.schema));
    else if (a.schema === undefined && b.schema !== undefined)
      // A caller's typed client checks that a no-body answer has no body: one with a body fails it.
      change(
        "breaking",
        "response-body-added",
        `${name} body`,
        "added: the response has a JSON body now, which callers built on a contract without one refuse",
      );
    compareOtherContent(a, b, `${name} body`, change);
  }
  // A new status is breaking, as a new value of a response enum is: a caller's typed client
  // refuses a status its contract does not declare (DependencyError), so an older caller
  // meeting the newer service during a rolling update fails on it.
  for (const status of now.responses.keys())
    if (!was.responses.has(status))
      change(
        "breaking",
        "response-status-added",
        `response ${status}`,
        "added: callers built on the contract without it refuse an answer with this status",
      );
}

type Change = (severity: ApiChange["severity"], code: string, field: string, what: string) => void;

function compareRequestBody(
  was: Body | undefined,
  now: Body | undefined,
  place: (
    direction: SchemaPlace["direction"],
    fieldPrefix: string,
    rootName: string,
    beforeRoot: unknown,
    afterRoot: unknown,
  ) => SchemaPlace,
  change: Change,
): void {
  const name = "request body";
  if (was === undefined && now === undefined) return;
  if (was !== undefined && now === undefined) {
    change("breaking", "request-body-removed", name, "removed: callers that still send one are ignored");
    return;
  }
  if (was === undefined && now !== undefined) {
    if (now.required) change("breaking", "request-field-required", name, "added as required");
    else change("additive", "request-body-added", name, "added (optional)");
    return;
  }
  if (!was!.required && now!.required) change("breaking", "request-field-required", name, "made required");
  if (was!.required && !now!.required) change("additive", "request-field-optional", name, "made optional");
  if (was!.schema !== undefined && now!.schema !== undefined)
    compareSchemas(was!.schema, now!.schema, "", place("request", `${name} field`, name, was!.schema, now!.schema));
  else if (was!.schema !== undefined)
    change("breaking", "request-body-removed", name, "no longer takes JSON: callers that send it are refused");
  else if (now!.schema !== undefined) change("additive", "request-body-added", name, "now also takes JSON");
  compareOtherContent(was!, now!, name, change);
}

/** Media types besides JSON: compared as written, and never taken for additive. */
function compareOtherContent(was: Body, now: Body, name: string, change: Change): void {
  if (canonicalJson(was.otherContent) !== canonicalJson(now.otherContent))
    change(
      "breaking",
      "unclassified-change",
      name,
      "changed in a way infra:diff cannot classify (a media type other than application/json)",
    );
}
