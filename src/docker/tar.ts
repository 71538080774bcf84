/** A file to place in a container's file system through the engine's archive API. */
export interface FileToPlace {
  /** Absolute, in the container. */
  path: string;
  content: string;
  mode: number;
}

const BLOCK = 512;

/**
 * A POSIX tar archive of regular files, owned by root, to extract at "/". Missing parent folders are created by the
 * engine (0755); none is listed, so that existing ones keep their owner and mode.
 */
export function tarArchive(files: readonly FileToPlace[]): Buffer {
  const parts = files.flatMap((file) => {
    const content = Buffer.from(file.content, "utf8");
    return [header(file.path.replace(/^\/+/, ""), content.length, file.mode), pad(content)];
  });
  return Buffer.concat([...parts, Buffer.alloc(2 * BLOCK)]);
}

function header(name: string, size: number, mode: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`a path too long for a plain tar header: ${name}`);
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0);
  block.write(octal(mode, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(size, 12), 124);
  block.write(octal(Math.floor(Date.now() / 1000), 12), 136);
  block.write(" ".repeat(8), 148);
  block.write("0", 156);
  block.write("ustar\u000000", 257);
  block.write("root", 265);
  block.write("root", 297);
  const checksum = block.reduce((sum, byte) => sum + byte, 0);
  block.write(`${checksum.toString(8).padStart(6, "0")}\u0000 `, 148);
  return block;
}

const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, "0")}\u0000`;

function pad(content: Buffer): Buffer {
  const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
  return Buffer.concat([content, Buffer.alloc(padding)]);
}
