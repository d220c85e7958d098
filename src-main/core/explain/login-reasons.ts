/**
 * The reason codes the formats give a failed login (ProFTPD's proftpdReasonCode, sshd and
 * Pure-FTPd in syslog.ts), which sessions keep as `login_reason`: "Login failed (wrong password)".
 */
import type { CodeEntry, CodeTable } from './types.js';

const failed = (code: string, title: string, meaning: string, advice: string): CodeEntry =>
  ({ code, title: `Login failed (${title})`, severity: 'warning', meaning, advice });

const GUESSING = 'Many from one address are password guessing: ban it (EFT Autoban, ProFTPD mod_ban, fail2ban).';

export const LOGIN_REASON_TABLE: CodeTable = {
  id: 'login-reason',
  label: 'Failed login reason',
  entries: [
    failed('wrong_password', 'wrong password', 'The user exists but the password was wrong.', `Check the password the client has saved; reset it if the user forgot it. ${GUESSING}`),
    failed('unknown_user', 'unknown user', 'The user name does not exist on the server.', `Check the spelling (and the domain prefix for Windows accounts). ${GUESSING}`),
    failed('authentication_failed', 'authentication failed', 'The server refused the credentials without saying which part was wrong (Pure-FTPd).', `Check the user name and password. ${GUESSING}`),
    failed('password_expired', 'password expired', 'The password of the account has expired.', 'Have the user change their password, or extend its validity.'),
    failed('account_disabled', 'account disabled', 'The account is disabled or locked.', 'Re-enable the account if the user should have access; check whether it was locked by failed attempts.'),
    failed('invalid_shell', 'invalid shell', "The user's shell is not listed in /etc/shells (ProFTPD RequireValidShell).", 'Add the shell to /etc/shells or set "RequireValidShell off".'),
    failed('ftpusers', 'user in /etc/ftpusers', 'The user is listed in /etc/ftpusers, the list of users barred from FTP.', 'Remove the user from /etc/ftpusers, or set "UseFtpUsers off".'),
    failed('limit_denied', 'denied by <Limit LOGIN>', 'A <Limit LOGIN> section of the configuration does not let this user in.', 'Check the AllowUser/DenyUser/AllowGroup rules of the <Limit LOGIN> sections for this server.'),
    failed('anon_password_rejected', 'anonymous password rejected', 'The password given for anonymous login matches AnonRejectPasswords.', 'Nothing to do unless legitimate users are refused: then adjust AnonRejectPasswords.'),
    failed('not_user_alias', 'not a UserAlias', 'AuthAliasOnly is on and the name is not one of the UserAlias names.', 'Add a UserAlias for the name, or turn AuthAliasOnly off.'),
    failed('user_too_long', 'user name too long', 'The user name is longer than the server accepts.', 'Usually a scanner; nothing to do.'),
    failed('max_auth_attempts', 'too many PAM attempts', 'PAM refused after too many authentication attempts.', GUESSING),
    failed('credentials', 'credentials unavailable', 'PAM could not obtain or set the user\'s credentials.', 'Check /etc/pam.d/proftpd and the system auth log.'),
    failed('auth_service', 'authentication service unavailable', 'The authentication service (PAM, LDAP, SQL) could not be used.', 'Check that the back-end (LDAP server, database) is reachable and the PAM configuration is valid.'),
    failed('token_required', 'new password required', 'PAM requires the user to set a new password first.', 'Have the user change their password through a shell or the password portal.'),
    failed('root_login', 'root refused', 'Someone tried to log in as root, which the server refuses.', `Keep root logins off. ${GUESSING}`),
    failed('empty_password', 'empty password', 'The client sent an empty password and empty passwords are not allowed.', 'Nothing to do; the client has to send a password.'),
    failed('no_home_directory', 'no home directory', 'The user has no home directory in the user database.', 'Give the user a home directory (passwd, AuthUserFile, SQL or LDAP entry).'),
    failed('max_login_attempts', 'too many attempts', 'The client failed to log in too many times in one session and was disconnected.', GUESSING),
    failed('publickey_failed', 'public key refused', 'The SSH public key offered is not authorised for this user.', "Add the client's public key to the user's authorized keys (EFT: the user's SSH key; OpenSSH: ~/.ssh/authorized_keys) and check its permissions."),
    failed('keyboard-interactive_failed', 'keyboard-interactive refused', 'The SSH keyboard-interactive (password/OTP) answers were refused.', `Check the password or one-time code. ${GUESSING}`),
  ],
};
