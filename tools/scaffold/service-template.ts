import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Question } from "./questions.js";
import {
  TemplateError,
  parseTemplateManifest,
  resolveQuestions,
  type PlaceholderDeclaration,
  type TemplateManifest,
} from "./template-manifest.js";

export { TemplateError } from "./template-manifest.js";

/** The folder, under the repository root, that holds one folder per template. */
export const TEMPLATES_DIR = "templates";
/** Each template's manifest; it describes the template and is not copied. */
export const TEMPLATE_MANIFEST = "template.json";
/** A placeholder: `{{name}}`, letters and digits only, in file contents and paths. */
export const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;

/** A template, read from `templates/<name>/` and its base layer. */
export interface ServiceTemplate {
  readonly name: string;
  readonly description: string;
  /** A content hash of every file and of the manifests: changes when anything in the template changes. */
  readonly version: string;
  /**
   * The files the platform owns: paths, or folders ending in '/'. `template:check`
   * compares these with each service; every other file belongs to the service.
   */
  readonly managed: readonly string[];
  /** Path relative to the service folder -> text with placeholders, sorted by path. */
  readonly files: ReadonlyMap<string, string>;
  /** The folders under templates/ it is made of, its base first. */
  readonly layers: readonly string[];
  /** What new:service asks: the platform's questions (as the template narrows them), then the template's own. */
  readonly questions: readonly Question[];
  /**
   * What new:service lists once it made the service: file or folder -> one line on what
   * it is; the template's own first, then its base's.
   */
  readonly highlights: ReadonlyMap<string, string>;
  /** The template's own placeholders (template.json `placeholders`) -> the answer that fills each. */
  readonly placeholders: ReadonlyMap<string, PlaceholderDeclaration>;
}

/** The names of the templates a service can be made from (folders with a template.json, not starting with '_'). */
export function listTemplates(root: string): string[] {
  const dir = path.join(root, TEMPLATES_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() && !entry.name.startsWith("_") && existsSync(path.join(dir, entry.name, TEMPLATE_MANIFEST)),
    )
    .map((entry) => entry.name)
    .sort();
}

/**
 * Reads a template: its base layer's files first (`"base"` in template.json), then its
 * own, which replace base files of the same path; and its questions, the base's first.
 */
export function loadTemplate(root: string, name: string): ServiceTemplate {
  const own = readManifest(root, name);
  const layers = own.base ? [own.base, name] : [name];
  const base = own.base ? readManifest(root, own.base) : undefined;
  const manifests = layers.map((layer) => ({
    where: `${TEMPLATES_DIR}/${layer}/${TEMPLATE_MANIFEST}`,
    manifest: layer === name ? own : base!,
  }));
  const { questions, placeholders } = resolveQuestions(manifests);
  const files = new Map<string, string>();
  for (const layer of layers) {
    for (const file of listFiles(path.join(root, TEMPLATES_DIR, layer))) {
      if (file === TEMPLATE_MANIFEST) continue;
      files.set(file, readFileSync(path.join(root, TEMPLATES_DIR, layer, file), "utf8"));
    }
  }
  const sorted = new Map([...files.entries()].sort(([a], [b]) => a.localeCompare(b)));
  const managed = [...new Set([...(base?.managed ?? []), ...own.managed])].sort();
  // The questions and placeholders a layer declares are hashed too (they change what is
  // made); a template that declares none hashes as before they existed.
  const declared = manifests.flatMap(({ manifest }) =>
    manifest.questions || manifest.placeholders
      ? [{ questions: manifest.questions ?? [], placeholders: manifest.placeholders ?? {} }]
      : [],
  );
  const hash = createHash("sha256")
    .update(
      JSON.stringify({
        base: own.base ?? null,
        managed,
        files: [...sorted.entries()],
        ...(declared.length > 0 ? { declared } : {}),
      }),
    )
    .digest("hex");
  return {
    name,
    description: own.description,
    version: hash.slice(0, 12),
    managed,
    files: sorted,
    layers,
    // The template's own lines first; a path both name keeps the template's line.
    highlights: new Map([
      ...Object.entries(own.highlights ?? {}),
      ...Object.entries(base?.highlights ?? {}).filter(([file]) => !Object.hasOwn(own.highlights ?? {}, file)),
    ]),
    questions,
    placeholders,
  };
}

/**
 * Fills every placeholder of every file (and path) with `values`. A placeholder with no
 * value is a template bug and throws, naming the file and the known placeholders.
 */
export function renderTemplate(
  template: ServiceTemplate,
  values: Readonly<Record<string, string>>,
): Map<string, string> {
  const rendered = new Map<string, string>();
  for (const [file, content] of template.files) {
    const fill = (text: string) =>
      text.replace(PLACEHOLDER, (_match, key: string) => {
        const value = values[key];
        if (value === undefined) {
          throw new TemplateError(
            `${TEMPLATES_DIR}/${template.name}: ${file}: unknown placeholder {{${key}}}; known: ${Object.keys(values)
              .sort()
              .map((k) => `{{${k}}}`)
              .join(", ")}`,
          );
        }
        return value;
      });
    const target = fill(file);
    if (!isInsideServiceFolder(target))
      throw new TemplateError(
        `${TEMPLATES_DIR}/${template.name}: ${file}: renders to ${JSON.stringify(target)}, which is not inside the service folder; a file's path must stay below it (check the placeholders in its name)`,
      );
    rendered.set(target, fill(content));
  }
  return rendered;
}

/**
 * Whether a file path, relative to a service folder, stays inside it: not absolute, no
 * `..` that leaves it, no backslash (a separator on Windows) and no empty name.
 */
export function isInsideServiceFolder(file: string): boolean {
  if (file === "" || file.includes("\\") || file.includes("\0") || path.posix.isAbsolute(file)) return false;
  const normal = path.posix.normalize(file);
  return normal !== ".." && !normal.startsWith("../") && normal !== "." && !normal.endsWith("/");
}

/** Whether the platform owns this file of a service made from `template`. */
export function isManaged(template: Pick<ServiceTemplate, "managed">, file: string): boolean {
  return template.managed.some((entry) => (entry.endsWith("/") ? file.startsWith(entry) : file === entry));
}

function readManifest(root: string, name: string): TemplateManifest {
  const file = path.join(root, TEMPLATES_DIR, name, TEMPLATE_MANIFEST);
  const where = `${TEMPLATES_DIR}/${name}/${TEMPLATE_MANIFEST}`;
  if (!existsSync(file)) throw new TemplateError(`${where}: missing; every template folder needs one`);
  return parseTemplateManifest(readFileSync(file, "utf8"), where);
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return listFiles(path.join(dir, entry.name), relative);
      return entry.isFile() ? [relative] : [];
    });
}
