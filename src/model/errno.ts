// A failed system call: thrown inside the model, turned into ret -1 / err at the syscall
// boundary. Effects already applied stay applied, as in the kernel. Browser compatible.

export type ErrnoName =
  "EINVAL" | "ENOMEM" | "EEXIST" | "EFAULT" | "EAGAIN" | "EPERM" | "EACCES" | "EBADF";

export class Errno extends Error {
  constructor(
    readonly code: ErrnoName,
    readonly why = "",
  ) {
    super(why ? `${code}: ${why}` : code);
    this.name = "Errno";
  }
}
