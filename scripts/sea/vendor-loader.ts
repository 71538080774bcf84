// In the single executable, the heavy packages are a second asset script (vendor.js), run the first time a
// command needs one of them: `--help` and `--version` never compile it.
import { runAssetScript, VENDOR_SCRIPT } from "./asset-script.js";

/** What the vendor script exports: one loader per package, so that each package is evaluated on first use. */
export type VendorPackages = Record<string, () => unknown>;

let packages: VendorPackages | undefined;

export function vendorPackage(name: string): unknown {
  packages ??= runAssetScript(VENDOR_SCRIPT) as VendorPackages;
  const load = packages[name];
  if (!load) throw new Error(`the single executable was built without the package ${name}`);
  return load();
}
