import path from 'node:path'

/** Repository-relative path with `/` separators, as printed in messages and headers. */
export function toRepoPath(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/')
}
