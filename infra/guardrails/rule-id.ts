/**
 * What guardrail ids look like, in a module that imports nothing: the spec schema
 * (suppressions name rules) and the packs read the same patterns.
 */

/** A pack id: 2 to 10 upper-case letters and digits, starting with a letter (`ACME`). */
export const PACK_ID = /^[A-Z][A-Z0-9]{1,9}$/;

/** A rule id of any pack: a pack id, '-', two digits (`K8S-04`, `ACME-01`). */
export const RULE_ID = /^[A-Z][A-Z0-9]{1,9}-\d{2}$/;
