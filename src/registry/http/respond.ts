/** Writing registry responses: every answer carries the API version header; errors use the spec's body. */
import type { ServerResponse } from 'node:http';
import { errorBody, type RegistryError } from '../errors.js';

export const API_VERSION_HEADER = { 'docker-distribution-api-version': 'registry/2.0' };

export function send(res: ServerResponse, status: number, headers: Record<string, string | number>, body?: string | Buffer, head = false) {
  const bytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...API_VERSION_HEADER, 'content-length': bytes?.length ?? 0, ...headers });
  res.end(head ? undefined : bytes);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}, head = false) {
  send(res, status, { 'content-type': 'application/json', ...headers }, JSON.stringify(value), head);
}

export function sendError(res: ServerResponse, err: RegistryError, headers: Record<string, string> = {}, head = false) {
  // A HEAD answer has no body, but keeps the status (docker reads it to decide).
  send(res, err.status, { 'content-type': 'application/json', ...err.headers, ...headers }, errorBody(err), head);
}
