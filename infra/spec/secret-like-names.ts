/**
 * Environment variable names that must never carry a literal value: one pattern, in a
 * module that imports nothing, read by the spec schema (a spec's `env`) and by guardrail
 * K8S-14 (the synthesized JSON), so that a tool can run the guardrails without loading
 * the schema.
 */
export const SECRET_LIKE_ENV_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
