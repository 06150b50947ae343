/** The part of autocannon's programmatic API the benchmark uses (the package ships no types). */
declare module "autocannon" {
  /** An hdr-histogram-percentiles-obj summary. */
  export interface Histogram {
    readonly average: number;
    readonly min: number;
    readonly max: number;
    readonly p50: number;
    readonly p99: number;
  }
  export interface Options {
    readonly url: string;
    readonly connections?: number;
    readonly pipelining?: number;
    /** Seconds. */
    readonly duration?: number;
    readonly method?: string;
  }
  export interface Result {
    readonly requests: Histogram & { readonly total: number };
    /** Milliseconds. */
    readonly latency: Histogram;
    /** Seconds the load ran. */
    readonly duration: number;
    /** Answers with a 2xx status. */
    readonly "2xx": number;
    readonly errors: number;
    readonly timeouts: number;
    readonly non2xx: number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
