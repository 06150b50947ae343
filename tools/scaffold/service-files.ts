import path from "node:path";
import { SERVICES_DIR } from "../../infra/discover-services.js";
import { templateValues, type ScaffoldAnswers } from "./answers.js";
import { formattedByBiome } from "./biome-format.js";
import { usesDependencyClients, type DependencyContracts } from "./dependency-clients.js";
import { renderTemplate, type ServiceTemplate } from "./service-template.js";

/**
 * The files a service made from `template` with `answers` consists of (its
 * `.template.json` aside), path relative to the service folder -> content: what
 * new:service writes, and what template:update renders at the version a service was
 * made from and at the current one. `contracts` are the dependencies' contracts
 * (`readDependencyContracts`), read from the repository as it is.
 */
export function renderServiceFiles(
  root: string,
  template: ServiceTemplate,
  answers: ScaffoldAnswers,
  contracts: DependencyContracts,
): Map<string, string> {
  const values = templateValues(answers, template.placeholders, contracts);
  const files = renderTemplate(template, values);
  // The typed clients are code of any width (a long service name): the files they land
  // in are written as the formatter writes them, so that they pass biome check.
  if (contracts.size > 0) {
    const withClients = new Map([...template.files].filter(([, text]) => usesDependencyClients(text)));
    for (const [file, content] of renderTemplate({ ...template, files: withClients }, values))
      files.set(file, formattedByBiome(root, path.join(SERVICES_DIR, answers.name, file), content));
  }
  return files;
}
