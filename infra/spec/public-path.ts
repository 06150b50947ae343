/**
 * What a public service's `expose.public.path` must be. The Ingress (pathType Prefix)
 * matches a path segment by segment, and the catalogue refuses two services on one host
 * and path by comparing the strings; so `/shop/`, `//` or `/shop/../admin` would be a
 * second spelling of a route another service owns, and `..` an attempt to reach outside
 * it. Only the normalized spelling is accepted.
 */

/** What a public path must be, for messages. */
export const PUBLIC_PATH_ACCEPTED =
  "a normalized path like / or /shop/api: no empty, '.' or '..' segment and no trailing '/' (the Ingress matches prefixes segment by segment, so /shop/ is /shop)";

/** True for `/` and for paths like `/shop/api` with no empty, `.` or `..` segment. */
export function isNormalizedPublicPath(path: string): boolean {
  if (path === "/") return true;
  return (
    path.startsWith("/") &&
    path
      .slice(1)
      .split("/")
      .every((segment) => segment !== "" && segment !== "." && segment !== "..")
  );
}
