#!/usr/bin/env node
/**
 * Draws the xferlens icon (a lens over two transfer arrows, white on the app's blue) and writes
 * icon.png (512), icon-256.png, icon.ico (16, 32, 48, 256) and icon.icns (32 to 1024) next to
 * this script. No dependencies: shapes are signed distance functions, antialiased by 4×4
 * supersampling, written as PNG with node:zlib. Output is deterministic; run it again after a change:
 *   node assets/make-icons.mjs
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const OUT = path.dirname(fileURLToPath(import.meta.url));
const BLUE = [0x1f, 0x6f, 0xeb];
const WHITE = [0xff, 0xff, 0xff];

// ---- the glyph, in a unit square (y down) ----

function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function roundedSquare(x, y, inset, radius) {
  const qx = Math.abs(x - 0.5) - (0.5 - inset - radius);
  const qy = Math.abs(y - 0.5) - (0.5 - inset - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius <= 0;
}

const stroke = (width, ...points) => (x, y) => {
  for (let i = 0; i + 3 < points.length; i += 2) {
    if (segmentDistance(x, y, points[i], points[i + 1], points[i + 2], points[i + 3]) <= width / 2) return true;
  }
  return false;
};

const LENS = { cx: 0.43, cy: 0.43, r: 0.22, width: 0.065 };
const ARROW = 0.045;
const glyph = [
  (x, y) => Math.abs(Math.hypot(x - LENS.cx, y - LENS.cy) - LENS.r) <= LENS.width / 2,
  stroke(0.1, 0.6, 0.6, 0.78, 0.78), // handle
  stroke(ARROW, 0.365, 0.53, 0.365, 0.33), // up arrow: shaft
  stroke(ARROW, 0.31, 0.385, 0.365, 0.33, 0.42, 0.385), // and head
  stroke(ARROW, 0.495, 0.33, 0.495, 0.53), // down arrow: shaft
  stroke(ARROW, 0.44, 0.475, 0.495, 0.53, 0.55, 0.475), // and head
];

function render(size) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let inside = 0, white = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size, y = (py + (sy + 0.5) / n) / size;
          if (!roundedSquare(x, y, 0.04, 0.2)) continue;
          inside++;
          if (glyph.some((shape) => shape(x, y))) white++;
        }
      }
      const o = (py * size + px) * 4;
      const w = inside ? white / inside : 0;
      for (let c = 0; c < 3; c++) rgba[o + c] = Math.round(BLUE[c] * (1 - w) + WHITE[c] * w);
      rgba[o + 3] = Math.round((inside / (n * n)) * 255);
    }
  }
  return rgba;
}

// ---- PNG ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- ICO: BMP entries for the small sizes (what every Windows tool reads), PNG for 256 ----

function bmpEntry(size, rgba) {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour rows + mask rows
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4, to = ((size - 1 - y) * size + x) * 4; // bottom-up, BGRA
      pixels[to] = rgba[from + 2];
      pixels[to + 1] = rgba[from + 1];
      pixels[to + 2] = rgba[from];
      pixels[to + 3] = rgba[from + 3];
    }
  }
  const mask = Buffer.alloc(Math.ceil(size / 32) * 4 * size); // all 0: alpha decides
  return Buffer.concat([header, pixels, mask]);
}

function ico(images) {
  const head = Buffer.alloc(6 + 16 * images.length);
  head.writeUInt16LE(1, 2);
  head.writeUInt16LE(images.length, 4);
  let offset = head.length;
  images.forEach(({ size, data }, i) => {
    const e = 6 + 16 * i;
    head[e] = size >= 256 ? 0 : size;
    head[e + 1] = size >= 256 ? 0 : size;
    head.writeUInt16LE(1, e + 4);
    head.writeUInt16LE(32, e + 6);
    head.writeUInt32LE(data.length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([head, ...images.map((i) => i.data)]);
}

// ---- ICNS: PNG entries ----

function icns(entries) {
  const parts = entries.map(({ type, data }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'ascii');
    h.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([h, data]);
  });
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'ascii');
  h.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([h, ...parts]);
}

const rendered = new Map();
const pixels = (size) => rendered.get(size) ?? rendered.set(size, render(size)).get(size);
const pngOf = (size) => png(size, pixels(size));

fs.writeFileSync(path.join(OUT, 'icon.png'), pngOf(512));
fs.writeFileSync(path.join(OUT, 'icon-256.png'), pngOf(256));
fs.writeFileSync(
  path.join(OUT, 'icon.ico'),
  ico([...[16, 32, 48].map((size) => ({ size, data: bmpEntry(size, pixels(size)) })), { size: 256, data: pngOf(256) }]),
);
fs.writeFileSync(
  path.join(OUT, 'icon.icns'),
  icns([
    { type: 'ic11', data: pngOf(32) }, // 16@2x
    { type: 'ic12', data: pngOf(64) }, // 32@2x
    { type: 'ic07', data: pngOf(128) },
    { type: 'ic13', data: pngOf(256) }, // 128@2x
    { type: 'ic08', data: pngOf(256) },
    { type: 'ic14', data: pngOf(512) }, // 256@2x
    { type: 'ic09', data: pngOf(512) },
    { type: 'ic10', data: pngOf(1024) }, // 512@2x
  ]),
);
console.log(`icons written to ${OUT}`);
