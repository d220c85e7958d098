/**
 * The ProFTPD SystemLog / syslog message catalogue: what a message means and what the admin can do
 * about it. Data first: the formats (proftpd-system, syslog) classify messages with it, and
 * `xferlens explain` will print the same entries.
 *
 * Sources: ProFTPD's "Log Messages" howto (seeds/proftpd-log-messages.txt, which groups messages by
 * level: ALERT, ERR and INFO are documented; EMERG, CRIT and DEBUG have none there), the messages
 * FORMATS.md §3 names, the real ProFTPD 1.3.8 SystemLog in test/fixtures/proftpd/logs/system.log and
 * the wording of ProFTPD's own sources (mod_auth.c, main.c, mod_core.c) for the levels of messages
 * the howto does not list. Patterns are anchored and tolerate the trailing dot and space older
 * versions print (`Incorrect password. `): callers trim the message first.
 */

/** syslog levels as ProFTPD names them (LogLevels.html). */
export type ProftpdLogLevel = 'EMERG' | 'ALERT' | 'CRIT' | 'ERR' | 'WARNING' | 'NOTICE' | 'INFO' | 'DEBUG';

export const PROFTPD_LOG_LEVELS: readonly ProftpdLogLevel[] = ['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

export type ProftpdMessageCategory =
  | 'auth-success'
  | 'auth-failure'
  | 'session-start'
  | 'session-end'
  | 'transfer'
  | 'config-error'
  | 'resource-exhaustion'
  | 'other';

export interface ProftpdMessageEntry {
  /** Stable identifier, e.g. `login-failed`. */
  id: string;
  /** A few words for result lists: "Login failed". */
  title: string;
  /**
   * Matches the whole (trimmed) message. Named groups: user, reason, address, port, count, path,
   * protocol, signal, version, mode, module, limit, clientName, serverAddress, detail...
   */
  pattern: RegExp;
  level: ProftpdLogLevel;
  category: ProftpdMessageCategory;
  /** One sentence: what happened. */
  what: string;
  /** What the admin can do (paraphrasing ProFTPD's documentation where it says). */
  advice: string;
  /** Normalised event verb for the indexer (lower case). */
  verb: string;
  /** For logins, transfers and limits: did the action succeed? */
  outcome?: 'success' | 'failure';
  /** A fixed reason code this message implies (e.g. `unknown_user`); else derived from `reason`. */
  reason?: string;
  /**
   * Set when another message always reports the same event: counting both would count it twice.
   * The value is the verb of the message that counts.
   */
  duplicateOf?: string;
  /** A real line carrying this message, for documentation and tests. */
  example?: string;
}

const USER = '(?<user>.+?)';

export const PROFTPD_MESSAGES: readonly ProftpdMessageEntry[] = [
  // ---------------------------------------------------------------- INFO: sessions and logins
  {
    id: 'session-opened',
    title: 'Session opened',
    pattern: /^(?<protocol>FTP|SSH2) session opened\.?$/,
    level: 'INFO', category: 'session-start', verb: 'session-open',
    what: 'A client connected and ProFTPD started a session process for it (FTP, FTPS or SSH2/SFTP, by the server it connected to).',
    advice: 'Nothing to do; with SyslogLevel below INFO (the default since 1.3.6 is NOTICE) these lines are not logged.',
    example: 'FTP session opened.',
  },
  {
    id: 'session-closed',
    title: 'Session closed',
    pattern: /^(?<protocol>FTP|SSH2) session closed\.?$/,
    level: 'INFO', category: 'session-end', verb: 'session-close',
    what: 'The session process for a client ended (the client quit, was disconnected or timed out).',
    advice: 'Nothing to do; look at the lines before it with the same pid for the reason the session ended.',
    example: 'SSH2 session closed.',
  },
  {
    id: 'login-successful',
    title: 'Login successful',
    pattern: new RegExp(`^(?<kind>USER|ANON) ${USER}: Login successful\\.$`),
    level: 'INFO', category: 'auth-success', verb: 'login', outcome: 'success',
    what: 'The user authenticated (USER: with a password; ANON: anonymously) and is logged in.',
    advice: 'Nothing to do, unless the user or the client address is unexpected.',
    example: 'USER alice: Login successful.',
  },
  {
    // mod_sftp logs the SFTP login itself without the final dot, then the core logs it again with
    // the dot (fixture README: "SFTP login is logged twice"). The dotted line is the one every
    // protocol gets, so it is the one that counts; this one is kept as an event, marked duplicate.
    id: 'login-successful-sftp',
    title: 'SFTP login successful (logged twice)',
    pattern: new RegExp(`^(?<kind>USER|ANON) ${USER}: Login successful$`),
    level: 'INFO', category: 'auth-success', verb: 'login', outcome: 'success', duplicateOf: 'login',
    what: 'mod_sftp reports a successful SSH2/SFTP login; the core logs the same login again right after as "Login successful." (with a dot).',
    advice: 'Nothing to do; count the login once (the line with the dot).',
    example: 'USER alice: Login successful',
  },
  {
    id: 'root-login-successful',
    title: 'root logged in over FTP',
    pattern: /^ROOT FTP login successful\.?$/,
    level: 'WARNING', category: 'auth-success', verb: 'root-login', outcome: 'success', duplicateOf: 'login',
    what: 'root logged in over FTP (allowed by "RootLogin on"); the usual "Login successful." line follows.',
    advice: 'Logging in as root sends its password in clear text over plain FTP: remove "RootLogin on" unless it is really needed.',
  },
  {
    id: 'authenticated-without-password',
    title: 'Authenticated without password',
    pattern: new RegExp(`^USER ${USER}: Authenticated without password$`),
    level: 'NOTICE', category: 'auth-success', verb: 'auth-nopass', outcome: 'success', duplicateOf: 'login',
    what: 'The user was authenticated without a PASS command (e.g. by a TLS client certificate).',
    advice: 'Nothing to do if certificate or other password-less logins are intended.',
  },
  {
    id: 'masquerading',
    title: 'Passive address masqueraded',
    pattern: /^(?<address>\S+?):(?<port>\d+) masquerading as (?<masqueradeAddress>\S+)$/,
    level: 'INFO', category: 'other', verb: 'masquerade',
    what: 'The server announces another address to clients for passive data connections (MasqueradeAddress).',
    advice: 'Nothing to do if the server is behind NAT; check that the address is the public one clients can reach.',
  },
  {
    id: 'idle-timeout',
    title: 'Idle timeout, disconnected',
    pattern: /^(?:Client|FTP) session idle timeout, disconnected\.?$/,
    level: 'INFO', category: 'session-end', verb: 'timeout', reason: 'idle_timeout',
    what: 'The client did nothing useful for TimeoutIdle seconds and was disconnected.',
    advice: 'This is quite common and normal; raise TimeoutIdle if users complain about being disconnected while idle.',
    example: 'Client session idle timeout, disconnected',
  },
  {
    id: 'login-timeout',
    title: 'Login timeout, disconnected',
    pattern: /^Login timeout exceeded(?:, disconnected)?\.?$/,
    level: 'INFO', category: 'session-end', verb: 'timeout', reason: 'login_timeout',
    what: 'The client did not complete USER/PASS within TimeoutLogin seconds and was disconnected.',
    advice: 'Usually a scanner or a stuck client; raise TimeoutLogin only if slow authentication back-ends (LDAP, SQL) need it.',
  },
  {
    id: 'session-timeout',
    title: 'Session timeout, disconnected',
    pattern: /^FTP session timed out, disconnected\.?$/,
    level: 'INFO', category: 'session-end', verb: 'timeout', reason: 'session_timeout',
    what: 'The session lasted longer than TimeoutSession allows and was closed.',
    advice: 'Raise TimeoutSession for users who need long sessions (large transfers).',
  },
  {
    id: 'noxfer-timeout',
    title: 'No-transfer timeout, disconnected',
    pattern: /^FTP no transfer timeout, disconnected\.?$/,
    level: 'INFO', category: 'session-end', verb: 'timeout', reason: 'no_transfer_timeout',
    what: 'The client sent commands but started no transfer for TimeoutNoTransfer seconds and was disconnected.',
    advice: 'Raise TimeoutNoTransfer if clients legitimately browse for a long time before transferring.',
  },
  {
    id: 'stalled-timeout',
    title: 'Data transfer stalled, aborted',
    pattern: /^Data transfer stall timeout(?::\s*(?<count>\d+) seconds?|, disconnected)?\.?$/,
    level: 'NOTICE', category: 'transfer', verb: 'timeout', outcome: 'failure', reason: 'stalled_timeout',
    what: 'No data moved on the data connection for TimeoutStalled seconds and the transfer was aborted.',
    advice: 'Usually a network problem (firewall or NAT dropping the data connection); raise TimeoutStalled for slow links.',
  },
  {
    id: 'dso-already-loaded',
    title: 'Module already loaded (redundant LoadModule)',
    pattern: /^mod_dso: module '?(?<module>[^'\s]+?)'? (?:is )?already loaded\.?$/,
    level: 'INFO', category: 'config-error', verb: 'config',
    what: 'A LoadModule directive names a module that is already loaded (loaded before, or built in statically).',
    advice: 'The configuration has a redundant LoadModule directive, which can be removed.',
  },
  {
    id: 'preparing-chroot',
    title: 'Restricting user to their directory (chroot)',
    pattern: /^Preparing to chroot to directory '(?<path>[^']*)'$/,
    level: 'INFO', category: 'other', verb: 'chroot',
    what: 'The logged-in user is about to be restricted to this directory (DefaultRoot).',
    advice: 'Nothing to do; if the chroot then fails, an ERR "chroot to ... failed" line follows.',
  },

  // ---------------------------------------------------------------- NOTICE: failed logins, limits, start/stop
  {
    id: 'login-failed',
    title: 'Login failed',
    pattern: new RegExp(`^(?<kind>USER|ANON) ${USER} \\(Login failed\\): (?<reason>.+?)\\.?$`),
    level: 'NOTICE', category: 'auth-failure', verb: 'login-failed', outcome: 'failure',
    what: 'A login was refused; the text after "Login failed" says why (wrong password, expired or disabled account, invalid shell, user in /etc/ftpusers, <Limit LOGIN>...).',
    advice: 'A few are typos; many from one address are password guessing: lower MaxLoginAttempts, use mod_ban or fail2ban. For "Invalid shell" add the shell to /etc/shells or set "RequireValidShell off"; for "User in /etc/ftpusers" remove the user from that file or set "UseFtpUsers off".',
    example: 'USER bob (Login failed): Incorrect password',
  },
  {
    id: 'no-such-user',
    title: 'Login with an unknown user name',
    pattern: new RegExp(`^USER ${USER}: no such user found from (?<clientName>\\S*) \\[(?<address>[^\\]]*)\\] to (?<serverAddress>\\S+?):(?<port>\\d+)$`),
    level: 'NOTICE', category: 'auth-failure', verb: 'login-failed', outcome: 'failure', reason: 'unknown_user',
    what: 'A client tried to log in with a user name the server does not know (neither system nor AuthUserFile/SQL/LDAP user).',
    advice: 'Many different names from one address are a scan: block it (mod_ban, fail2ban). If a real user gets this, check the AuthOrder and the user database.',
    example: 'USER mallory: no such user found from 127.0.0.1 [127.0.0.1] to 127.0.0.1:2121',
  },
  {
    id: 'no-such-user-short',
    title: 'UserPassword names an unknown user',
    pattern: /^no such user '(?<user>[^']*)'$/,
    level: 'NOTICE', category: 'auth-failure', verb: 'login-failed', outcome: 'failure', reason: 'unknown_user', duplicateOf: 'login-failed',
    what: 'A UserPassword directive names a user the system does not know; a "Login failed" line follows.',
    advice: 'Remove the UserPassword directive or create the user.',
  },
  {
    id: 'not-user-alias',
    title: 'User name is not a UserAlias',
    pattern: new RegExp(`^USER ${USER}: user is not a UserAlias from (?<clientName>\\S*) \\[(?<address>[^\\]]*)\\] to (?<serverAddress>\\S+?):(?<port>\\d+)$`),
    level: 'NOTICE', category: 'auth-failure', verb: 'login-failed', outcome: 'failure', reason: 'not_user_alias',
    what: 'The login name is not one of the UserAlias names this server accepts (AuthAliasOnly is on).',
    advice: 'Add a UserAlias for the name, or turn AuthAliasOnly off.',
  },
  {
    id: 'limit-denies-login',
    title: 'Login denied by configuration',
    pattern: new RegExp(`^(?<kind>USER|ANON) ${USER}: (?<reason>Limit access denies login|AnonRejectPasswords denies login)$`),
    level: 'NOTICE', category: 'auth-failure', verb: 'login-failed', outcome: 'failure',
    what: 'The configuration does not let this user (or anonymous password) log in: a <Limit LOGIN> section or AnonRejectPasswords.',
    advice: 'If the user should get in, check the <Limit LOGIN> sections (AllowUser/DenyUser/AllowGroup) that apply to this server.',
  },
  {
    id: 'root-login-attempted',
    title: 'root login attempt refused',
    pattern: /^SECURITY VIOLATION: [Rr]oot login attempted\.?$/,
    level: 'NOTICE', category: 'auth-failure', verb: 'login-failed', outcome: 'failure', reason: 'root_login',
    what: 'Someone tried to log in as root, which ProFTPD refuses unless "RootLogin on".',
    advice: 'Usually password guessing: block the address (mod_ban, fail2ban). Keep RootLogin off.',
  },
  {
    id: 'empty-password',
    title: 'Empty password refused',
    pattern: /^Refusing empty password from user '(?<user>[^']*)'$/,
    level: 'NOTICE', category: 'auth-failure', verb: 'login-failed', outcome: 'failure', reason: 'empty_password',
    what: 'The client sent an empty password and AllowEmptyPasswords is off.',
    advice: 'Nothing to do; the client has to send a password.',
  },
  {
    id: 'pam-error',
    title: 'PAM authentication error',
    pattern: /^PAM\((?<user>[^)]*)\): (?<reason>.+?)\.?$/,
    level: 'NOTICE', category: 'auth-failure', verb: 'pam', outcome: 'failure', duplicateOf: 'login-failed',
    what: 'PAM refused or failed the authentication; the "Login failed" line for the same session gives the result.',
    advice: 'Check /etc/pam.d/proftpd (a missing module breaks every login) and the system auth log.',
  },
  {
    id: 'max-login-attempts',
    title: 'Too many failed logins, disconnected',
    pattern: /^Maximum login attempts \((?<count>\d+)\) exceeded(?:, connection refused)?\.?$/,
    level: 'NOTICE', category: 'auth-failure', verb: 'max-login-attempts', outcome: 'failure', reason: 'max_login_attempts',
    what: 'The client failed to log in MaxLoginAttempts times in one session and was disconnected.',
    advice: 'Typical of password guessing: block the address (mod_ban, fail2ban); if it is a real user, reset their password.',
    example: 'Maximum login attempts (3) exceeded',
  },
  {
    id: 'connection-refused-limit',
    title: 'Connection refused: connection limit reached',
    pattern: /^Connection refused \((?<limit>MaxClients|MaxClientsPerHost|MaxClientsPerUser|MaxClientsPerClass|MaxHostsPerUser|MaxConnectionsPerHost)(?: (?<class>\S+))? (?<count>\d+)\)$/,
    level: 'NOTICE', category: 'resource-exhaustion', verb: 'connection-refused', outcome: 'failure',
    what: 'A client was turned away because a connection limit (MaxClients, MaxClientsPerHost...) was reached.',
    advice: 'Raise the limit named in the message if legitimate users hit it, or look for a client opening too many connections.',
  },
  {
    id: 'server-startup',
    title: 'Server started',
    pattern: /^ProFTPD (?<version>\S+)(?: \((?<release>[^)]*)\))?(?: \(built (?<built>[^)]*)\))? (?<mode>standalone|inetd) mode STARTUP$/,
    level: 'NOTICE', category: 'other', verb: 'server-start',
    what: 'The ProFTPD daemon started.',
    advice: 'Nothing to do; an unexpected restart is worth matching with the lines just before it.',
    example: 'ProFTPD 1.3.8 (stable) (built Fri May 1 2026 20:02:15 UTC) standalone mode STARTUP',
  },
  {
    id: 'server-shutdown',
    title: 'Server stopped',
    pattern: /^ProFTPD (?<version>\S+) (?<mode>standalone|inetd) mode SHUTDOWN$/,
    level: 'NOTICE', category: 'other', verb: 'server-stop',
    what: 'The ProFTPD daemon stopped.',
    advice: 'Nothing to do if it was stopped on purpose (service stop, package upgrade).',
    example: 'ProFTPD 1.3.8 standalone mode SHUTDOWN',
  },
  {
    id: 'server-killed',
    title: 'Server stopped by a signal',
    pattern: /^ProFTPD killed \(signal (?<signal>\d+)\)$/,
    level: 'NOTICE', category: 'other', verb: 'server-killed',
    what: 'The daemon received a termination signal (15 = SIGTERM, the normal "stop") and stopped its sessions.',
    advice: 'Nothing to do for signal 15 from a service stop or log rotation; find who sent it otherwise.',
    example: 'ProFTPD killed (signal 15)',
  },
  {
    id: 'server-terminating',
    title: 'Process terminating on a signal',
    pattern: /^ProFTPD terminating \(signal (?<signal>\d+)\)$/,
    level: 'WARNING', category: 'other', verb: 'server-killed',
    what: 'A ProFTPD process is terminating on a signal (11 = SIGSEGV is a crash).',
    advice: 'For signal 11, update ProFTPD and report the crash with the lines before it (enable a DebugLevel to get more).',
  },
  {
    id: 'server-rehash',
    title: 'Configuration reloaded (SIGHUP)',
    pattern: /^received SIGHUP -- master server (?:rehashing|reparsing) configuration file$/,
    level: 'NOTICE', category: 'other', verb: 'server-reload',
    what: 'The daemon received SIGHUP and re-read its configuration.',
    advice: 'Nothing to do; check the following lines for configuration errors.',
  },
  {
    id: 'defaultroot-unusable',
    title: 'DefaultRoot directory unusable, login fails',
    pattern: /^(?:notice: unable to use DefaultRoot '(?<path>[^']*)'(?: \[resolved to '[^']*'\])?: (?<reason>.+)|error: unable to (?:determine|set) DefaultRoot directory)$/,
    level: 'NOTICE', category: 'config-error', verb: 'chroot', outcome: 'failure',
    what: "The user's DefaultRoot directory could not be resolved or used, so the login fails.",
    advice: 'Check that the DefaultRoot directory exists for this user and that the user may traverse (execute permission on) every directory on the way.',
  },
  {
    id: 'directory-not-accessible',
    title: 'Anonymous root directory not accessible',
    pattern: /^(?<user>\S+): Directory (?<path>.+) is not accessible$/,
    level: 'NOTICE', category: 'config-error', verb: 'chroot', outcome: 'failure',
    what: 'The <Anonymous> root directory is not accessible for the anonymous user, so the login fails.',
    advice: 'Check the <Anonymous> directory path and that the anonymous User has execute permission on it.',
  },
  {
    id: 'chdir-failed',
    title: 'Cannot enter home directory, login fails',
    pattern: /^(?<user>\S+) chdir\("(?<path>[^"]*)"\) failed: (?<reason>.+)$/,
    level: 'NOTICE', category: 'config-error', verb: 'chdir', outcome: 'failure',
    what: "ProFTPD could not change into the user's home (or default) directory after login, so the login fails.",
    advice: 'Create the home directory (or set CreateHome on) and check its permissions for the user.',
  },
  {
    id: 'scoreboard-notice',
    title: 'Scoreboard entry error',
    pattern: /^(?:error rewinding scoreboard|notice: unable to add scoreboard entry): (?<reason>.+)$/,
    level: 'NOTICE', category: 'config-error', verb: 'scoreboard',
    what: 'A session could not read or add its ScoreboardFile entry (ftpwho/ftptop and Max* limits rely on it).',
    advice: 'Check that the ScoreboardFile directory exists, is on a local file system and is writable by root.',
  },

  // ---------------------------------------------------------------- WARNING
  {
    id: 'chroot-symlink-denied',
    title: 'chroot directory is a symlink (denied)',
    pattern: /^error: (?:DefaultRoot|<Anonymous) (?<path>.+?)>? is a symlink \(denied by AllowChrootSymlinks config\)$/,
    level: 'WARNING', category: 'config-error', verb: 'chroot', outcome: 'failure',
    what: 'The chroot directory is a symbolic link and AllowChrootSymlinks is off, so it is refused.',
    advice: 'Point DefaultRoot/<Anonymous> at the real directory, or set AllowChrootSymlinks on.',
  },
  {
    id: 'unable-to-check',
    title: 'Cannot check the chroot directory',
    pattern: /^error: unable to check (?<path>.+): (?<reason>.+)$/,
    level: 'WARNING', category: 'config-error', verb: 'chroot', outcome: 'failure',
    what: 'ProFTPD could not inspect the chroot directory it was configured to use.',
    advice: 'Check that the directory exists and that its parents are readable.',
  },
  {
    id: 'home-directory-empty',
    title: 'User has no home directory',
    pattern: /^error: user (?<user>\S+) home directory is NULL or ""$/,
    level: 'WARNING', category: 'config-error', verb: 'login-failed', outcome: 'failure', reason: 'no_home_directory', duplicateOf: 'login-failed',
    what: 'The user has no home directory in the user database, so the login is refused.',
    advice: 'Give the user a home directory (passwd, AuthUserFile, SQL or LDAP entry).',
  },
  {
    id: 'switch-ids-failed',
    title: 'Cannot switch back to the daemon user',
    pattern: /^switching IDs from user (?<user>\S+) back to daemon uid\/gid failed: (?<reason>.+)$/,
    level: 'WARNING', category: 'config-error', verb: 'privs', outcome: 'failure',
    what: 'ProFTPD could not switch back to its own user after checking a directory as the logged-in user; the session is closed.',
    advice: 'Usually ProFTPD was not started as root; start it as root and let the User/Group directives drop privileges.',
  },
  {
    id: 'refused-port',
    title: 'Active-mode PORT/EPRT refused',
    pattern: /^Refused (?<command>PORT|EPRT) (?<detail>\S+) \((?<reason>[^)]+)\)$/,
    level: 'WARNING', category: 'transfer', verb: 'port-refused', outcome: 'failure',
    what: 'An active-mode PORT/EPRT command was refused (address mismatch with the control connection: a possible FTP bounce attack, or NAT).',
    advice: 'If the client is behind NAT, have it use passive mode; AllowForeignAddress relaxes the check but weakens bounce protection.',
  },

  // ---------------------------------------------------------------- ERR: cannot start, cannot use config
  {
    id: 'failed-binding',
    title: 'Cannot bind the listening address/port',
    pattern: /^Failed binding to (?<address>\S+?), port (?<port>\d+)(?:: (?<reason>.+))?$/,
    level: 'ERR', category: 'config-error', verb: 'bind', outcome: 'failure',
    what: 'At startup ProFTPD could not bind a socket to a configured address/port.',
    advice: 'Most often another proftpd, or inetd/xinetd, already uses that address/port; if the server is meant to run from inetd/xinetd, set "ServerType inetd" instead of standalone.',
  },
  {
    id: 'check-servertype',
    title: 'Check ServerType (after a bind failure)',
    pattern: /^Check the ServerType directive to ensure you are configured correctly\.?$/,
    level: 'ERR', category: 'config-error', verb: 'bind', outcome: 'failure', duplicateOf: 'bind',
    what: 'Follows "Failed binding to ...": the ServerType may not match how ProFTPD is started.',
    advice: 'Use "ServerType inetd" when inetd/xinetd starts ProFTPD, "standalone" when it runs as a daemon.',
  },
  {
    id: 'check-inetd',
    title: 'Address/port already used (after a bind failure)',
    pattern: /^Check to see if inetd\/xinetd, or another proftpd instance, is already using (?<address>\S+?), port (?<port>\d+)\.?$/,
    level: 'ERR', category: 'config-error', verb: 'bind', outcome: 'failure', duplicateOf: 'bind',
    what: 'Follows "Failed binding to ...": something else listens on that address/port.',
    advice: 'Stop the other proftpd instance, or the inetd/xinetd FTP entry (e.g. `ss -ltnp` shows who listens).',
  },
  {
    id: 'unable-to-listen',
    title: 'Cannot listen on an address/port',
    pattern: /^unable to listen on (?<address>\S+?)#(?<port>\d+)(?:: (?<reason>.+))?$/,
    level: 'ERR', category: 'config-error', verb: 'listen', outcome: 'failure',
    what: 'At startup ProFTPD could not listen on a configured address/port.',
    advice: 'Most often two <VirtualHost> sections use different DNS names that resolve to the same IP address: FTP only knows IP addresses, so the second one fails ("Address already in use"). Give each vhost its own IP or port.',
  },
  {
    id: 'running-from-command-line',
    title: 'ServerType inetd started from the command line',
    pattern: /^\(Running from command line\? Use `ServerType standalone' in config file!\)$/,
    level: 'ERR', category: 'config-error', verb: 'config', outcome: 'failure',
    what: 'proftpd was started from the command line or an init script while the configuration says "ServerType inetd".',
    advice: 'Either let inetd/xinetd start it, or set "ServerType standalone" to run it as a daemon.',
  },
  {
    id: 'accept-failed',
    title: 'Cannot accept incoming connection',
    pattern: /^unable to accept incoming connection(?:: (?<reason>.+))?$/,
    level: 'ERR', category: 'resource-exhaustion', verb: 'accept', outcome: 'failure',
    what: 'The server could not accept a TCP connection from a client.',
    advice: 'Most likely too many open files (sockets count): raise the per-process or system-wide open file limit (ulimit -n, fs.file-max).',
  },
  {
    id: 'chroot-failed',
    title: 'chroot failed for the user',
    pattern: /^chroot to '?(?<path>.+?)'? failed for user '?(?<user>[^':\s]+)'?(?:: (?<reason>.+))?$/,
    level: 'ERR', category: 'config-error', verb: 'chroot', outcome: 'failure',
    what: 'Restricting the logged-in user to their DefaultRoot directory failed.',
    advice: 'The user needs execute permission on the target directory (and its parents); fix that or any other file system permission error named in the message.',
  },
  {
    id: 'privs-failed',
    title: 'Changing process UID/GID failed',
    pattern: /^(?:(?<scope>RELINQUISH|REVOKE|ROOT|SETUP|USER) PRIVS\b(?<detail>.*)|unable to set (?:UID\/GID|UID|GID)\b(?<detail2>.*)|unable to set(?:res)?[ug]id\(\): (?<reason>.+))$/,
    level: 'ERR', category: 'config-error', verb: 'privs', outcome: 'failure',
    what: 'Changing the UID/GID of the process (during authentication or for UserOwner/GroupOwner) failed.',
    advice: 'The most common cause is starting proftpd as a non-root user: start it as root and let User/Group drop privileges.',
  },
  {
    id: 'log-world-writable',
    title: 'Log file refused: world-writable directory',
    pattern: /^unable to open (?:(?<logType>[A-Za-z]+Log) )?'?(?<path>[^':]+?)'?: (?:(?<directory>\S+) is a world[- ]?writ(?:e)?able directory|parent directory is world[- ]?writ(?:e)?able)\.?$/,
    level: 'ERR', category: 'config-error', verb: 'log-open', outcome: 'failure',
    what: 'ProFTPD refused to write a log file in a world-writable directory, because any local user could delete or modify it.',
    advice: 'Move the log file to a directory only root can write to (e.g. /var/log/proftpd).',
  },
  {
    id: 'log-symlink',
    title: 'Log file refused: symbolic link',
    pattern: /^unable to open (?:(?<logType>[A-Za-z]+Log) )?'?(?<path>[^':]+?)'?: (?:\S+ )?is a symbolic link\.?$/,
    level: 'ERR', category: 'config-error', verb: 'log-open', outcome: 'failure',
    what: 'ProFTPD refused to write a log file that is a symbolic link (symlinks could be swapped to overwrite other files).',
    advice: 'Point the directive at the real file, or allow it with "AllowLogSymlinks on".',
  },
  {
    id: 'log-open-failed',
    title: 'Cannot open a log file',
    pattern: /^unable to open (?:(?<logType>[A-Za-z]+Log) )?'?(?<path>\/[^':]*?)'?(?:: (?<reason>.+))?$/,
    level: 'ERR', category: 'config-error', verb: 'log-open', outcome: 'failure',
    what: 'A log file could not be opened (missing directory, permissions...).',
    advice: 'Create the directory and check that root can write there.',
  },
  {
    id: 'sql-backend-error',
    title: 'SQL back-end rejected a statement',
    pattern: /^mod_sql(?:\/[\w.]+)?(?:\[\d+\])?: unrecoverable backend error(?<detail>.*)$/,
    level: 'ERR', category: 'config-error', verb: 'sql', outcome: 'failure',
    what: 'The database server (MySQL, Postgres, SQLite...) rejected the SQL statement mod_sql sent.',
    advice: 'Usually a table or column in the statement does not exist, or its name in proftpd.conf does not match the database: compare the SQLUserInfo/SQLLog/SQLNamedQuery settings with the schema.',
  },
  {
    id: 'set-groups-failed',
    title: 'Cannot set the user\'s groups',
    pattern: /^error: unable to set groups: (?<reason>.+)$/,
    level: 'ERR', category: 'config-error', verb: 'privs', outcome: 'failure',
    what: "Setting the logged-in user's supplementary groups (setgroups) failed.",
    advice: 'With "Invalid argument" the user is most likely in too many groups (the limit is 4 to 32 or more depending on the platform): reduce their group memberships.',
  },
  {
    id: 'scoreboard-open-failed',
    title: 'Cannot open the scoreboard, server cannot start',
    pattern: /^error opening scoreboard(?:: (?<reason>.+))?$/,
    level: 'ERR', category: 'config-error', verb: 'scoreboard', outcome: 'failure',
    what: 'The ScoreboardFile could not be opened, so proftpd cannot start (ftpwho, ftptop and the Max* limits need it).',
    advice: 'The directory of ScoreboardFile must exist before proftpd starts: create it.',
  },
  {
    id: 'authfile-malformed',
    title: 'Malformed AuthUserFile/AuthGroupFile entry',
    pattern: /^(?:(?<module>mod_auth_file(?:\/[\w.]+)?): )?[Mm]alformed entry in (?<file>AuthUserFile|AuthGroupFile|\S+)(?<detail>.*)$/,
    level: 'ERR', category: 'config-error', verb: 'config', outcome: 'failure',
    what: 'A line of the AuthUserFile or AuthGroupFile is not in the expected passwd/group format.',
    advice: 'Fix the line: usually a missing field, or an extra colon inside a field such as the name.',
  },
  {
    id: 'setid-after-login-failed',
    title: 'Cannot switch to the user\'s UID/GID',
    pattern: /^error: (?<user>\S+) setregid\(\) or setreuid\(\): (?<reason>.+)$/,
    level: 'ERR', category: 'config-error', verb: 'privs', outcome: 'failure',
    what: "ProFTPD could not switch to the logged-in user's UID/GID, so the login fails.",
    advice: 'Start proftpd as root; check the UID/GID of the user.',
  },

  // ---------------------------------------------------------------- ALERT: resources exhausted
  {
    id: 'out-of-memory',
    title: 'Out of memory',
    pattern: /^(?:Out of memory!?|fatal: Memory exhausted)(?<detail>.*)$/,
    level: 'ALERT', category: 'resource-exhaustion', verb: 'resource',
    what: 'ProFTPD could not allocate enough memory.',
    advice: 'Check the memory of the machine and any RLimitMemory setting; many simultaneous sessions each use a process.',
  },
  {
    id: 'unable-to-fork',
    title: 'Cannot create a process (fork)',
    pattern: /^unable to fork\b(?<detail>.*)$/,
    level: 'ALERT', category: 'resource-exhaustion', verb: 'resource',
    what: 'ProFTPD could not create a new process (e.g. for a session, to read passphrases or run a script).',
    advice: 'The process table is full or memory is short: check MaxInstances, the process limits (ulimit -u) and memory.',
  },
  {
    id: 'extendedlog-write-failed',
    title: 'Cannot write ExtendedLog (disk full)',
    pattern: /^(?<detail>.*)cannot write ExtendedLog(?<detail2>.*)$/,
    level: 'ALERT', category: 'resource-exhaustion', verb: 'resource',
    what: 'An ExtendedLog could not be written, usually because its file system is full.',
    advice: 'Free space on the file system holding the logs (rotate and compress old logs).',
  },
  {
    id: 'no-space',
    title: 'Disk full, write failed',
    pattern: /^failed to write (?<path>.+?): No space (?:left )?on device$/,
    level: 'ALERT', category: 'resource-exhaustion', verb: 'resource',
    what: 'A file could not be written because its file system is out of space.',
    advice: 'Free space on that file system (old logs, uploads) or give it more.',
  },

  // ---------------------------------------------------------------- DEBUG (shown with DebugLevel)
  {
    id: 'chroot-done',
    title: 'User restricted to their directory (chroot)',
    pattern: /^Environment successfully chroot\(\)ed\.?$/,
    level: 'DEBUG', category: 'other', verb: 'chroot', outcome: 'success',
    what: 'The logged-in user is now restricted to their DefaultRoot directory.',
    advice: 'Nothing to do.',
  },
  {
    id: 'root-revoke',
    title: 'Root privileges revoked (RootRevoke)',
    pattern: /^RootRevoke in effect, (?<detail>.+)$/,
    level: 'DEBUG', category: 'other', verb: 'privs',
    what: 'RootRevoke dropped root privileges for the session (active transfers from ports below 1024 may then fail).',
    advice: 'Nothing to do; use passive mode if active transfers fail.',
  },
];

export interface ProftpdClassification {
  entry: ProftpdMessageEntry;
  /** The named groups that matched (absent groups omitted). */
  groups: Record<string, string>;
}

/** The catalogue entry a SystemLog/syslog message matches (first match wins), with its named groups. */
export function classifyProftpdMessage(message: string): ProftpdClassification | undefined {
  const text = message.trim();
  for (const entry of PROFTPD_MESSAGES) {
    const m = entry.pattern.exec(text);
    if (!m) continue;
    const groups: Record<string, string> = {};
    if (m.groups) for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) groups[k] = v;
    return { entry, groups };
  }
  return undefined;
}

/** Reason codes for the text after `(Login failed):` (ProFTPD's mod_auth wording). */
export const LOGIN_FAILED_REASONS: readonly (readonly [RegExp, string])[] = [
  [/^Incorrect password/i, 'wrong_password'],
  [/^No such user/i, 'unknown_user'],
  [/^Password expired/i, 'password_expired'],
  [/^Account disabled/i, 'account_disabled'],
  [/^Invalid shell/i, 'invalid_shell'],
  [/^User in /i, 'ftpusers'],
  [/^Limit access denies login/i, 'limit_denied'],
  [/^AnonRejectPasswords/i, 'anon_password_rejected'],
  [/^Not a UserAlias/i, 'not_user_alias'],
  [/^maximum USER length exceeded/i, 'user_too_long'],
  [/^Max authentication service attempts/i, 'max_auth_attempts'],
  [/^(?:Insufficient|Unavailable) credentials|^Failure setting credentials/i, 'credentials'],
  [/^(?:Unavailable authentication service|Failed initializing authentication service)/i, 'auth_service'],
  [/^New authentication token required/i, 'token_required'],
];

/**
 * A short, stable reason code for a classified message: the entry's own, else one derived from the
 * reason text (`Incorrect password` → `wrong_password`), else the text in snake case.
 */
export function proftpdReasonCode(c: ProftpdClassification): string | undefined {
  if (c.entry.reason) return c.entry.reason;
  const text = c.groups.reason;
  return text ? loginReasonCode(text) : undefined;
}

/** A login failure's reason text as a short code (`Incorrect password` → `wrong_password`). */
export function loginReasonCode(text: string): string | undefined {
  for (const [re, code] of LOGIN_FAILED_REASONS) if (re.test(text)) return code;
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 40) || undefined;
}

/** The strerror(3) texts that end many ProFTPD messages (the howto's table): see strerror.ts. */
export { STRERROR_REASONS } from './strerror.js';
