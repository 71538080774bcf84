// Run on a scratch machine that stands in for this one: makes a scratch machine there, runs the first script on
// it and the second on a machine made from it (as from an image), and prints what they printed, as JSON.
import { ScratchMachine } from "../support/scratch-machine.js";

const [fresh, fromImage] = process.argv.slice(2);
const env = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" };
const machine = await ScratchMachine.create();
const made = await ScratchMachine.create({ image: machine });
try {
  const first = await machine.sh(fresh ?? "", env);
  const second = await made.sh(fromImage ?? "", env);
  console.log(JSON.stringify({ fresh: first, fromImage: second }));
} finally {
  await made.dispose();
  await machine.dispose();
}
