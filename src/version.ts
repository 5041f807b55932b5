// The packer's own version, written into every manifest's `packer`. Kept
// equal to package.json's version (a test checks it) rather than read from
// package.json at run time, so bundles do not need the file next to them.

export const VERSION = '0.1.0';
export const PACKER = `pack-action ${VERSION}`;
