/** The package version, written from package.json by scripts/write-version.mjs at build time. */
export const PACKAGE_VERSION = '0.1.0';
