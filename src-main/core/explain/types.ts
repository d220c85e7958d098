/**
 * The shape every explanation table shares (ftp.ts, sftp.ts, eft.ts, winsock.ts, strerror.ts...),
 * and what a lookup answers. Types only, importing nothing: the API contract re-exports them, and
 * the renderer type-checks them without Node types.
 */

export type Severity = 'info' | 'success' | 'warning' | 'error';

export interface CodeEntry {
  /** The code as logged: `550`, `2`, `10054`, `EACCES`, `c`. */
  code: string;
  /** A few words, shown after the code in result lists: "File unavailable (not found, no access)". */
  title: string;
  /** What happened, in a sentence or two. */
  meaning: string;
  severity: Severity;
  /** What the admin can check or change. */
  advice: string;
  /** The symbolic name, when the code has one (`WSAECONNRESET`, `SSH_FX_NO_SUCH_FILE`, `ECONNRESET`). */
  name?: string;
  /** Other texts that name this entry in logs (OpenSSH's "No such file", strerror's wording). */
  aliases?: readonly string[];
}

export interface CodeTable {
  /** Stable id, stored nowhere but shown by `xferlens explain` and usable as `--protocol`. */
  id: string;
  label: string;
  entries: readonly CodeEntry[];
}

/** One entry of a table as a lookup finds it (FTP reply codes, SFTP status, WinSock, EFT, ProFTPD messages…). */
export type Explanation = Omit<CodeEntry, 'aliases'> & {
  /** The table it comes from: `ftp`, `sftp`, `eft`, `winsock`, `proftpd`… */
  table: string;
};
