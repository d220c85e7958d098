/**
 * strerror(3) reasons: the texts that end many Unix server messages ("…: Permission denied").
 * The first twelve are the table of ProFTPD's "Log Messages" howto (seeds/proftpd-log-messages.txt),
 * meanings paraphrased from it; the others are the ones transfer servers commonly print besides.
 * Codes are the errno names: their numbers differ between systems.
 */
import type { CodeEntry, CodeTable, Severity } from './types.js';

const e = (code: string, text: string, severity: Severity, meaning: string, advice: string): CodeEntry =>
  ({ code, name: code, title: text, severity, meaning, advice, aliases: [text] });

/** The howto's table, in its order. */
const SEED_ENTRIES: readonly CodeEntry[] = [
  e('EPERM', 'Operation not permitted', 'error',
    'The operation cannot be done, usually because of a misconfiguration or missing system support or resources. Some platforms (e.g. Solaris) print this text for EACCES too.',
    'If it follows a privilege change (PRIVS, setuid), start the server as root; otherwise check the configuration directive named in the message.'),
  e('EACCES', 'Permission denied', 'error',
    'Access controls forbid it: the logged-in user lacks file system permission to open/read/write/delete the file or directory, or the user or client is barred by configuration.',
    "Check the owner and mode of the file and of every directory above it for the user the server runs the session as (`namei -l PATH`), and the server's <Limit> rules."),
  e('EINVAL', 'Invalid argument', 'error',
    'The parameters given were considered invalid; the reason depends on the operation.',
    'Look at the operation named in the message: for setgroups the user is in too many groups; for a path, characters the file system refuses.'),
  e('ENOENT', 'No such file or directory', 'error',
    'The file, directory or other resource does not exist.',
    'Check the path (case, the user\'s chroot/DefaultRoot) and create missing directories (home directories, log and scoreboard directories).'),
  e('EISDIR', 'Is a directory', 'error',
    'The operation expects a file but the path is a directory.',
    'Correct the path (the client may have sent a directory name to RETR/STOR, or a log directive names a directory).'),
  e('EBADF', 'Bad file descriptor', 'error',
    'A read/write/close/delete was attempted on a file descriptor that was not open.',
    'Usually a server bug or a race after a connection dropped; update the server if it repeats.'),
  e('EADDRINUSE', 'Address already in use', 'error',
    'The process tried to listen on an address and port that is already bound; usually another process (inetd/xinetd, another server instance) listens there.',
    'Find the owner (`ss -ltnp`, `netstat -ano`) and stop it, or move one of the listeners to another address/port.'),
  e('EPIPE', 'Broken pipe', 'warning',
    'The process sent something to a TCP peer that had already closed the connection; a firewall, router or NAT between the peers may have closed it silently.',
    'Usually the client went away; if frequent, look for firewall/NAT idle timeouts shorter than the transfer or idle times.'),
  e('ECONNRESET', 'Connection reset by peer', 'warning',
    'The remote TCP peer reset the connection (RST): almost always the client, or a firewall/router/NAT between client and server.',
    'Look at the client side and at devices in between (idle timeouts, IDS resets); retry the transfer.'),
  e('ECONNREFUSED', 'Connection refused', 'error',
    'The remote peer refused the TCP connection: firewalls, routers, NAT or network ACLs in the way, or nothing listening on the port.',
    'For active-mode FTP the client refused the data connection: use passive mode; otherwise check the port and firewalls.'),
  e('EMFILE', 'Too many open files', 'error',
    'The per-process limit of open files (sockets included) was reached.',
    'Raise the per-process limit (`ulimit -n`, systemd LimitNOFILE, ProFTPD RLimitOpenFiles) or lower the number of simultaneous sessions.'),
  e('ENFILE', 'Too many open files in system', 'error',
    'The system-wide limit of open files (sockets included) was reached.',
    'Raise the system-wide limit (`sysctl fs.file-max`) and look for a process leaking descriptors.'),
];

const MORE_ENTRIES: readonly CodeEntry[] = [
  e('ENOSPC', 'No space left on device', 'error',
    'The file system is full, so the write failed.',
    'Free space on that file system (old logs, uploads) or extend it; `df -h` shows which one.'),
  e('EDQUOT', 'Disk quota exceeded', 'error',
    "The user's (or group's) disk quota on that file system is exhausted.",
    "Raise the quota (`edquota`) or clean up the user's files."),
  e('EROFS', 'Read-only file system', 'error',
    'The file system is mounted read-only (possibly remounted after errors).',
    'Check `mount` and the kernel log: a file system remounted read-only after errors needs a check (fsck).'),
  e('EEXIST', 'File exists', 'warning',
    'The file or directory to create already exists.',
    'Nothing to do on the server; the client can delete or overwrite first.'),
  e('ENOTDIR', 'Not a directory', 'error',
    'A component of the path is a file, not a directory.',
    'Correct the path the client or configuration uses.'),
  e('ENOTEMPTY', 'Directory not empty', 'warning',
    'The directory cannot be removed because it still contains files.',
    'Delete its contents first.'),
  e('ETIMEDOUT', 'Connection timed out', 'error',
    'The TCP peer did not answer in time: down, unreachable, or a firewall dropping packets.',
    'Test the connection from the server; check firewalls and, for FTP data connections, the passive/active mode and port range.'),
  e('EHOSTUNREACH', 'No route to host', 'error',
    'There is no route to the peer, or a router/firewall answered host unreachable.',
    'Check routing and firewall rules between the server and the peer.'),
  e('ENETUNREACH', 'Network is unreachable', 'error',
    'There is no route to the peer\'s network.',
    'Check the default gateway and routes of the server.'),
  e('EAGAIN', 'Resource temporarily unavailable', 'warning',
    'A resource (process slots, memory, a non-blocking operation) was temporarily unavailable.',
    'For fork failures check the process limits (`ulimit -u`) and memory; otherwise retry.'),
];

export const STRERROR_TABLE: CodeTable = {
  id: 'strerror',
  label: 'strerror(3) reason (errno)',
  entries: [...SEED_ENTRIES, ...MORE_ENTRIES],
};

/**
 * The howto's table keyed by the text as printed, for the ProFTPD formats (kept in this shape for
 * proftpd-messages.ts and its callers).
 */
export const STRERROR_REASONS: Readonly<Record<string, { code: string; details: string }>> = Object.fromEntries(
  SEED_ENTRIES.map((x) => [x.title, { code: x.code, details: x.meaning }]),
);
