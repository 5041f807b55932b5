// The one error type the packer throws for problems the user can fix: its
// message is a single line saying what is wrong and what to do.

export class PackError extends Error {
  override name = 'PackError';
}
