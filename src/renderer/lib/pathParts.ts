/**
 * A file path in pieces that end at its separators ("/home/me/", "cat.1.jpg" → ["/", "home/",
 * "me/", "cat.1.jpg"]): shown with a line-break opportunity after each piece, a long path wraps
 * between folders and never inside a name (PathText.svelte).
 */
export function pathParts(path: string): string[] {
  return path.match(/[^/\\]*(?:[/\\]+|$)/g)?.filter(Boolean) ?? [];
}
