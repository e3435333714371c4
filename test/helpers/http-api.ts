// How tests talk to a running Tether server's API: JSON in, status and JSON out, bearer token.

// the tests read response JSON loosely and assert on its fields
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiResponse = { status: number; json: any; text: string };
export type Api = (method: string, path: string, body?: unknown) => Promise<ApiResponse>;

/** One request to `base + path` (path given whole, e.g. "/api/v1/images"). */
export async function apiCall(base: string, token: string, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, text };
}

/** A client for the API of the server at `url`: paths are under /api/v1 (e.g. "/images"). */
export function makeApi(url: string, token: string): Api {
  return (method, path, body) => apiCall(url, token, method, `/api/v1${path}`, body);
}
