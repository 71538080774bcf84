// In the npm package, vendor.js is a file beside cli.js, run with its code cache.
import { VENDOR_SCRIPT } from "../bundle/wrapped-script.js";
import { vendorPackages } from "../bundle/vendor-packages.js";
import { runFileScript } from "./file-script.js";

export const vendorPackage = vendorPackages(() => runFileScript(VENDOR_SCRIPT));
