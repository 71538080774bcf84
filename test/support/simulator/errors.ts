import { randomUUID } from "node:crypto";

/** Cattle's default `code` per status: the reason phrase (gdapi ErrorImpl). */
const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method not allowed",
  409: "Conflict",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export interface ErrorDetails {
  code?: string;
  message?: string;
  detail?: string;
  fieldName?: string;
}

/** Thrown anywhere in request handling; rendered as a Rancher `error` resource. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly details: ErrorDetails = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(details.message ?? details.code ?? reasonPhrase(status));
  }
}

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? `HTTP ${status}`;
}

export function errorBody(status: number, details: ErrorDetails = {}): Record<string, unknown> {
  const code = details.code ?? reasonPhrase(status);
  return {
    id: randomUUID(),
    type: "error",
    links: {},
    actions: {},
    status,
    code,
    message: details.message ?? code,
    detail: details.detail ?? null,
    ...(details.fieldName === undefined ? {} : { fieldName: details.fieldName }),
  };
}

/** 422 validation error as produced by gdapi's ValidationHandler. */
export function validationError(code: string, fieldName: string): ApiError {
  return new ApiError(422, { code, fieldName });
}
