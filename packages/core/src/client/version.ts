// The package version, written into the build by tsup's `define` from package.json (tsup.base.ts).
// Sources run unbuilt (tests, tsx) see no define and report a development version instead.
declare const __DIAMONDPAY_VERSION__: string | undefined;

/** This SDK's version, as published (sent in the `user-agent` header). */
export const SDK_VERSION: string =
  typeof __DIAMONDPAY_VERSION__ === 'string' ? __DIAMONDPAY_VERSION__ : '0.0.0-source';
