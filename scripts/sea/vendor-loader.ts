// In the single executable, vendor.js is an asset script, run with its code cache.
import { VENDOR_SCRIPT } from "../bundle/wrapped-script.js";
import { vendorPackages } from "../bundle/vendor-packages.js";
import { runAssetScript } from "./asset-script.js";

export const vendorPackage = vendorPackages(() => runAssetScript(VENDOR_SCRIPT));
