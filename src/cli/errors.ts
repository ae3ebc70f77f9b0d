// The CLI's usage error: reported as `vmasim CMD: message`, exit status 2.

/** A usage or input error; `main` prints it on stderr and exits with status 2. */
export class UsageError extends Error {
  /**
   * @param helpHint whether to append "see 'vmasim help CMD'" (false when the message
   *   already says how to fix it)
   */
  constructor(
    message: string,
    readonly helpHint = true,
  ) {
    super(message);
    this.name = "UsageError";
  }
}
