import type { EmailMessage } from './send';

/**
 * The emails Optare sends: plain text, short, and at most one link (with its token in the
 * fragment, which browsers never send to a server or put in a Referer). No names, nothing the
 * user typed except the addresses involved.
 */

const SIGNATURE = '\n\n— Optare';

export function verificationEmail(to: string, link: string): EmailMessage {
  return {
    to,
    subject: 'Confirm your email address',
    text:
      `Confirm that ${to} is your email address by opening this link:\n\n${link}\n\n` +
      'The link works once and expires in 24 hours. If you did not create an account, ignore this email.' +
      SIGNATURE,
  };
}

export function passwordResetEmail(to: string, link: string): EmailMessage {
  return {
    to,
    subject: 'Reset your password',
    text:
      `Someone (hopefully you) asked to reset the password of the account ${to}. To choose a new password, open:\n\n${link}\n\n` +
      'The link works once and expires in 30 minutes. Setting a new password signs you out everywhere. ' +
      'If you did not ask for this, ignore this email: your password stays as it is.' +
      SIGNATURE,
  };
}

export function emailChangeConfirmation(to: string, link: string): EmailMessage {
  return {
    to,
    subject: 'Confirm your new email address',
    text:
      `Open this link to make ${to} the email address of your account:\n\n${link}\n\n` +
      'The link works once and expires in 24 hours. If you did not ask for this, ignore this email.' +
      SIGNATURE,
  };
}

export function emailChangeNotice(to: string, newEmail: string, accountUrl: string): EmailMessage {
  return {
    to,
    subject: 'Your email address is about to change',
    text:
      `Someone signed in to your account asked to change its email address from ${to} to ${newEmail}. ` +
      'It changes only when the link sent to the new address is opened.\n\n' +
      `If this was not you, change your password now at ${accountUrl}.` +
      SIGNATURE,
  };
}

/** To the owner of an address someone tried to sign up with (sign-up answers as for a new address). */
export function signUpAttemptNotice(to: string, signInUrl: string, resetUrl: string): EmailMessage {
  return {
    to,
    subject: 'Someone tried to create an account with your address',
    text:
      `Someone tried to create a new account with ${to}, which already has an account. No account was created and yours is unchanged.\n\n` +
      `If this was you, sign in instead at ${signInUrl}. If you forgot your password, reset it at ${resetUrl}. ` +
      'If it was not you, there is nothing to do.' +
      SIGNATURE,
  };
}

export type SecurityEvent = 'password_changed' | 'new_sign_in' | 'mfa_added' | 'mfa_removed' | 'recovery_code_used';

const SECURITY_TEXT: Record<SecurityEvent, { subject: string; what: string }> = {
  new_sign_in: { subject: 'New sign-in to your account', what: 'Your account was signed in to from a browser or network it has not used recently.' },
  password_changed: { subject: 'Your password was changed', what: 'The password of your account was changed, and your other sessions were signed out.' },
  mfa_added: { subject: 'A sign-in method was added', what: 'A two-step verification method (an authenticator app or a passkey) was added to your account.' },
  mfa_removed: { subject: 'A sign-in method was removed', what: 'A two-step verification method (an authenticator app or a passkey) was removed from your account.' },
  recovery_code_used: { subject: 'A recovery code was used', what: 'One of your recovery codes was used to sign in to your account.' },
};

/** `facts` are display-only lines (time, browser, IP address), never secrets. */
export function securityNotification(to: string, event: SecurityEvent, facts: [string, string][], accountUrl: string): EmailMessage {
  const { subject, what } = SECURITY_TEXT[event];
  const lines = facts.map(([label, value]) => `${label}: ${value.replace(/[\r\n]+/g, ' ')}`).join('\n');
  return {
    to,
    subject,
    text:
      `${what}\n\n${lines}\n\n` +
      `If this was you, there is nothing to do. If not, change your password and review your account at ${accountUrl}.` +
      SIGNATURE,
  };
}
