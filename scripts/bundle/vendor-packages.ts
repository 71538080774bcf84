// The heavy packages (dockerode, got, pino...: vendor-split.ts) are a second script, vendor.js,
// run the first time a command needs one of them: `--help` and `--version` never compile it. How that script is
// loaded is the artifact's own (scripts/sea/vendor-loader.ts, scripts/npm/vendor-loader.ts).

/** What the vendor script exports: one loader per package, so that each package is evaluated on first use. */
export type VendorPackages = Record<string, () => unknown>;

/** The vendorPackage(name) of a loader: runs the vendor script once, then each package on its first use. */
export function vendorPackages(loadScript: () => unknown): (name: string) => unknown {
  let packages: VendorPackages | undefined;
  return (name) => {
    packages ??= loadScript() as VendorPackages;
    const load = packages[name];
    if (!load) throw new Error(`rancher-enroll was built without the package ${name}`);
    return load();
  };
}
