/**
 * Media bytes served by the emulated CDN proxy: real PNG files (signature, IHDR, PLTE, IDAT, IEND
 * with correct CRCs) and MP4-shaped bytes, both derived deterministically from the requested URL.
 */
import { createHash } from 'crypto';
import { deflateSync } from 'zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

export function crc32(...parts: Buffer[]): number {
	let crc = 0xffffffff;
	for (const part of parts) {
		for (let i = 0; i < part.length; i++) crc = CRC_TABLE[(crc ^ part[i]) & 0xff] ^ (crc >>> 8);
	}
	return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typeBytes = Buffer.from(type, 'ascii');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeBytes, data));
	return Buffer.concat([length, typeBytes, data, crc]);
}

/** A deterministic 32-bit PRNG (xorshift32) seeded from a hash of the key. */
function randomFrom(key: string): () => number {
	let state = createHash('sha256').update(key).digest().readUInt32BE(0) || 0x9e3779b9;
	return () => {
		state ^= state << 13;
		state >>>= 0;
		state ^= state >>> 17;
		state ^= state << 5;
		state >>>= 0;
		return state;
	};
}

/**
 * Noise rows of an indexed-colour image, deflated: the same for every file of one size, so built
 * once. Full-range noise keeps deflate from shrinking it, so the file size tracks width × height.
 * Built per request (the first version did that for RGB pixels) it cost about 40 ms per MB of the
 * emulator's one event loop, which then answered the node's next submission late: the bench
 * measured the emulator's CPU instead of the node.
 */
const noiseRasters = new Map<number, Buffer>();

function noiseRaster(side: number): Buffer {
	let idat = noiseRasters.get(side);
	if (!idat) {
		const next = randomFrom(`noise:${side}`);
		const rowLength = side + 1;
		const raw = Buffer.alloc(rowLength * side);
		for (let y = 0; y < side; y++) {
			raw[y * rowLength] = 0; // filter type None
			for (let x = 0; x < side; x++) raw[y * rowLength + 1 + x] = next() & 0xff;
		}
		idat = pngChunk('IDAT', deflateSync(raw, { level: 1 }));
		noiseRasters.set(side, idat);
	}
	return idat;
}

/**
 * An indexed-colour PNG of about `approxBytes` bytes. The pixels are shared noise (see noiseRaster);
 * the palette, a gradient of a hue derived from the key, makes each URL's file its own.
 */
export function makePng(key: string, approxBytes: number): Buffer {
	const side = Math.max(1, Math.round(Math.sqrt(Math.max(approxBytes - 900, 1))));
	const next = randomFrom(key);
	const tint = next();
	const [tr, tg, tb] = [tint & 0xff, (tint >>> 8) & 0xff, (tint >>> 16) & 0xff];
	const palette = Buffer.alloc(256 * 3);
	for (let i = 0; i < 256; i++) {
		palette[i * 3] = (tr + i) & 0xff;
		palette[i * 3 + 1] = (tg + (i >>> 1)) & 0xff;
		palette[i * 3 + 2] = (tb + (next() & 0x3f)) & 0xff;
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(side, 0);
	header.writeUInt32BE(side, 4);
	header[8] = 8; // bit depth
	header[9] = 3; // colour type: indexed (palette)
	header[10] = 0; // compression
	header[11] = 0; // filter
	header[12] = 0; // no interlace
	return Buffer.concat([
		PNG_SIGNATURE,
		pngChunk('IHDR', header),
		pngChunk('PLTE', palette),
		noiseRaster(side),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

function mp4Box(type: string, payload: Buffer): Buffer {
	const size = Buffer.alloc(4);
	size.writeUInt32BE(payload.length + 8);
	return Buffer.concat([size, Buffer.from(type, 'ascii'), payload]);
}

/** Filler of an `mdat` box, shared by every file of one size (see noiseRaster for why). */
const mp4Fillers = new Map<number, Buffer>();

/**
 * MP4-shaped bytes of about `approxBytes`: an `ftyp` box (so the file is recognised as MP4), a
 * `free` box with a hash of the key (so each URL's file is its own) and an `mdat` box of
 * deterministic filler. Not playable; enough for download tests.
 */
export function makeMp4(key: string, approxBytes: number): Buffer {
	const ftyp = mp4Box(
		'ftyp',
		Buffer.concat([
			Buffer.from('isom', 'ascii'),
			Buffer.from([0, 0, 2, 0]),
			Buffer.from('isomiso2avc1mp41', 'ascii'),
		]),
	);
	const free = mp4Box('free', createHash('sha256').update(key).digest());
	const fillerLength = Math.max(16, approxBytes - ftyp.length - free.length - 8);
	let filler = mp4Fillers.get(fillerLength);
	if (!filler) {
		filler = Buffer.alloc(fillerLength);
		const next = randomFrom(`filler:${fillerLength}`);
		for (let i = 0; i + 4 <= fillerLength; i += 4) filler.writeUInt32BE(next(), i);
		mp4Fillers.set(fillerLength, filler);
	}
	return Buffer.concat([ftyp, free, mp4Box('mdat', filler)]);
}
