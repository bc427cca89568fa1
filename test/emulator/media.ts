/**
 * Media bytes served by the emulated CDN proxy: real PNG files (signature, IHDR, IDAT, IEND with
 * correct CRCs) and MP4-shaped bytes, both derived deterministically from the requested URL.
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
 * An RGB PNG of about `approxBytes` bytes. The pixels are a colour gradient (hue from the key)
 * plus full-range noise, so deflate cannot shrink them and the file size tracks width × height × 3.
 */
export function makePng(key: string, approxBytes: number): Buffer {
	const side = Math.max(1, Math.round(Math.sqrt(Math.max(approxBytes - 100, 3) / 3)));
	const width = side;
	const height = side;
	const next = randomFrom(key);
	const tint = next();
	const [tr, tg, tb] = [tint & 0xff, (tint >>> 8) & 0xff, (tint >>> 16) & 0xff];
	const rowLength = width * 3 + 1;
	const raw = Buffer.alloc(rowLength * height);
	for (let y = 0; y < height; y++) {
		const row = y * rowLength;
		raw[row] = 0; // filter type None
		for (let x = 0; x < width; x++) {
			const noise = next();
			const gradient = ((x + y) * 255) / (width + height);
			const offset = row + 1 + x * 3;
			raw[offset] = (tr + gradient + (noise & 0xff)) & 0xff;
			raw[offset + 1] = (tg + gradient + ((noise >>> 8) & 0xff)) & 0xff;
			raw[offset + 2] = (tb + gradient + ((noise >>> 16) & 0xff)) & 0xff;
		}
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 2; // colour type RGB
	header[10] = 0; // compression
	header[11] = 0; // filter
	header[12] = 0; // no interlace
	return Buffer.concat([
		PNG_SIGNATURE,
		pngChunk('IHDR', header),
		pngChunk('IDAT', deflateSync(raw, { level: 1 })),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

function mp4Box(type: string, payload: Buffer): Buffer {
	const size = Buffer.alloc(4);
	size.writeUInt32BE(payload.length + 8);
	return Buffer.concat([size, Buffer.from(type, 'ascii'), payload]);
}

/**
 * MP4-shaped bytes of about `approxBytes`: an `ftyp` box (so the file is recognised as MP4)
 * followed by an `mdat` box of deterministic filler. Not playable; enough for download tests.
 */
export function makeMp4(key: string, approxBytes: number): Buffer {
	const ftyp = mp4Box(
		'ftyp',
		Buffer.concat([Buffer.from('isom', 'ascii'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2avc1mp41', 'ascii')]),
	);
	const fillerLength = Math.max(16, approxBytes - ftyp.length - 8);
	const filler = Buffer.alloc(fillerLength);
	const next = randomFrom(key);
	for (let i = 0; i + 4 <= fillerLength; i += 4) filler.writeUInt32BE(next(), i);
	return Buffer.concat([ftyp, mp4Box('mdat', filler)]);
}
