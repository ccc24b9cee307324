/** File-system errors in words, for the lists of files that could not be read. */

export function describeFsError(error: unknown, options: { link?: boolean } = {}): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return options.link ? 'a symbolic link to a file that does not exist' : 'the file disappeared';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'EISDIR':
      return 'a folder, not a file';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files open at once; try again';
    case 'EIO':
      return 'the disk could not read it (input/output error)';
    default:
      return code ? `cannot be read (${code})` : error instanceof Error ? error.message : String(error);
  }
}
