// Seeded pseudo-random sources, so every run of the benchmark builds
// byte-identical trees: a small integer PRNG for shapes and choices, and an
// AES-CTR keystream for bulk incompressible bytes (fast, and no compressor
// can shrink it).
import { createCipheriv, createHash } from 'node:crypto';

/** splitmix32: a tiny, well-mixed 32-bit generator. Returns a function giving floats in [0, 1). */
export function prng(seed) {
  let state = typeof seed === 'number' ? seed >>> 0 : hashSeed(seed);
  const next = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (list) => list[Math.floor(next() * list.length)];
  return next;
}

function hashSeed(text) {
  return createHash('sha256').update(String(text)).digest().readUInt32LE(0);
}

/** A stream of deterministic incompressible bytes for `seed`: call with a byte count, get a Buffer. */
export function randomBytesStream(seed) {
  const key = createHash('sha256').update(`bench-bytes:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (length) => cipher.update(Buffer.alloc(length));
}
