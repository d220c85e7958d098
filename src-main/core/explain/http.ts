/**
 * The HTTP status codes (RFC 9110) file-transfer servers' web interfaces log (EFT HTTPS/WTC, IIS,
 * Pure-FTPd's clf), and their classes for the others.
 */
import type { CodeEntry, CodeTable, Severity } from './types.js';

const e = (code: string, title: string, severity: Severity, meaning: string, advice: string): CodeEntry => ({ code, title, severity, meaning, advice });

export const HTTP_TABLE: CodeTable = {
  id: 'http',
  label: 'HTTP status code (RFC 9110)',
  entries: [
    e('100', 'Continue', 'info', 'The server accepted the request headers; the client sends the body (an upload) next.', 'Nothing to do.'),
    e('101', 'Switching protocols', 'info', 'The connection switches protocol (e.g. to WebSocket).', 'Nothing to do.'),
    e('200', 'OK', 'success', 'The request succeeded.', 'Nothing to do.'),
    e('201', 'Created', 'success', 'The request created a resource (e.g. an uploaded file or a folder).', 'Nothing to do.'),
    e('204', 'No content', 'success', 'The request succeeded and there is nothing to return.', 'Nothing to do.'),
    e('206', 'Partial content', 'success', 'A range of the file was sent (a resumed or segmented download).', 'Nothing to do.'),
    e('301', 'Moved permanently', 'info', 'The resource is at another URL for good.', 'Update links or bookmarks that use the old URL.'),
    e('302', 'Found (redirect)', 'info', 'The client is redirected (often to the login page).', 'Nothing to do, unless users loop between pages: then check the session/cookie settings.'),
    e('304', 'Not modified', 'success', 'The client\'s cached copy is still valid.', 'Nothing to do.'),
    e('400', 'Bad request', 'error', 'The server could not understand the request (malformed, too large headers).', 'Usually a broken client or a scanner; if a real user gets it, look at proxies rewriting requests.'),
    e('401', 'Unauthorized (login required or failed)', 'error', 'The request needs authentication, or the credentials sent were wrong.', 'Check the user\'s credentials; many from one address are password guessing: ban the address.'),
    e('403', 'Forbidden', 'error', 'The user is authenticated but not allowed to do this (permissions, IP restriction, disabled feature).', "Check the user's folder permissions and the IP access rules of the site."),
    e('404', 'Not found', 'error', 'The file or page does not exist.', 'Check the path; scanners probing for pages cause many of these.'),
    e('405', 'Method not allowed', 'error', 'The HTTP method (e.g. PUT, DELETE, a WebDAV method) is not allowed for this resource.', 'Enable the method (e.g. WebDAV) on the site if clients need it.'),
    e('408', 'Request timeout', 'warning', 'The client took too long to send the request.', 'Slow or stalled clients; raise the request timeout only for slow uploads.'),
    e('409', 'Conflict', 'error', 'The request conflicts with the current state (e.g. a folder on the way is missing, the file exists).', 'Create the parent folder or rename.'),
    e('411', 'Length required', 'error', 'The upload was sent without a Content-Length.', 'A client issue; update the client.'),
    e('413', 'Content too large', 'error', 'The upload is larger than the server allows.', 'Raise the maximum upload/request size on the site (and on any reverse proxy in front of it).'),
    e('414', 'URI too long', 'error', 'The URL is longer than the server accepts.', 'Use shorter paths; usually a scanner.'),
    e('416', 'Range not satisfiable', 'error', 'The range asked for (resume) is outside the file.', 'The file changed size; restart the download from the beginning.'),
    e('429', 'Too many requests', 'warning', 'The client sent too many requests and is rate-limited.', 'Nothing to do if it is abuse; raise the limit for legitimate automated clients.'),
    e('500', 'Internal server error', 'error', 'The server failed while processing the request.', "Look at the server's error log at the same time."),
    e('501', 'Not implemented', 'error', 'The server does not support the method.', 'Configure the client to use a supported method.'),
    e('502', 'Bad gateway', 'error', 'A reverse proxy or gateway got an invalid answer from the server behind it.', 'Check that the back-end server is running and reachable from the proxy.'),
    e('503', 'Service unavailable', 'warning', 'The server is overloaded, starting or in maintenance.', 'Retry later; check the server load and connection limits.'),
    e('504', 'Gateway timeout', 'warning', 'A reverse proxy did not get an answer from the back-end in time.', 'Check the back-end server load; raise the proxy timeout for long uploads.'),
    e('507', 'Insufficient storage', 'error', 'The server has no space to store the upload (WebDAV).', 'Free disk space or raise the quota.'),
  ],
};

const HTTP_CLASSES: Readonly<Record<string, Omit<CodeEntry, 'code'>>> = {
  '1': { title: 'Informational', severity: 'info', meaning: 'An interim response; the final one follows.', advice: 'Nothing to do.' },
  '2': { title: 'Success', severity: 'success', meaning: 'The request succeeded.', advice: 'Nothing to do.' },
  '3': { title: 'Redirection', severity: 'info', meaning: 'The client must go elsewhere (another URL, its cache).', advice: 'Nothing to do unless users loop between pages.' },
  '4': { title: 'Client error', severity: 'error', meaning: 'The request was wrong or not allowed (authentication, permissions, missing file).', advice: "Look at the path and the user's permissions." },
  '5': { title: 'Server error', severity: 'error', meaning: 'The server failed to handle a valid request.', advice: "Look at the server's error log at the same time." },
};

/** An explanation by class for an HTTP status the table does not list. */
export function httpClassEntry(code: string): CodeEntry | undefined {
  const m = /^([1-5])(?:\d\d|xx)$/i.exec(code);
  if (!m) return undefined;
  const cls = HTTP_CLASSES[m[1]!]!;
  return { code, ...cls };
}
