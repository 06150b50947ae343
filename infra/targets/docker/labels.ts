import { ownershipLabels } from "../hardening.js";

/** The ownership labels in the provider's list form. */
export function dockerLabels(service: string, environment: string): Array<{ label: string; value: string }> {
  return Object.entries(ownershipLabels(service, environment)).map(([label, value]) => ({ label, value }));
}
