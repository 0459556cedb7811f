// The one fetch wrapper of the editor, typed from the generated OpenAPI `paths`: a call names
// its path and method, and its parameters, body and answer are that operation's own types.
import type { components, paths } from "../generated/api";

type Method = "get" | "put" | "post" | "delete" | "patch";
type Json = "application/json";

/** The methods the server serves at `P`. */
export type MethodOf<P extends keyof paths> = {
  [M in Method]: paths[P][M] extends { responses: object } ? M : never;
}[Method];
type Operation<P extends keyof paths, M extends Method> = Exclude<paths[P][M], undefined>;
type JsonOf<T> = T extends { content: { [K in Json]: infer B } } ? B : never;
type Successes<O> = O extends { responses: infer R } ? R[Extract<keyof R, 200 | 201 | 202>] : never;
type Parameters<O> = O extends { parameters: infer X } ? X : never;

/** What the operation answers with on success (its 2xx JSON body). */
export type ResponseOf<P extends keyof paths, M extends MethodOf<P>> = JsonOf<Successes<Operation<P, M>>>;
/** The JSON body the operation takes. */
export type BodyOf<P extends keyof paths, M extends MethodOf<P>> =
  Operation<P, M> extends { requestBody?: infer B } ? JsonOf<Exclude<B, undefined>> : never;

type PathInit<O> = Parameters<O> extends { path: infer X } ? { path: X } : { path?: undefined };
type QueryInit<O> = Parameters<O> extends { query: infer X }
  ? { query: X }
  : Parameters<O> extends { query?: infer X }
    ? { query?: X }
    : { query?: undefined };
type BodyInit<O> = O extends { requestBody: infer B }
  ? { body: JsonOf<B> }
  : O extends { requestBody?: infer B }
    ? { body?: JsonOf<Exclude<B, undefined>> }
    : { body?: undefined };
/** Path parameters, query and body of one operation; each required when the operation requires it. */
export type Init<P extends keyof paths, M extends MethodOf<P>> = PathInit<Operation<P, M>> &
  QueryInit<Operation<P, M>> &
  BodyInit<Operation<P, M>>;

type ErrorBody = components["schemas"]["ErrorBody"];

/** The server's one error shape: `{"error": {code, message, details}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isErrorBody(value: unknown): value is ErrorBody {
  return isObject(value) && isObject(value.error) && typeof value.error.code === "string";
}

/** The ApiError an answer that is not 2xx stands for (any body: a proxy may answer HTML). */
export function apiError(status: number, statusText: string, data: unknown): ApiError {
  if (isErrorBody(data)) return new ApiError(status, data.error.code, data.error.message, data.error.details ?? null);
  return new ApiError(status, `http_${status}`, statusText, null);
}

interface LooseInit {
  path?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | null | undefined>;
  body?: unknown;
}

/** `/api/projects/{project}/files` with its parameters filled in and its query appended. */
export function url<P extends keyof paths, M extends MethodOf<P>>(path: P, method: M, init: Init<P, M>): string;
export function url(path: string, _method: Method, init: LooseInit): string {
  return fill(path, init);
}

function fill(path: string, init: LooseInit): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = init.path?.[name];
    if (value === undefined) throw new Error(`${path} needs the path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(init.query ?? {})) {
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const search = query.toString();
  return search ? `${filled}?${search}` : filled;
}

/** The code of the ApiError a request that never reached the server fails with. */
export const UNREACHABLE = "server_unreachable";

/** fetch, failing with an ApiError that says the server is away rather than the browser's bare
 *  "TypeError: Failed to fetch". */
async function reach(target: string, options: RequestInit): Promise<Response> {
  try {
    return await fetch(target, options);
  } catch {
    throw new ApiError(0, UNREACHABLE, "Server unreachable: is `auteur serve` running? The editor reconnects when it is back.", null);
  }
}

/** Call one API operation; resolves to its typed answer or rejects with an ApiError. */
export function request<P extends keyof paths, M extends MethodOf<P>>(
  path: P,
  method: M,
  init: Init<P, M>,
): Promise<ResponseOf<P, M>>;
export async function request(path: string, method: Method, init: LooseInit): Promise<unknown> {
  const headers: Record<string, string> = {};
  const options: RequestInit = { method: method.toUpperCase(), headers };
  if (init.body !== undefined) {
    options.body = JSON.stringify(init.body);
    headers["content-type"] = "application/json";
  }
  const response = await reach(fill(path, init), options);
  const text = await response.text();
  const data: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) throw apiError(response.status, response.statusText, data);
  return data;
}
