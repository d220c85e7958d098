/**
 * Status words some formats log instead of a code: xferlog's completion status (last field, `c` or
 * `i`, stored as `complete`/`incomplete`) and vsftpd's `OK`/`FAIL`.
 */
import type { CodeTable } from './types.js';

export const XFERLOG_TABLE: CodeTable = {
  id: 'xferlog',
  label: 'xferlog completion status',
  entries: [
    {
      code: 'c', aliases: ['complete'], title: 'Transfer complete', severity: 'success',
      meaning: 'The transfer finished: every byte was sent or received.',
      advice: 'Nothing to do.',
    },
    {
      code: 'i', aliases: ['incomplete'], title: 'Transfer incomplete', severity: 'warning',
      meaning: 'The transfer did not finish: the client aborted it, the connection dropped, or the server stopped it (timeout, disk full). The byte count is what was transferred.',
      advice: "Compare the byte count with the file size and retry; if many are incomplete, look at the server's SystemLog/syslog around that time (stalled timeouts, disk space) and at firewall idle timeouts.",
    },
  ],
};

export const VSFTPD_TABLE: CodeTable = {
  id: 'vsftpd',
  label: 'vsftpd result',
  entries: [
    {
      code: 'OK', title: 'Succeeded', severity: 'success',
      meaning: 'The action (login, upload, download, mkdir, delete...) succeeded.',
      advice: 'Nothing to do.',
    },
    {
      code: 'FAIL', title: 'Failed', severity: 'error',
      meaning: 'The action failed; for logins the text says why (e.g. "User is not in the allow user list"), for transfers the connection broke or permission was denied.',
      advice: 'For FAIL LOGIN check the password and userlist_file/userlist_deny settings; for FAIL UPLOAD/DOWNLOAD check write_enable, file permissions and disk space.',
    },
  ],
};
