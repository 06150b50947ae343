/**
 * The hardening every container of the local stack has, services and backing services
 * alike (CIS Docker Benchmark 5.13 read-only root, 5.4 capabilities, 5.26 no new
 * privileges, 5.5 not privileged): the part of a `toMatchObject` the tests share.
 */
export const HARDENED_CONTAINER = {
  read_only: true,
  tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=64m" },
  capabilities: { drop: ["ALL"] },
  security_opts: ["no-new-privileges:true"],
  privileged: false,
};

/**
 * What the platform's own images add (the services and Jaeger): uid/gid 10001, and a restart
 * on failure, five times at most (CIS 4.1, 5.15).
 */
export const HARDENED_PLATFORM_CONTAINER = {
  user: "10001:10001",
  ...HARDENED_CONTAINER,
  restart: "on-failure",
  max_retry_count: 5,
};
