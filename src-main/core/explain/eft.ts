/**
 * Globalscape EFT client log (`cl*.log`) codes, as seeds/eft-client-log-explained.txt gives them.
 * GetLastCode is "the protocol success or error code or socket error": FTP/FTPS rows carry FTP reply
 * codes (ftp.ts), socket errors are WinSock codes (winsock.ts), and EFT defines its own small codes
 * (0–12 and 2000; 1–8 are the SOCKS5 replies of RFC 1928) plus its own list for SFTP (-1 to 8, which
 * differs from the SFTP draft for 6–8). The optional tenth column, ActionResult, is 0 or 1.
 * Titles and meanings keep the seed's wording; the advice is ours.
 */
import type { CodeEntry, CodeTable, Severity } from './types.js';

const e = (code: string, title: string, severity: Severity, meaning: string, advice: string): CodeEntry => ({ code, title, severity, meaning, advice });

const SOCKS = 'A SOCKS5 reply (RFC 1928) relayed by EFT';

export const EFT_TABLE: CodeTable = {
  id: 'eft',
  label: 'EFT client log GetLastCode (EFT and SOCKS codes)',
  entries: [
    e('0', 'Success (connected ok)', 'success',
      'Success (connected ok): the connection to the remote server was made.',
      'Nothing to do.'),
    e('1', 'General SOCKS failure', 'error',
      `General socks failure. ${SOCKS}: the SOCKS server failed without a more specific reason.`,
      "Check the SOCKS proxy server's own log and that it is running; test the same connection without the proxy if policy allows."),
    e('2', 'Socket connection not allowed by ruleset', 'error',
      `Socket connection not allowed by ruleset. ${SOCKS}: the proxy's rules forbid connecting to this host/port.`,
      'Ask the proxy administrator to allow the destination host and port (or EFT\'s source address) in the SOCKS server rules.'),
    e('3', 'Network unreachable', 'error',
      `The network is unreachable. ${SOCKS}: the proxy has no route to the destination network.`,
      "Check the remote host address in the event rule and the proxy's routing/default gateway."),
    e('4', 'Host unreachable', 'error',
      `The host is unreachable. ${SOCKS}: the proxy could not reach the destination host.`,
      'Check that the remote host is up and that its address in the event rule is right; check firewalls between the proxy and the host.'),
    e('5', 'Connection refused by the remote server', 'error',
      `The remote server actively refused the connection. ${SOCKS}: nothing listens on that port or a firewall rejected it.`,
      'Check the port in the event rule and that the remote FTP/SFTP service is running on it.'),
    e('6', 'TTL expired', 'error',
      `The Time To Live (TTL) expired. This could indicate a network problem. ${SOCKS}.`,
      'Look for a routing loop or a very long path between the proxy and the host (traceroute from the proxy).'),
    e('7', 'Command not supported (catch-all)', 'error',
      `The command was not supported by the remote host. Also a catch all error code. ${SOCKS}.`,
      "Check the proxy type configured in EFT (SOCKS4/SOCKS5) against the proxy server; read the proxy's log for the real error."),
    e('8', 'Address type not supported', 'error',
      `The address type or format is not supported. ${SOCKS}: e.g. an IPv6 address or a host name the proxy cannot handle.`,
      'Use an IPv4 address or a host name the proxy accepts in the event rule, or enable remote name resolution on the proxy.'),
    e('10', 'Illegal SOCKS name', 'error',
      'Illegal socks name: the host name sent to the SOCKS server is not acceptable.',
      'Check the remote host name in the event rule (no spaces, scheme or path: just the host).'),
    e('11', 'SOCKS5 authentication failure', 'error',
      'Socks5 authentication failure (username/password incorrect).',
      'Correct the SOCKS user name and password in the EFT proxy settings (Server > Connections/Proxy, or the event rule action).'),
    e('12', "Can't connect to SOCKS server", 'error',
      "Can't connect to socks server: EFT could not reach the proxy itself.",
      'Check the proxy host and port in the EFT settings, that the proxy is running, and that the EFT host firewall allows outbound connections to it.'),
    e('2000', 'Internal timeout', 'error',
      'Internal timeout error code (multiple reasons, such as firewall blocking connection, etc.).',
      'Test the connection from the EFT host (telnet/Test-NetConnection to host:port); a firewall silently dropping packets is the usual cause. Raise the connection timeout only if the remote server is just slow.'),
  ],
};

export const EFT_SFTP_TABLE: CodeTable = {
  id: 'eft-sftp',
  label: 'EFT client log GetLastCode for SFTP (SSH2)',
  entries: [
    e('-1', 'Undefined or unknown error', 'error',
      'Undefined or unknown error (not enough information to determine exactly why it failed).',
      "Turn on EFT's SFTP/SSH logging (logging level Debug for SFTP in EFT's logging configuration) and run the rule again to capture the real error."),
    e('0', 'Operation completed successfully', 'success',
      'The operation completed successfully.',
      'Nothing to do.'),
    e('1', 'End of file', 'info',
      'The operation failed because of trying to read at end of file.',
      'Usually harmless (a read past the end); if a download is short, compare the file size on both ends and retry.'),
    e('2', 'File does not exist', 'error',
      'The requested file does not exist.',
      'Check the remote path in the event rule (case, leading slash, the remote user\'s home/virtual root) and that the file is there when the rule runs.'),
    e('3', 'Insufficient privileges', 'error',
      'Insufficient privileges to perform the operation.',
      'Check the remote account\'s permissions on the path (read for downloads, write/create for uploads, delete for moves).'),
    e('4', 'Operation failed for another reason', 'error',
      'The requested operation failed for some other reason.',
      "Look at the remote server's log for the same time (disk full, file in use, directory exists...); retry with a desktop SFTP client to see its message."),
    e('5', 'Badly formatted message', 'error',
      'A badly formatted message was received. This indicates an error or incompatibility in the protocol implementation.',
      'An incompatibility with the remote SFTP server: update EFT and ask the remote side which SFTP versions it supports.'),
    e('6', 'Connection not established, timed out', 'error',
      'Connection has not been established (yet) and a timeout occurred.',
      'Check that the remote host and port are reachable from the EFT host (firewall, DNS) and that the SSH service answers.'),
    e('7', 'Connection lost', 'error',
      'Connection to the server was lost, and the operation could not be performed.',
      'Look for network drops or idle timeouts on firewalls/NAT between EFT and the remote host; retry.'),
    e('8', 'Timeout', 'error',
      'A timeout occurred.',
      'The remote server stopped answering: check its load and the network; raise the timeout in the rule only if the server is just slow.'),
  ],
};

export const EFT_ACTION_RESULT_TABLE: CodeTable = {
  id: 'eft-action-result',
  label: 'EFT client log ActionResult (optional tenth column)',
  entries: [
    e('0', 'Event succeeded', 'success',
      'Success: the action of the event rule succeeded (the "if action FAILED" actions of the rule are skipped).',
      'Nothing to do.'),
    e('1', 'Event failed', 'error',
      'Failure: the action of the event rule failed; the "if action FAILED" actions of the rule run.',
      'GetLastCode on the same line says why (FTP reply, SFTP status, EFT/SOCKS code or WinSock error).'),
  ],
};
